#!/usr/bin/env bash
# Install the web app's static assets (map outlines, fonts) from the npm registry, offline after.
# Runs `npm ci` in web-assets/ only when package-lock.json changed since the last install, then
# copies exactly the files the app serves into src/watchfloor/web/static/vendor/.
# Usage: scripts/install-web-assets.sh [--force]     (PYTHON=... to pick the interpreter)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
assets="$root/web-assets"
vendor="$root/src/watchfloor/web/static/vendor"
python="${PYTHON:-python3}"
stamp="$assets/node_modules/.watchfloor-lock.sha256"

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "install-web-assets: Node.js and npm are needed (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi

want="$(sha256sum "$assets/package-lock.json" | cut -d' ' -f1)"
if [[ "${1:-}" == "--force" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  (cd "$assets" && npm ci --no-audit --no-fund)
  echo "$want" >"$stamp"
else
  echo "install-web-assets: web-assets/node_modules is current (package-lock.json unchanged)"
fi

"$python" "$root/src/watchfloor/web/assets_build.py" "$assets/node_modules" "$vendor"
