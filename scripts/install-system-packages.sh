#!/usr/bin/env bash
# Installs the Debian packages Watchfloor needs, only when some are missing.
# g++: builds pdqhash; postgresql: the test suite's throwaway server; fonts: demo images;
# tesseract with its five language models: text in images (the ocr analyzer); its headers,
# leptonica's and pkg-config: tesserocr, built against them;
# chromium: the browser tests (driven by Playwright, never a downloaded browser);
# nodejs and npm (only when npm is absent): the web app's fonts and map outlines from the npm registry.
set -euo pipefail
PACKAGES=(g++ python3-venv python3-dev postgresql fonts-dejavu-core fonts-noto-core
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-ara tesseract-ocr-fra tesseract-ocr-deu
  tesseract-ocr-nld libtesseract-dev libleptonica-dev pkg-config chromium)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "Not a Debian system: please install ${missing[*]} yourself." >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "Missing ${missing[*]} and not root: install them, then re-run." >&2; exit 1
  fi
fi
echo "Installing Debian packages: ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
