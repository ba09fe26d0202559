// Uploads: while a job is queued or running, reload the page every few seconds so its state
// shows without a manual reload. Without JavaScript the page says to reload it.
(function () {
  "use strict";
  if (!document.querySelector("[data-jobs-active]")) return;
  window.setTimeout(function () {
    if (!document.activeElement || document.activeElement === document.body) {
      window.location.reload();
    }
  }, 4000);
})();
