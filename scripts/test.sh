#!/usr/bin/env bash
# Sets up the machine, builds, and runs every test (ctest). The README's second quick-start command.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
build=${DANGAN_BUILD_DIR:-build}
cd "$build"
ctest --output-on-failure -j "$(nproc)" "$@"
