#!/usr/bin/env bash
# Fixity benchmark: `dangan verify --all` against `openssl dgst -sha256` over the same package
# files, side by side in one run. Prints per-tool medians, MB/s and ours/openssl throughput
# ratios for the default thread count and for --jobs 1, and PASS/MISS against the 0.9x target.
# A benchmark, not a test: exits non-zero only on errors, never on missing the target.
#
# usage: scripts/bench/fixity.sh [--build DIR] [--gb N] [--runs N] [--work DIR] [--keep]
set -euo pipefail
export LC_ALL=C

TARGET=0.9
FILE_BYTES=$((8 * 1024 * 1024))   # one 8 MiB random scan per case
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD="$ROOT/build-bench"
GB=1.0
RUNS=5
WORK=""
KEEP=0

usage() { sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "fixity.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --build) [ $# -ge 2 ] || die "--build needs a value"; BUILD=$2; shift 2 ;;
    --gb) [ $# -ge 2 ] || die "--gb needs a value"; GB=$2; shift 2 ;;
    --runs) [ $# -ge 2 ] || die "--runs needs a value"; RUNS=$2; shift 2 ;;
    --work) [ $# -ge 2 ] || die "--work needs a value"; WORK=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
done
if ! [[ "$GB" =~ ^[0-9]+([.][0-9]+)?$ ]] || ! awk -v g="$GB" 'BEGIN{exit !(g > 0)}'; then
  die "--gb must be a positive number"
fi
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
command -v openssl >/dev/null || die "openssl not found"
command -v python3 >/dev/null || die "python3 not found"

# --- build --------------------------------------------------------------------------------------
DANGAN="$BUILD/dangan"
if [ ! -x "$DANGAN" ]; then
  echo "building $DANGAN ..." >&2
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
  ninja -C "$BUILD" dangan >&2
fi
[ -x "$DANGAN" ] || die "no executable at $DANGAN"

# --- work dir and cleanup -----------------------------------------------------------------------
CREATED_WORK=0
if [ -z "$WORK" ]; then
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/dangan-fixity.XXXXXX")
  CREATED_WORK=1
elif [ ! -e "$WORK" ]; then
  mkdir -p "$WORK"
  CREATED_WORK=1
else
  [ -d "$WORK" ] || die "--work $WORK is not a directory"
  [ -z "$(ls -A "$WORK")" ] || die "--work $WORK is not empty"
fi
WORK=$(cd "$WORK" && pwd)
cleanup() {
  if [ "$KEEP" = 1 ]; then
    echo "kept work dir $WORK" >&2
  elif [ "$CREATED_WORK" = 1 ]; then
    rm -rf -- "$WORK"
  else
    rm -rf -- "$WORK/arc" "$WORK/cases" "$WORK/logs"
  fi
}
trap cleanup EXIT
ARC="$WORK/arc"
LOGS="$WORK/logs"
mkdir -p "$LOGS"

# --- data ---------------------------------------------------------------------------------------
TARGET_BYTES=$(awk -v g="$GB" 'BEGIN{printf "%.0f", g * 1e9}')
COUNT=$(( (TARGET_BYTES + FILE_BYTES - 1) / FILE_BYTES ))
echo "preparing $COUNT cases of $((FILE_BYTES / 1048576)) MiB each in $WORK ..." >&2
"$DANGAN" --root "$ARC" init --fonds J012 >"$LOGS/init.log" 2>&1 \
  || { cat "$LOGS/init.log" >&2; die "dangan init failed"; }
python3 "$ROOT/scripts/make_cases.py" --out "$WORK/cases" --count "$COUNT" \
  --file-bytes "$FILE_BYTES" --seed 7 >"$LOGS/cases.log"
find "$WORK/cases" -mindepth 2 -maxdepth 2 -name case.json -print0 | sort -z \
  | xargs -0 -n 32 "$DANGAN" --root "$ARC" ingest >"$LOGS/ingest.log" 2>"$LOGS/ingest.err" \
  || { tail -20 "$LOGS/ingest.err" >&2; die "dangan ingest failed"; }
rm -rf -- "$WORK/cases"   # the packages hold everything from here on

mapfile -d '' PACKAGES < <(find "$ARC/packages" -type f -name '*.tar' -print0 | sort -z)
NPKG=${#PACKAGES[@]}
[ "$NPKG" -eq "$COUNT" ] || die "expected $COUNT packages after ingest, found $NPKG"
BYTES=$(find "$ARC/packages" -type f -name '*.tar' -printf '%s\n' | awk '{s += $1} END{printf "%.0f", s}')
[ "$BYTES" -ge "$TARGET_BYTES" ] || die "packages total $BYTES bytes, below the requested $TARGET_BYTES"

# --- timing -------------------------------------------------------------------------------------
now() { date +%s.%N; }
# run_tool NAME: runs one pass of the named tool and prints "WALL_S CPU_S" (CPU = user + sys of
# the tool and its children, from /usr/bin/time); fails on any error.
run_tool() {
  local name=$1 t0 t1 cpu
  case "$name" in
    dangan|dangan1)
      local jobs=()
      [ "$name" = dangan1 ] && jobs=(--jobs 1)
      t0=$(now)
      /usr/bin/time -o "$LOGS/$name.time" -f '%U %S' \
        "$DANGAN" --root "$ARC" verify --all --quiet "${jobs[@]}" >"$LOGS/$name.out" 2>"$LOGS/$name.err" \
        || { cat "$LOGS/$name.out" "$LOGS/$name.err" >&2; die "dangan verify ${jobs[*]} failed"; }
      t1=$(now)
      grep -q "^verified $NPKG package(s), .*: 0 damaged" "$LOGS/$name.err" \
        || { cat "$LOGS/$name.err" >&2; die "dangan verify did not report $NPKG intact packages"; }
      ;;
    openssl)
      t0=$(now)
      # shellcheck disable=SC2016  # $1 is expanded by the inner sh
      /usr/bin/time -o "$LOGS/$name.time" -f '%U %S' sh -c \
        'find "$1" -type f -name "*.tar" -print0 | xargs -0 openssl dgst -sha256 >/dev/null' \
        sh "$ARC/packages" || die "openssl dgst failed"
      t1=$(now)
      ;;
  esac
  cpu=$(tail -1 "$LOGS/$name.time")
  awk -v a="$t0" -v b="$t1" -v c="$cpu" 'BEGIN{split(c, u, " "); printf "%.4f %.2f\n", b - a, u[1] + u[2]}'
}
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END{
  if (NR % 2) printf "%.4f", v[(NR + 1) / 2]; else printf "%.4f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Sanity: openssl and the catalogue agree on one package's digest (same bytes, same algorithm).
ONE_SHA=$(openssl dgst -sha256 -r "${PACKAGES[0]}" | cut -d' ' -f1)
python3 - "$ARC/catalogue.db" "$ONE_SHA" <<'EOF' || die "openssl's digest of a package is not in the catalogue"
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'"):
    cols = [c[1] for c in db.execute("PRAGMA table_info(%s)" % table)]
    for c in cols:
        if "sha256" in c and db.execute("SELECT 1 FROM %s WHERE %s = ?" % (table, c),
                                        (sys.argv[2],)).fetchone():
            sys.exit(0)
sys.exit(1)
EOF

echo "warm-up: one pass of each tool ..." >&2
TOOLS=(dangan dangan1 openssl)
for t in "${TOOLS[@]}"; do run_tool "$t" >/dev/null; done
CACHED=""
if command -v fincore >/dev/null; then
  CACHED=$(fincore -b -n -o RES "${PACKAGES[@]}" 2>/dev/null | awk '{s += $1} END{printf "%.0f", s}') || CACHED=""
fi
MEMAVAIL=$(awk '/^MemAvailable:/ {printf "%.0f", $2 * 1024}' /proc/meminfo)

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A WALL=([dangan]="" [dangan1]="" [openssl]="") CPU=([dangan]="" [dangan1]="" [openssl]="")
for ((r = 0; r < RUNS; r++)); do
  line="run $((r + 1))/$RUNS:"
  for ((i = 0; i < ${#TOOLS[@]}; i++)); do   # rotate the order so each tool leads in turn
    t=${TOOLS[$(((i + r) % ${#TOOLS[@]}))]}
    out=$(run_tool "$t")
    read -r w c <<<"$out"
    WALL[$t]+="$w "
    CPU[$t]+="$c "
    line+=" $t=${w}s(cpu ${c}s)"
  done
  echo "$line" >&2
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report -------------------------------------------------------------------------------------
declare -A MED MEDCPU
for t in "${TOOLS[@]}"; do
  read -ra w <<<"${WALL[$t]}"; MED[$t]=$(median "${w[@]}")
  read -ra c <<<"${CPU[$t]}"; MEDCPU[$t]=$(median "${c[@]}")
done
MED_D=${MED[dangan]}; MED_1=${MED[dangan1]}; MED_O=${MED[openssl]}
mbs() { awk -v b="$BYTES" -v s="$1" 'BEGIN{printf "%.1f", b / 1e6 / s}'; }
ratio() { awk -v o="$MED_O" -v s="$1" 'BEGIN{printf "%.3f", o / s}'; }
verdict() { awk -v r="$1" -v t="$TARGET" 'BEGIN{print (r >= t ? "PASS" : "MISS")}'; }
R_D=$(ratio "$MED_D"); R_1=$(ratio "$MED_1")
DEFAULT_JOBS=$(nproc)

echo
echo "Fixity: dangan verify --all vs openssl dgst -sha256 ($(openssl version | cut -d' ' -f1-2))"
echo "packages: $NPKG   bytes: $BYTES ($(awk -v b="$BYTES" 'BEGIN{printf "%.1f", b / 1e6}') MB)   runs: $RUNS   cores: $DEFAULT_JOBS"
if [ -n "$CACHED" ]; then
  echo "page cache: warm (one warm-up pass of each tool first; $(awk -v c="$CACHED" -v b="$BYTES" 'BEGIN{printf "%.0f", 100 * c / b}')% of package bytes resident after it, caches not dropped)"
else
  echo "page cache: warm (one warm-up pass of each tool first; caches not dropped)"
fi
awk -v m="$MEMAVAIL" -v b="$BYTES" 'BEGIN{if (b > 0.8 * m) printf "warning: packages (%.0f MB) near or above available memory (%.0f MB): some reads hit the disk\n", b / 1e6, m / 1e6}'
echo
echo "load average (1/5/15 min): $LOAD_BEFORE before the timed runs, $LOAD_AFTER after"
echo
printf '%-40s %10s %10s %18s %12s\n' "tool" "median s" "MB/s" "ratio vs openssl" "median cpu s"
printf '%-40s %10s %10s %18s %12s\n' "openssl dgst -sha256 (1 thread)" "$MED_O" "$(mbs "$MED_O")" "1.000" "${MEDCPU[openssl]}"
printf '%-40s %10s %10s %18s %12s\n' "dangan verify --all (jobs=$DEFAULT_JOBS, default)" "$MED_D" "$(mbs "$MED_D")" "$R_D" "${MEDCPU[dangan]}"
printf '%-40s %10s %10s %18s %12s\n' "dangan verify --all --jobs 1" "$MED_1" "$(mbs "$MED_1")" "$R_1" "${MEDCPU[dangan1]}"
echo
echo "target: ours >= ${TARGET}x openssl's throughput"
echo "  jobs=default: $(verdict "$R_D") (${R_D}x)"
echo "  jobs=1:       $(verdict "$R_1") (${R_1}x, like-for-like single thread)"
echo "(dangan's times include opening the catalogue and recording each package's fixity result and"
echo " an audit event; openssl only hashes. Ratio = openssl median s / dangan median s, on wall"
echo " time; cpu s = user + sys, which a busy machine disturbs less than wall time.)"
