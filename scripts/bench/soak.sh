#!/usr/bin/env bash
# Load and soak (issue 7): `dangan serve` under a mixed workload (intake of new cases, search,
# lookup by 档号, downloads of files with a Range and of whole packages) over loopback. First
# closed-loop for --peak-seconds to measure the peak, then open-loop at --fraction of it for
# --seconds, printing throughput, p50/p99 (per kind too) and the server's resident memory each
# --interval, then PASS/MISS for: no errors, every interval at >= 95% of the offered rate, p99 of
# the last third <= 1.5x the first third, resident memory <= +10% from the second interval to the
# end. Afterwards the archive is checked: every package verifies, the audit chain verifies, and
# the catalogue holds exactly the seeded cases plus every acknowledged filing.
# Exits non-zero on errors (failed requests or checks); a MISS alone does not fail it.
#
# usage: scripts/bench/soak.sh [--build DIR] [--work DIR] [--keep] [--seconds S] [--interval S]
#          [--peak-seconds S] [--fraction F | --rate R] [--connections N] [--records N] [--threads N]
#          [--mix intake=2,search=38,lookup=40,download=20]
#   the long form is the default (600 s at 0.8 of peak, 60 s intervals, Release build in
#   build-bench); CI runs a short form:
#   scripts/bench/soak.sh --build build --seconds 30 --interval 10 --peak-seconds 10 --records 200
set -euo pipefail
export LC_ALL=C.UTF-8

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD="$ROOT/build-bench"
WORK=""
KEEP=0
SECONDS_=600
INTERVAL=60
PEAK=30
FRACTION=0.8
RATE=0              # requests/s; when set, no peak phase
CONNECTIONS=16
RECORDS=1000
THREADS=128
MIX="intake=2,search=38,lookup=40,download=20"

usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "soak.sh: $*" >&2; exit 2; }
num() { [[ "$2" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "$1 needs a number, got '$2'"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --keep) KEEP=1; shift; continue ;;
    -h|--help) usage; exit 0 ;;
    --build|--work|--seconds|--interval|--peak-seconds|--fraction|--connections|--records|\
    --threads|--mix|--rate) ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
  [ $# -ge 2 ] || die "$1 needs a value (try --help)"
  case "$1" in
    --build) BUILD=$2 ;;
    --work) WORK=$2 ;;
    --seconds) num "$1" "$2"; SECONDS_=$2 ;;
    --interval) num "$1" "$2"; INTERVAL=$2 ;;
    --peak-seconds) num "$1" "$2"; PEAK=$2 ;;
    --fraction) num "$1" "$2"; FRACTION=$2 ;;
    --rate) num "$1" "$2"; RATE=$2 ;;
    --connections) num "$1" "$2"; CONNECTIONS=$2 ;;
    --records) num "$1" "$2"; RECORDS=$2 ;;
    --threads) num "$1" "$2"; THREADS=$2 ;;
    --mix) MIX=$2 ;;
  esac
  shift 2
done
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
[ "$RECORDS" -ge 10 ] || die "--records must be at least 10"
command -v python3 >/dev/null || die "python3 is missing (bash scripts/setup.sh)"

CREATED=0
if [ -z "$WORK" ]; then
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/dangan-soak.XXXXXX")
  CREATED=1
elif [ ! -e "$WORK" ]; then
  mkdir -p "$WORK"; CREATED=1
elif [ -n "$(ls -A "$WORK")" ]; then
  die "--work $WORK is not empty"
fi
WORK=$(cd "$WORK" && pwd)
SERVE_PID=""
cleanup() {
  if [ -n "$SERVE_PID" ]; then kill -TERM "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  if [ "$KEEP" = 0 ] && [ "$CREATED" = 1 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build -------------------------------------------------------------------------------------
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  echo "configuring $BUILD ..." >&2
  gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
  cmake -S "$ROOT" -B "$BUILD" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release >&2
fi
cmake --build "$BUILD" --target dangan soak_load -j "$(nproc)" >&2
DANGAN="$BUILD/dangan"
LOAD="$BUILD/scripts/bench/soak_load"
[ -x "$DANGAN" ] && [ -x "$LOAD" ] || die "no dangan or soak_load in $BUILD"

load() { cut -d' ' -f1-3 /proc/loadavg; }
A="$WORK/archive"
echo "# soak $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -sr), $(nproc) cores, load average $(load)"
echo "# $(grep -m1 CMAKE_BUILD_TYPE: "$BUILD/CMakeCache.txt" | cut -d= -f2) build $BUILD, work dir $WORK$([ "$KEEP" = 1 ] && echo ' (kept)')"

# --- seed: RECORDS cases with a 64 KiB scan each; a pool of 100 cases to file during the run ----
"$DANGAN" --root "$A" init --fonds J012 >/dev/null
python3 "$ROOT/scripts/make_cases.py" --out "$WORK/seed" --count "$RECORDS" --seed 7 \
  --file-bytes 65536 >"$WORK/seed.txt"
python3 "$ROOT/scripts/make_cases.py" --out "$WORK/pool" --count 100 --seed 8 \
  --file-bytes 32768 >"$WORK/pool.txt"
t0=$EPOCHREALTIME
# In runs of 2,000 cases: a large --records would pass the kernel's limit on one command line.
xargs -d '\n' -n 2000 "$DANGAN" --root "$A" --actor soak ingest <"$WORK/seed.txt" >"$WORK/refs.txt" ||
  die "seeding failed"
SEEDED=$(wc -l <"$WORK/refs.txt")
[ "$SEEDED" = "$RECORDS" ] || die "ingest filed $SEEDED of $RECORDS cases"
echo "seeded $SEEDED records in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"
# Queries from what was filed: surnames (1 character), given names and business words (2),
# title words (4) and 公民身份号码.
python3 - "$WORK/seed.txt" >"$WORK/queries.txt" <<'EOF'
import json, random, sys
rng = random.Random(5)
qs = set()
for path in open(sys.argv[1], encoding="utf-8").read().split():
    case = json.load(open(path, encoding="utf-8"))
    name, title = case["person"]["name"], case["title"].split()[1]
    qs.update([name[0], name[-2:] if len(name) > 2 else name, title[:2], title[-4:],
               case["person"]["id_number"]])
qs = sorted(qs)
rng.shuffle(qs)
print("\n".join(qs[:2000]))
EOF
echo "queries: $(wc -l <"$WORK/queries.txt") (1-, 2- and 4-character words and ID numbers)"
IKEY=$("$DANGAN" --root "$A" --actor soak apikey create --source sbxt --role intake | tail -1)
RKEY=$("$DANGAN" --root "$A" --actor soak apikey create --source soak --role reader | tail -1)

# --- serve and load ------------------------------------------------------------------------------
# No rate limits: the load program is one address hammering on purpose. The background fixity
# audit runs at its default rate, as in service.
"$DANGAN" --root "$A" --actor soak serve --bind 127.0.0.1 --port 0 --threads "$THREADS" \
  --rate-limit 0 --key-rate-limit 0 >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
PORT=""
for _ in $(seq 100); do
  PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$WORK/serve.log")
  [ -n "$PORT" ] && break
  kill -0 "$SERVE_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; die "dangan serve exited"; }
  sleep 0.1
done
[ -n "$PORT" ] || die "dangan serve did not start (see $WORK/serve.log)"
echo "dangan serve --threads $THREADS on :$PORT (pid $SERVE_PID); load: $CONNECTIONS connections, mix $MIX"
echo

STATUS=0
"$LOAD" --port "$PORT" --intake-key "$IKEY" --reader-key "$RKEY" --cases "$WORK/pool.txt" \
  --refs "$WORK/refs.txt" --queries "$WORK/queries.txt" --mix "$MIX" \
  --connections "$CONNECTIONS" --peak-seconds "$PEAK" --fraction "$FRACTION" --rate "$RATE" \
  --seconds "$SECONDS_" --interval "$INTERVAL" --pid "$SERVE_PID" --run-id "soak$$" |
  tee "$WORK/load.txt" || STATUS=1

kill -TERM "$SERVE_PID" 2>/dev/null || true
wait "$SERVE_PID" 2>/dev/null || true
SERVE_PID=""

# --- afterwards: nothing lost, nothing damaged ------------------------------------------------------
echo
FILED=$(awk '/cases filed/ { for (i = 1; i < NF; i++) if ($i == "filed") s += $(i + 1) } END { print s + 0 }' "$WORK/load.txt")
RECS=$(sqlite3 -readonly "$A/catalogue.db" "SELECT count(*) FROM records" 2>/dev/null ||
  "$DANGAN" --root "$A" search --count 2>/dev/null || echo "?")
if [ "$RECS" = "$((SEEDED + FILED))" ]; then
  echo "catalogue: $RECS records = $SEEDED seeded + $FILED acknowledged filings"
else
  echo "catalogue: $RECS records, expected $SEEDED seeded + $FILED acknowledged = $((SEEDED + FILED))"
  STATUS=1
fi
if "$DANGAN" --root "$A" verify --all >"$WORK/verify.txt" 2>&1; then
  echo "verify --all: every package intact ($(tail -1 "$WORK/verify.txt"))"
else
  tail -5 "$WORK/verify.txt"; echo "verify --all FAILED"; STATUS=1
fi
if "$DANGAN" --root "$A" audit verify >"$WORK/audit.txt" 2>&1; then
  echo "audit verify: $(tail -1 "$WORK/audit.txt")"
else
  tail -5 "$WORK/audit.txt"; echo "audit verify FAILED"; STATUS=1
fi
exit "$STATUS"
