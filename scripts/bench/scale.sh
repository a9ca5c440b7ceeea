#!/usr/bin/env bash
# Scaling benchmark: the same work on the embedded single node (SQLite) and on one PostgreSQL
# server (scripts/pg.sh, loopback) with 1 and 2 `dangan worker` processes, side by side in one
# run, with ratios:
#   intake   closed cases (make_cases.py, one scan of --file-bytes each): `dangan ingest` on
#            SQLite against `dangan worker` ingest jobs on PostgreSQL
#   capture  the scans of tests/data/corpus: `dangan capture --workers 1` and `--workers 2` on
#            SQLite against capture jobs with 1 and 2 workers (one OCR engine each)
#   search   the PostgreSQL catalogue seeded with --records records (scripts/bench
#            pg_search_bench): p50/p99 of mixed 1/2/4-character and ID-number queries from
#            --clients concurrent clients, at most twice the cores searching at once as in
#            `dangan serve`, against the same queries on the SQLite catalogue
# Prints medians, ratios and the machine's load. Exits non-zero only on errors.
#
# usage: scripts/bench/scale.sh [--only intake,capture,search] [--build DIR] [--work DIR]
#          [--keep] [--cases N] [--file-bytes B] [--rounds N] [--records N] [--clients N]
#          [--queries N]
set -euo pipefail
export LC_ALL=C.UTF-8
export PGOPTIONS="-c client_min_messages=warning"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD="$ROOT/build"
WORK=""
KEEP=0
ONLY="intake,capture,search"
CASES=200
FILE_BYTES=200000
ROUNDS=3
RECORDS=100000
CLIENTS=50
QUERIES=4000

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "scale.sh: $*" >&2; exit 2; }
num() { [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -gt 0 ] || die "$1 needs a whole number above 0, got '$2'"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --keep) KEEP=1; shift; continue ;;
    -h|--help) usage; exit 0 ;;
    --only|--build|--work|--cases|--file-bytes|--rounds|--records|--clients|--queries) ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
  [ $# -ge 2 ] || die "$1 needs a value (try --help)"
  case "$1" in
    --only) ONLY=$2 ;;
    --build) BUILD=$2 ;;
    --work) WORK=$2 ;;
    --cases) num "$1" "$2"; CASES=$2 ;;
    --file-bytes) num "$1" "$2"; FILE_BYTES=$2 ;;
    --rounds) num "$1" "$2"; ROUNDS=$2 ;;
    --records) num "$1" "$2"; RECORDS=$2 ;;
    --clients) num "$1" "$2"; CLIENTS=$2 ;;
    --queries) num "$1" "$2"; QUERIES=$2 ;;
  esac
  shift 2
done
for part in ${ONLY//,/ }; do
  case "$part" in intake|capture|search) ;; *) die "--only: unknown part '$part'" ;; esac
done
wants() { [[ ",$ONLY," == *",$1,"* ]]; }

DANGAN="$BUILD/dangan"
[ -x "$DANGAN" ] || die "no $DANGAN (run scripts/build.sh, or --build DIR)"
if [ -z "$WORK" ]; then WORK=$(mktemp -d "${TMPDIR:-/tmp}/dangan-scale.XXXXXX"); fi
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
PG_STATE="$WORK/pg.state"
cleanup() {
  bash "$ROOT/scripts/pg.sh" stop "$PG_STATE" 2>/dev/null || true
  if [ "$KEEP" -eq 0 ]; then rm -rf "$WORK"; else echo "scale.sh: kept $WORK" >&2; fi
}
trap cleanup EXIT
# Buffers for a catalogue of a million records, as a server of this size would be set up (the
# default 128 MB makes every search copy pages from the OS cache).
export DANGAN_PG_OPTIONS=${DANGAN_PG_OPTIONS:-"-c shared_buffers=4GB"}
bash "$ROOT/scripts/pg.sh" start "$PG_STATE" 2>/dev/null
PG_URL=$(bash "$ROOT/scripts/pg.sh" url "$PG_STATE")
PG_BASE=${PG_URL%/*}

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", n / s; else print "nan" }'; }

# A fresh database on the benchmark's server; prints its URL.
fresh_db() {
  local name="scale_$(date +%s%N)"
  psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
  echo "$PG_BASE/$name"
}
fresh_archive() {
  rm -rf "$1"
  "$DANGAN" --root "$1" init --fonds J012 >/dev/null
}
# Runs N workers of the given kinds until the queue is empty; prints wall seconds.
run_workers() {
  local root=$1 url=$2 kinds=$3 n=$4 t0 t1 pids=()
  # This runs in a subshell ($(…)): whatever ends it takes the workers it started along.
  trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
  t0=$(now)
  for i in $(seq 1 "$n"); do
    "$DANGAN" --root "$root" worker run --catalogue "$url" --kinds "$kinds" --name "w$i" \
      --exit-when-idle >"$WORK/worker-$i.log" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || die "a worker failed: $(cat "$WORK"/worker-*.log | tail -5)"; done
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
check_done() {
  local url=$1 want=$2 got failed
  got=$(psql -At "$url" -c "SELECT count(*) FROM jobs WHERE state='done'")
  failed=$(psql -At "$url" -c "SELECT count(*) FROM jobs WHERE state<>'done'")
  [ "$got" = "$want" ] && [ "$failed" = 0 ] ||
    die "expected $want jobs done, got $got done and $failed not: $(psql -At "$url" -c "SELECT error FROM jobs WHERE error IS NOT NULL LIMIT 3")"
}

echo "scale.sh: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $("$DANGAN" --version),"\
  "PostgreSQL $(psql -At "$PG_URL" -c 'SHOW server_version'), load $(cut -d' ' -f1-3 /proc/loadavg)"

if wants intake; then
  echo
  echo "== intake: $CASES cases of one ${FILE_BYTES}-byte scan each, $ROUNDS rounds (medians)"
  /usr/bin/python3 "$ROOT/scripts/make_cases.py" --out "$WORK/cases" --count "$CASES" \
    --file-bytes "$FILE_BYTES" >/dev/null
  : >"$WORK/sqlite.s"; : >"$WORK/pg1.s"; : >"$WORK/pg2.s"
  for r in $(seq 1 "$ROUNDS"); do
    fresh_archive "$WORK/a"
    t0=$(now)
    "$DANGAN" --root "$WORK/a" ingest "$WORK"/cases/*/case.json >/dev/null 2>"$WORK/ingest.err" ||
      die "ingest failed: $(tail -3 "$WORK/ingest.err")"
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >>"$WORK/sqlite.s"
    for n in 1 2; do
      fresh_archive "$WORK/a"
      url=$(fresh_db)
      "$DANGAN" --root "$WORK/a" worker enqueue ingest "$WORK/cases" --catalogue "$url" >/dev/null
      s=$(run_workers "$WORK/a" "$url" ingest "$n")
      check_done "$url" "$CASES"
      echo "$s" >>"$WORK/pg$n.s"
    done
    echo "  round $r: sqlite $(tail -1 "$WORK/sqlite.s") s, pg 1 worker $(tail -1 "$WORK/pg1.s") s, pg 2 workers $(tail -1 "$WORK/pg2.s") s"
  done
  s0=$(median <"$WORK/sqlite.s"); s1=$(median <"$WORK/pg1.s"); s2=$(median <"$WORK/pg2.s")
  r0=$(rate "$CASES" "$s0"); r1=$(rate "$CASES" "$s1"); r2=$(rate "$CASES" "$s2")
  printf '  %-34s %8s cases/s\n' "SQLite single node (dangan ingest)" "$r0"
  printf '  %-34s %8s cases/s   %s× SQLite\n' "PostgreSQL, 1 worker" "$r1" "$(ratio "$r1" "$r0")"
  printf '  %-34s %8s cases/s   %s× SQLite, %s× 1 worker\n' "PostgreSQL, 2 workers" "$r2" \
    "$(ratio "$r2" "$r0")" "$(ratio "$r2" "$r1")"
fi

if wants capture; then
  echo
  scans=$(ls "$ROOT"/tests/data/corpus/*.jpg "$ROOT"/tests/data/corpus/*.tif | wc -l)
  echo "== capture: the $scans scans of tests/data/corpus, 1 round"
  mkdir -p "$WORK/scans"
  cp "$ROOT"/tests/data/corpus/*.jpg "$ROOT"/tests/data/corpus/*.tif "$WORK/scans/"
  declare -A cap
  for n in 1 2; do
    fresh_archive "$WORK/a"
    t0=$(now)
    OMP_THREAD_LIMIT=1 "$DANGAN" --root "$WORK/a" capture --quiet --workers "$n" "$WORK/scans" \
      >/dev/null 2>"$WORK/capture.err" || die "capture failed: $(tail -3 "$WORK/capture.err")"
    t1=$(now)
    cap[s$n]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    fresh_archive "$WORK/a"
    url=$(fresh_db)
    "$DANGAN" --root "$WORK/a" worker enqueue capture "$WORK/scans" --catalogue "$url" >/dev/null
    cap[p$n]=$(OMP_THREAD_LIMIT=1 run_workers "$WORK/a" "$url" capture "$n")
    check_done "$url" "$scans"
  done
  per_min() { awk -v n="$scans" -v s="$1" 'BEGIN { if (s > 0) printf "%.1f", n * 60 / s; else print "nan" }'; }
  for n in 1 2; do
    printf '  %d engine(s): SQLite dangan capture %6s docs/min (%s s)   PostgreSQL %d worker(s) %6s docs/min (%s s)   %s×\n' \
      "$n" "$(per_min "${cap[s$n]}")" "${cap[s$n]}" "$n" "$(per_min "${cap[p$n]}")" "${cap[p$n]}" \
      "$(ratio "${cap[s$n]}" "${cap[p$n]}")"
  done
  printf '  2 workers against 1: %s×\n' "$(ratio "${cap[p1]}" "${cap[p2]}")"
fi

if wants search; then
  echo
  BENCH="$BUILD/scripts/bench/pg_search_bench"
  cmake --build "$BUILD" --target pg_search_bench >/dev/null || die "cannot build pg_search_bench"
  url=$(fresh_db)
  echo "== search: $RECORDS records on PostgreSQL and on SQLite, $CLIENTS clients, $QUERIES queries"
  "$BENCH" --pg "$url" --sqlite "$WORK/search.db" --records "$RECORDS" --clients "$CLIENTS" \
    --queries "$QUERIES"
fi
