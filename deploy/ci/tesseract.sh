#!/usr/bin/env bash
# Install Tesseract OCR with its Dutch and English language data (Debian's
# packages) for the photo check. Idempotent; used by .ci/run and `make setup`
# (the Dockerfile installs the same packages). Without root and apt-get it only
# says so: the photo check then reports "text not read" and its OCR tests skip.
set -euo pipefail

PACKAGES="tesseract-ocr tesseract-ocr-nld tesseract-ocr-eng"

if command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx nld \
    && tesseract --list-langs 2>/dev/null | grep -qx eng; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086  # a list of packages
  apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
  echo "tesseract.sh: installed $PACKAGES"
else
  echo "tesseract.sh: Tesseract (nld+eng) is missing and cannot be installed here (needs root and apt-get):" \
       "apt-get install $PACKAGES" >&2
fi
