#!/usr/bin/env bash
# Installs everything Dangan needs on a fresh Debian 12 machine (Chromium is for the browser tests;
# clamav-daemon for the malware scan, archive.malware_scanner; postgresql for the PostgreSQL
# catalogue, started per test run by scripts/pg.sh). Idempotent and non-interactive:
# packages already present are left alone, so a second run costs one dpkg query.
# `--bench` also installs what scripts/bench/ needs beyond that: wrk, nginx-light and
# python3-zstandard (api.sh),
# time and the corpus generator's fonts (capture.sh).
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build
  libpoco-dev libssl-dev libarchive-dev libsqlite3-dev sqlite3 libzstd-dev
  postgresql libpq-dev
  libboost-test-dev
  tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng libtesseract-dev libleptonica-dev
  libhpdf-dev fonts-wqy-zenhei poppler-utils libpoppler-cpp-dev
  python3 python3-pil python3-numpy
  openssl curl
  clang libclang-rt-14-dev llvm-14
  chromium
  clamav-daemon
)
# The web front end is built with Node.js and npm (web/ui); a machine that has them already (any
# Node 18 or newer) keeps its own, otherwise Debian's are installed.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi
for arg in "$@"; do
  case "$arg" in
    --bench) packages+=(wrk nginx-light time python3-zstandard fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming
      fonts-wqy-microhei fonts-droid-fallback) ;;
    *) echo "setup: unknown option $arg (the only one is --bench)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: all packages present" >&2
