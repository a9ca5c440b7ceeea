#!/usr/bin/env bash
# Configures and builds Dangan into ./build (or $DANGAN_BUILD_DIR), and the web front end into
# web/ui/dist (npm packages from the lock file). Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${DANGAN_BUILD_DIR:-build}
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j "$(nproc)"

# The browser front end: `npm ci` only when the lock file changed since the last install.
if [ -f web/ui/package.json ]; then
  (
    cd web/ui
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      npm ci --no-audit --no-fund --loglevel=error
    fi
    npm run --silent build
  )
fi
