#!/usr/bin/env bash
# Search benchmark: Catalogue::Search (dangan_cjk FTS5 index; B-tree for ID numbers) against an
# FTS5 trigram table with an instr() fallback for 1-2 character queries, built from the same rows,
# side by side in one run. Prints p50/p99 per query category, baseline/ours ratios, result-count
# checks, sizes and PASS/MISS against the targets. Exits non-zero only on errors.
#
# usage: scripts/bench/search.sh [--build DIR] [--records N] [--work DIR] [--keep] [--reuse]
#                                [--queries N] [--rounds N] [--warmup N] [--seed N] [--no-breakdown]
set -euo pipefail
export LC_ALL=C.UTF-8

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD="$ROOT/build-sbench"
ARGS=()

usage() { sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "search.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --build) [ $# -ge 2 ] || die "--build needs a value"; BUILD=$2; shift 2 ;;
    --records|--work|--queries|--rounds|--warmup|--seed)
      [ $# -ge 2 ] || die "$1 needs a value"; ARGS+=("$1" "$2"); shift 2 ;;
    --keep|--reuse|--no-breakdown) ARGS+=("$1"); shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
done
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

# --- build (Release, Ninja; the target is EXCLUDE_FROM_ALL, so ask for it by name) -------------
if [ ! -f "$BUILD/build.ninja" ]; then
  echo "configuring $BUILD ..." >&2
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
fi
ninja -C "$BUILD" search_bench >&2
BIN="$BUILD/scripts/bench/search_bench"
[ -x "$BIN" ] || die "no executable at $BIN"

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$BIN" ${ARGS[@]+"${ARGS[@]}"}
