// Uploads: refuse a file over the size limit before sending it, and while a job is queued or
// running reload the page every few seconds so its state shows. Without JavaScript the server
// refuses the file itself (413) and the page says to reload it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-max-bytes]");
  if (form) {
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      var notice = document.getElementById("upload-too-large");
      var file = input && input.files && input.files[0];
      var tooLarge = file && file.size > Number(form.dataset.maxBytes);
      if (notice) notice.hidden = !tooLarge;
      if (tooLarge) {
        event.preventDefault();
        input.focus();
      }
    });
  }
  if (!document.querySelector("[data-jobs-active]")) return;
  window.setTimeout(function () {
    if (!document.activeElement || document.activeElement === document.body) {
      window.location.reload();
    }
  }, 4000);
})();
