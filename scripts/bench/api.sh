#!/usr/bin/env bash
# HTTP API benchmark (`dangan serve`), side by side with a baseline in one run, loopback only:
#   lookup  GET /api/v1/records/{档号} against nginx serving the same JSON files (wrk); ≥ 0.5×
#   intake  POST /api/v1/cases of 1 MiB three-file cases against sha256sum + cp + sync; ≥ 0.5×,
#           then 8 concurrent clients: throughput, p50/p99
#   search  GET /api/v1/records?q= over a seeded catalogue (default 1,000,000 records), 50
#           concurrent clients, mixed 1/2/4-character and ID-number queries; p99 ≤ 30 ms, as
#           served (answer cache on) and with every query computed (--search-cache 0)
# Prints medians, ratios and PASS/MISS. Exits non-zero only on errors.
#
# usage: scripts/bench/api.sh [--only lookup,intake,search] [--build DIR] [--work DIR] [--keep]
#          [--threads N] [--rounds N] [--duration S] [--lookup-cases N]
#          [--cases N] [--concurrent-cases N] [--clients N]
#          [--records N] [--catalogue FILE] [--search-clients N] [--search-duration S]
#          [--category-duration S]
set -euo pipefail
export LC_ALL=C.UTF-8

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HELPER="$ROOT/scripts/bench/api/apibench.py"
BUILD="$ROOT/build-bench"
WORK=""
KEEP=0
ONLY="lookup,intake,search"
THREADS=128         # dangan serve --threads (its default)
ROUNDS=3
DURATION=10         # seconds per wrk run in the lookup test
LOOKUP_CASES=200
CASES=60            # cases per intake round (sequential)
CONC_CASES=160      # cases in the concurrent intake batch
CLIENTS=8
RECORDS=1000000
CATALOGUE=""
SEARCH_CLIENTS=50
SEARCH_DURATION=20
CATEGORY_DURATION=5

usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "api.sh: $*" >&2; exit 2; }
num() { [[ "$2" =~ ^[0-9]+$ ]] || die "$1 needs a whole number, got '$2'"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --keep) KEEP=1; shift; continue ;;
    -h|--help) usage; exit 0 ;;
    --only|--build|--work|--catalogue|--threads|--rounds|--duration|--lookup-cases|--cases|\
    --concurrent-cases|--clients|--records|--search-clients|--search-duration|--category-duration) ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
  [ $# -ge 2 ] || die "$1 needs a value (try --help)"
  case "$1" in
    --only) ONLY=$2 ;;
    --build) BUILD=$2 ;;
    --work) WORK=$2 ;;
    --catalogue) CATALOGUE=$2 ;;
    --threads) num "$1" "$2"; THREADS=$2 ;;
    --rounds) num "$1" "$2"; ROUNDS=$2 ;;
    --duration) num "$1" "$2"; DURATION=$2 ;;
    --lookup-cases) num "$1" "$2"; LOOKUP_CASES=$2 ;;
    --cases) num "$1" "$2"; CASES=$2 ;;
    --concurrent-cases) num "$1" "$2"; CONC_CASES=$2 ;;
    --clients) num "$1" "$2"; CLIENTS=$2 ;;
    --records) num "$1" "$2"; RECORDS=$2 ;;
    --search-clients) num "$1" "$2"; SEARCH_CLIENTS=$2 ;;
    --search-duration) num "$1" "$2"; SEARCH_DURATION=$2 ;;
    --category-duration) num "$1" "$2"; CATEGORY_DURATION=$2 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
  shift 2
done
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
for part in ${ONLY//,/ }; do
  case "$part" in lookup|intake|search) ;; *) die "--only takes lookup, intake and search" ;; esac
done
want() { [[ ",$ONLY," == *",$1,"* ]]; }
[ "$ROUNDS" -ge 1 ] && [ "$DURATION" -ge 1 ] && [ "$CASES" -ge 1 ] && [ "$CLIENTS" -ge 1 ] &&
  [ "$LOOKUP_CASES" -ge 1 ] && [ "$CONC_CASES" -ge 1 ] && [ "$SEARCH_CLIENTS" -ge 1 ] &&
  [ "$SEARCH_DURATION" -ge 1 ] || die "counts and durations must be at least 1 (--category-duration may be 0)"
[ "$RECORDS" -ge 1000 ] || die "--records must be at least 1000"
[ -z "$CATALOGUE" ] || [ -f "$CATALOGUE" ] || die "--catalogue $CATALOGUE is not a file"
for tool in wrk curl python3 sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is missing (bash scripts/setup.sh --bench)"
done
if want lookup; then
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || die "nginx is missing (bash scripts/setup.sh --bench)"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- work dir and cleanup (only the processes started here, by pid) ----------------------------
CREATED=0
if [ -z "$WORK" ]; then
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/dangan-api.XXXXXX")
  CREATED=1
elif [ ! -e "$WORK" ]; then
  mkdir -p "$WORK"; CREATED=1
elif [ -n "$(ls -A "$WORK")" ]; then
  die "--work $WORK is not empty"
fi
WORK=$(cd "$WORK" && pwd)
PIDS=()
cleanup() {
  local p
  for p in ${PIDS[@]+"${PIDS[@]}"}; do kill -TERM "$p" 2>/dev/null || true; done
  for p in ${PIDS[@]+"${PIDS[@]}"}; do wait "$p" 2>/dev/null || true; done
  if [ "$KEEP" = 0 ] && [ "$CREATED" = 1 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build (Release, Ninja) --------------------------------------------------------------------
if [ ! -f "$BUILD/build.ninja" ]; then
  echo "configuring $BUILD ..." >&2
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
fi
ninja -C "$BUILD" dangan >&2
DANGAN="$BUILD/dangan"
[ -x "$DANGAN" ] || die "no executable at $DANGAN"

load() { cut -d' ' -f1-3 /proc/loadavg; }
field() { # field NAME LINE: the value after NAME in a "name value name value" line
  awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' <<<"$2"
}
median() { python3 "$HELPER" median "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
verdict() { # verdict OK? TEXT
  if [ "$1" = 1 ]; then echo "PASS $2"; else echo "MISS $2"; fi
}
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_serve ROOT THREADS LOG: starts `dangan serve` on a free loopback port; sets PORT, SERVE_PID
start_serve() { # ROOT THREADS LOG [EXTRA SERVE OPTIONS...]
  # No rate limits: the load generators are one address hammering on purpose.
  "$DANGAN" --root "$1" --actor bench serve --bind 127.0.0.1 --port 0 --threads "$2" \
    --rate-limit 0 --key-rate-limit 0 "${@:4}" >"$3" 2>&1 &
  SERVE_PID=$!
  PIDS+=("$SERVE_PID")
  local i
  for i in $(seq 100); do
    PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$3")
    [ -n "$PORT" ] && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || { cat "$3" >&2; die "dangan serve exited"; }
    sleep 0.1
  done
  die "dangan serve did not start (see $3)"
}
stop_serve() {
  kill -TERM "$SERVE_PID" 2>/dev/null || true
  wait "$SERVE_PID" 2>/dev/null || true
  local keep=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$SERVE_PID" ] || keep+=("$p"); done
  PIDS=(${keep[@]+"${keep[@]}"})
}

# settle: waits (at most 300 s) until the server has used no CPU for half a second, so requests
# wrk abandoned at the end of a run (the server still answers them) do not run into the next one
settle() {
  local i a b start=$EPOCHREALTIME
  for i in $(seq 600); do
    a=$(awk '{ print $14 + $15 }' "/proc/$SERVE_PID/stat" 2>/dev/null || echo 0)
    sleep 0.5
    b=$(awk '{ print $14 + $15 }' "/proc/$SERVE_PID/stat" 2>/dev/null || echo 0)
    if [ "$a" = "$b" ]; then
      [ "$i" -le 2 ] || echo "  (waited $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s for the server to finish abandoned requests)"
      return 0
    fi
  done
  echo "  (the server was still busy after 300 s; going on)"
  return 0
}

# run_wrk CONNECTIONS SECONDS LUA URL [TIMEOUT_S]: prints wrk's RESULT line (see apibench.py)
run_wrk() {
  local out
  out=$(wrk -t2 -c"$1" -d"$2"s --timeout "${5:-10}"s -s "$3" "$4" 2>&1) || { echo "$out" >&2; die "wrk failed"; }
  local line
  line=$(grep '^RESULT ' <<<"$out") || { echo "$out" >&2; die "wrk printed no RESULT line"; }
  echo "${line#RESULT }"
}

echo "# API benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -sr), $(nproc) cores, load average $(load)"
echo "# $("$NGINX" -v 2>&1 | head -1), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), dangan serve --threads $THREADS, work dir $WORK$([ "$KEEP" = 1 ] && echo ' (kept)')"
SUMMARY=()

# =================================================================================================
# 1. lookup by 档号
# =================================================================================================
if want lookup; then
  echo
  echo "## lookup: GET /api/v1/records/{档号} vs nginx static JSON (wrk -t2 -c32 -d${DURATION}s, $ROUNDS rounds)"
  L="$WORK/lookup"
  mkdir -p "$L/www/r" "$L/nginx"
  "$DANGAN" --root "$L/archive" init --fonds J012 >/dev/null
  python3 "$ROOT/scripts/make_cases.py" --out "$L/cases" --count "$LOOKUP_CASES" --seed 11 >"$L/cases.txt"
  mapfile -t CASE_FILES <"$L/cases.txt"
  t0=$EPOCHREALTIME
  "$DANGAN" --root "$L/archive" --actor bench ingest "${CASE_FILES[@]}" >"$L/refs.txt"
  mapfile -t REFS <"$L/refs.txt"
  echo "ingest: ${#REFS[@]} cases in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s (dangan ingest, one process)"
  [ "${#REFS[@]}" = "$LOOKUP_CASES" ] || die "ingest printed ${#REFS[@]} references for $LOOKUP_CASES cases"
  KEY=$("$DANGAN" --root "$L/archive" --actor bench apikey create --source bench --role reader | tail -1)
  start_serve "$L/archive" "$THREADS" "$L/serve.log"
  python3 "$HELPER" lookup-lua --prefix /api/v1/records/ --key "$KEY" --out "$L/ours.lua" "${REFS[@]}"
  python3 "$HELPER" lookup-lua --prefix /r/ --index --out "$L/nginx.lua" "${REFS[@]}"
  # The same JSON, fetched once from our server, is what nginx serves.
  mapfile -t ENCODED < <(python3 -c 'import sys, urllib.parse
for r in sys.argv[1:]: print(urllib.parse.quote(r, safe=""))' "${REFS[@]}")
  for i in "${!ENCODED[@]}"; do
    curl -sf -H "Authorization: Bearer $KEY" -o "$L/www/r/$i.json" "http://127.0.0.1:$PORT/api/v1/records/${ENCODED[$i]}" ||
      die "GET /api/v1/records/${ENCODED[$i]} failed"
  done
  FIRST_ENC=${ENCODED[0]}
  BYTES_BEFORE=$(stat -c %s "$L/www/r/0.json")
  chmod -R a+rX "$L/www"
  NPORT=$(free_port)
  cat >"$L/nginx/nginx.conf" <<EOF
$([ "$(id -u)" = 0 ] && echo "user root;")
worker_processes auto;
daemon off;
pid $L/nginx/nginx.pid;
error_log $L/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  default_type application/json;
  client_body_temp_path $L/nginx/body;
  proxy_temp_path $L/nginx/proxy;
  fastcgi_temp_path $L/nginx/fastcgi;
  uwsgi_temp_path $L/nginx/uwsgi;
  scgi_temp_path $L/nginx/scgi;
  server {
    listen 127.0.0.1:$NPORT;
    root $L/www;
  }
}
EOF
  "$NGINX" -p "$L/nginx" -c "$L/nginx/nginx.conf" -e "$L/nginx/error.log" 2>>"$L/nginx/error.log" &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  for i in $(seq 50); do
    curl -sf -o /dev/null "http://127.0.0.1:$NPORT/r/0.json" && break
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$L/nginx/error.log" >&2; die "nginx exited"; }
    sleep 0.1
  done
  cmp -s <(curl -sf "http://127.0.0.1:$NPORT/r/0.json") "$L/www/r/0.json" || die "nginx does not serve the fetched JSON"
  echo "records: ${#REFS[@]} (rotated by both sides), e.g. ${REFS[0]}; JSON ${BYTES_BEFORE} bytes; ours :$PORT, nginx :$NPORT"
  OURS_RPS=(); NGX_RPS=(); OURS_P99=(); NGX_P99=()
  for r in $(seq "$ROUNDS"); do
    order="ours nginx"; [ $((r % 2)) = 0 ] && order="nginx ours"
    for side in $order; do
      if [ "$side" = ours ]; then
        settle
        res=$(run_wrk 32 "$DURATION" "$L/ours.lua" "http://127.0.0.1:$PORT")
        OURS_RPS+=("$(field rps "$res")"); OURS_P99+=("$(field p99_ms "$res")")
      else
        res=$(run_wrk 32 "$DURATION" "$L/nginx.lua" "http://127.0.0.1:$NPORT")
        NGX_RPS+=("$(field rps "$res")"); NGX_P99+=("$(field p99_ms "$res")")
      fi
      printf 'round %d %-6s %s (load %s)\n' "$r" "$side" "$res" "$(load)"
      [ "$(field non2xx "$res")" = 0 ] && [ "$(field sockerr "$res")" = 0 ] ||
        echo "  WARNING: $side had non-2xx responses or socket errors"
    done
  done
  kill -TERM "$NGINX_PID" 2>/dev/null || true
  wait "$NGINX_PID" 2>/dev/null || true
  PIDS=("$SERVE_PID")
  BYTES_AFTER=$(curl -sf -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/api/v1/records/$FIRST_ENC" | wc -c)
  stop_serve
  VIEWS=$(sqlite3 -readonly "$L/archive/catalogue.db" "SELECT count(*) FROM events WHERE action='view'" 2>/dev/null || echo "?")
  m_ours=$(median "${OURS_RPS[@]}"); m_ngx=$(median "${NGX_RPS[@]}")
  lr=$(ratio "$m_ours" "$m_ngx")
  echo "median req/s: dangan $m_ours, nginx $m_ngx; ratio dangan/nginx ${lr}x"
  echo "median p99 ms: dangan $(median "${OURS_P99[@]}"), nginx $(median "${NGX_P99[@]}")"
  echo "each GET appends a 'view' audit event: $VIEWS view events now; ${REFS[0]}'s JSON grew from $BYTES_BEFORE to $BYTES_AFTER bytes"
  SUMMARY+=("$(verdict "$(awk -v x="$lr" 'BEGIN { print (x >= 0.5) }')" "lookup: ${lr}x nginx's requests/s (target >= 0.5x)")")
fi

# =================================================================================================
# 2. intake
# =================================================================================================
if want intake; then
  echo
  echo "## intake: POST /api/v1/cases (1 MiB, three files) vs sha256sum + cp + sync, $CASES cases x $ROUNDS rounds, sequential"
  I="$WORK/intake"
  mkdir -p "$I"
  t0=$EPOCHREALTIME
  for r in $(seq "$ROUNDS"); do
    python3 "$HELPER" cases --out "$I/cases-$r" --count "$CASES" --seed $((100 + r))
  done
  python3 "$HELPER" cases --out "$I/cases-conc" --count "$CONC_CASES" --seed 200
  echo "generated $((CASES * ROUNDS + CONC_CASES)) cases in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s; e.g. $(du -b "$I/cases-1/case-00001"/* | awk '{ printf "%s %d B; ", $2, $1 }' | sed "s|$I/cases-1/case-00001/||g")"
  "$DANGAN" --root "$I/archive" init --fonds J012 >/dev/null
  IKEY=$("$DANGAN" --root "$I/archive" --actor bench apikey create --source sbxt --role intake | tail -1)
  start_serve "$I/archive" "$THREADS" "$I/serve.log"

  baseline_batch() { # baseline_batch CASES_DIR DEST: prints cases/s
    local dir=$1 dest=$2 n=0 c start
    mkdir -p "$dest"
    start=$EPOCHREALTIME
    for c in "$dir"/case-*/; do
      c=${c%/}
      sha256sum "$c/申请表.txt" "$c/扫描件.tif" "$c/附件.pdf" >/dev/null
      mkdir "$dest/${c##*/}"
      cp "$c/申请表.txt" "$c/扫描件.tif" "$c/附件.pdf" "$dest/${c##*/}/"
      sync
      n=$((n + 1))
    done
    awk -v n="$n" -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", n / (b - a) }'
  }

  OURS_RATE=(); BASE_RATE=(); OURS_P99=()
  for r in $(seq "$ROUNDS"); do
    order="ours baseline"; [ $((r % 2)) = 0 ] && order="baseline ours"
    for side in $order; do
      sync  # nobody pays for the other side's (or the generator's) dirty pages
      if [ "$side" = ours ]; then
        res=$(python3 "$HELPER" post --url "http://127.0.0.1:$PORT" --key "$IKEY" --clients 1 "$I/cases-$r"/case-*) ||
          die "intake failed (see above)"
        OURS_RATE+=("$(field rate "$res")"); OURS_P99+=("$(field p99_ms "$res")")
        printf 'round %d ours     %s (load %s)\n' "$r" "$res" "$(load)"
      else
        rate=$(baseline_batch "$I/cases-$r" "$I/baseline-$r")
        BASE_RATE+=("$rate")
        printf 'round %d baseline cases %d rate %s (load %s)\n' "$r" "$CASES" "$rate" "$(load)"
      fi
    done
  done
  m_ours=$(median "${OURS_RATE[@]}"); m_base=$(median "${BASE_RATE[@]}")
  ir=$(ratio "$m_ours" "$m_base")
  echo "median cases/s: dangan $m_ours, sha256sum+cp+sync $m_base; ratio dangan/baseline ${ir}x"
  echo "median sequential p99 ms: dangan $(median "${OURS_P99[@]}")"
  SUMMARY+=("$(verdict "$(awk -v x="$ir" 'BEGIN { print (x >= 0.5) }')" "intake: ${ir}x the sha256sum+cp+sync rate (target >= 0.5x)")")

  echo
  echo "## intake, $CLIENTS concurrent clients, $CONC_CASES distinct cases"
  sync
  res=$(python3 "$HELPER" post --url "http://127.0.0.1:$PORT" --key "$IKEY" --clients "$CLIENTS" "$I/cases-conc"/case-*) ||
    die "concurrent intake failed (see above)"
  echo "concurrent $res (load $(load))"
  echo "($CONC_CASES samples: p99 is the $(( (CONC_CASES * 99 + 99) / 100 ))th of $CONC_CASES latencies)"
  SUMMARY+=("INFO intake with $CLIENTS clients: $(field rate "$res") cases/s, p50 $(field p50_ms "$res") ms, p99 $(field p99_ms "$res") ms")
  stop_serve
  FILED=$(sqlite3 -readonly "$I/archive/catalogue.db" "SELECT count(*) FROM records" 2>/dev/null || echo "?")
  echo "catalogue holds $FILED records (expected $((CASES * ROUNDS + CONC_CASES)))"
fi

# =================================================================================================
# 3. search
# =================================================================================================
if want search; then
  echo
  echo "## search: GET /api/v1/records?q=, $SEARCH_CLIENTS clients, ${SEARCH_DURATION}s x $ROUNDS rounds"
  S="$WORK/search"
  mkdir -p "$S"
  "$DANGAN" --root "$S/archive" init --fonds J012 >/dev/null
  rm -f "$S/archive/catalogue.db" "$S/archive/catalogue.db-wal" "$S/archive/catalogue.db-shm"
  if [ -n "$CATALOGUE" ]; then
    t0=$EPOCHREALTIME
    # A copy: serving and `apikey create` write to the catalogue, the original stays as it was.
    cp "$CATALOGUE" "$S/archive/catalogue.db"
    echo "catalogue: copied $CATALOGUE ($(du -h "$CATALOGUE" | cut -f1)) in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"
  else
    ninja -C "$BUILD" search_bench >&2 || die "cannot build search_bench (scripts/bench/search_bench.cpp)"
    echo "catalogue: seeding $RECORDS records with search_bench (about 15 min per million on 2 cores; log $S/seed.log)"
    t0=$EPOCHREALTIME
    "$BUILD/scripts/bench/search_bench" --records "$RECORDS" --work "$S/seed" --keep --queries 10 \
      --rounds 1 --warmup 0 --no-breakdown >"$S/seed.log" 2>&1 || { tail -20 "$S/seed.log" >&2; die "seeding failed"; }
    grep -E '^(seed|baseline):' "$S/seed.log" | sed 's/^/  /'
    mv "$S/seed/catalogue.db" "$S/archive/catalogue.db"
    rm -rf "$S/seed"
    echo "catalogue: seeded in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s (including search_bench's baseline table and a short query pass)"
  fi
  NREC=$(sqlite3 -readonly "$S/archive/catalogue.db" "SELECT count(*) FROM records")
  SKEY=$("$DANGAN" --root "$S/archive" --actor bench apikey create --source bench --role reader | tail -1)
  # Debian's interpreter: python3-zstandard (setup.sh --bench) is installed for it.
  /usr/bin/python3 "$HELPER" search-lua --db "$S/archive/catalogue.db" --out-dir "$S/lua" --key "$SKEY" --per-category 50 | sed 's/^/queries /'
  # The seeded catalogue has rows but no packages: a fixity audit would spend a core logging a
  # million missing packages while the queries are timed.
  start_serve "$S/archive" "$THREADS" "$S/serve.log" --audit-rate 0
  echo "records: $NREC; catalogue $(du -h "$S/archive/catalogue.db" | cut -f1); dangan serve --threads $THREADS on :$PORT"
  search_warn() { # wrk counts only answered requests: slow ones still open at the end are lost
    [ "$(field non2xx "$1")" = 0 ] && [ "$(field sockerr "$1")" = 0 ] ||
      echo "  WARNING: non-2xx responses or socket errors (timeouts after 60 s)"
    awk -v m="$(field max_ms "$1")" -v d="$(field duration_s "$1")" 'BEGIN { exit !(m * 5 > d * 1000) }' &&
      echo "  WARNING: the slowest answer took over a fifth of the run; requests still open when wrk stopped are not counted, so p99 is a lower bound"
    return 0
  }
  # Twice: as served (answers kept until a record is filed, so the 200 queries repeating here are
  # answered from memory after their first time), then with that cache off, so every query is
  # computed: the engine's own figure, and what a stream of never-repeated queries would see.
  for mode in cached uncached; do
    if [ "$mode" = uncached ]; then
      stop_serve
      start_serve "$S/archive" "$THREADS" "$S/serve.log" --audit-rate 0 --search-cache 0
      echo "-- answer cache off (dangan serve --search-cache 0): every query computed"
    else
      echo "-- as served (answer cache on: each distinct query computed once, then answered from memory)"
    fi
    res=$(run_wrk "$SEARCH_CLIENTS" 10 "$S/lua/mixed.lua" "http://127.0.0.1:$PORT" 60)
    echo "warm-up (untimed, 10 s) $res"
    P50=(); P99=(); RPS=()
    for r in $(seq "$ROUNDS"); do
      settle
      res=$(run_wrk "$SEARCH_CLIENTS" "$SEARCH_DURATION" "$S/lua/mixed.lua" "http://127.0.0.1:$PORT" 60)
      P50+=("$(field p50_ms "$res")"); P99+=("$(field p99_ms "$res")"); RPS+=("$(field rps "$res")")
      printf 'round %d mixed %s (load %s)\n' "$r" "$res" "$(load)"
      search_warn "$res"
    done
    if [ "$CATEGORY_DURATION" -gt 0 ]; then
      for cat in han1 han2 han4 id; do
        settle
        res=$(run_wrk "$SEARCH_CLIENTS" "$CATEGORY_DURATION" "$S/lua/$cat.lua" "http://127.0.0.1:$PORT" 60)
        printf 'category %-4s %s\n' "$cat" "$res"
        search_warn "$res"
      done
    fi
    m50=$(median "${P50[@]}"); m99=$(median "${P99[@]}"); mrps=$(median "${RPS[@]}")
    echo "median of rounds, mixed queries, $mode: $mrps req/s, p50 $m50 ms, p99 $m99 ms at $SEARCH_CLIENTS clients over $NREC records"
    SUMMARY+=("$(verdict "$(awk -v x="$m99" 'BEGIN { print (x <= 30) }')" "search, $mode: p99 $m99 ms, $mrps req/s at $SEARCH_CLIENTS clients over $NREC records (target <= 30 ms$([ "$NREC" -lt 1000000 ] && echo ", at 1,000,000 records"))")")
  done
  stop_serve
fi

echo
echo "## summary (load average $(load))"
printf '%s\n' "${SUMMARY[@]}"
