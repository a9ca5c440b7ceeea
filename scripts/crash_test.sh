#!/usr/bin/env bash
# The long form of the crash-safety test: files cases over HTTP while SIGKILLing the server
# (default 200 rounds; a replica root gets a copy of every package too), checking after every
# restart that nothing acknowledged was lost and nothing half-written is visible, and at the end
# that every copy re-hashes clean. CI runs 5 rounds through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null
exec python3 tests/crash/crash_test.py --dangan "${DANGAN_BUILD_DIR:-build}/dangan" --rounds "${1:-200}" --seed "${2:-$RANDOM}"
