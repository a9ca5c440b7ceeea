#!/usr/bin/env bash
# The web workbench's targets measured in a real browser (Chromium + the Performance API), side by
# side with a baseline in one run, loopback only:
#   first page  #/search interactive (box enabled, first page of results painted) <= 1 s over a
#               1,000,000-record archive
#   typing      results of a typed query painted <= 300 ms after the last keystroke
#   bundle      the built front end (web/ui/dist) <= 1 MB gzipped
# The baseline is nginx serving the same dist/ and, for the same URLs, the JSON `dangan serve`
# answered (fetched once): the floor of the browser and the front end. Both are run as served
# (answer cache on) and with `--search-cache 0`. Prints medians, p90, ratios and PASS/MISS.
# Exits non-zero only on errors.
#
# usage: scripts/bench/web.sh [--build DIR] [--ui DIR] [--records N | --catalogue FILE]
#          [--work DIR] [--keep] [--rounds N] [--warmup N] [--cache on|off|both]
set -euo pipefail
export LC_ALL=C.UTF-8

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PROBE="$ROOT/scripts/bench/web_probe.mjs"
BUILD=""
UI="$ROOT/web/ui/dist"
WORK=""
KEEP=0
RECORDS=1000000
CATALOGUE=""
ROUNDS=15
WARMUP=1
CACHE=both
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
USER_NAME=wang
USER_PW='web-bench-wang-pw-1'
ADMIN_PW='web-bench-admin-pw-1'
FIRST_TARGET_MS=1000
TYPED_TARGET_MS=300
BUNDLE_TARGET=1000000   # bytes (1 MB)

usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "web.sh: $*" >&2; exit 2; }
num() { [[ "$2" =~ ^[0-9]+$ ]] || die "$1 needs a whole number, got '$2'"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --keep) KEEP=1; shift; continue ;;
    -h|--help) usage; exit 0 ;;
    --build|--ui|--records|--catalogue|--work|--rounds|--warmup|--cache) ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
  [ $# -ge 2 ] || die "$1 needs a value (try --help)"
  case "$1" in
    --build) BUILD=$2 ;;
    --ui) UI=$2 ;;
    --records) num "$1" "$2"; RECORDS=$2 ;;
    --catalogue) CATALOGUE=$2 ;;
    --work) WORK=$2 ;;
    --rounds) num "$1" "$2"; ROUNDS=$2 ;;
    --warmup) num "$1" "$2"; WARMUP=$2 ;;
    --cache) CACHE=$2 ;;
  esac
  shift 2
done
# The build: --build, else build-bench (Release) if it holds dangan, else build.
if [ -z "$BUILD" ]; then
  BUILD="$ROOT/build-bench"
  [ -x "$BUILD/dangan" ] || BUILD="$ROOT/build"
fi
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
case "$UI" in /*) ;; *) UI="$ROOT/$UI" ;; esac
DANGAN="$BUILD/dangan"
[ -x "$DANGAN" ] || die "no dangan program at $DANGAN (build it, or name a build with --build)"
[ -f "$UI/index.html" ] || die "the front end is not built: no $UI/index.html (npm ci && npm run build in web/ui)"
[ "$ROUNDS" -ge 1 ] || die "--rounds must be at least 1"
[ "$RECORDS" -ge 1000 ] || die "--records must be at least 1000"
[ -z "$CATALOGUE" ] || [ -f "$CATALOGUE" ] || die "--catalogue $CATALOGUE is not a file"
case "$CACHE" in on) MODES=cached ;; off) MODES=uncached ;; both) MODES="cached uncached" ;;
  *) die "--cache takes on, off or both" ;; esac
[ -d "$ROOT/web/ui/node_modules/playwright-core" ] || die "playwright-core is missing: run 'npm ci' in web/ui"
[ -x "$CHROMIUM" ] || die "no Chromium at $CHROMIUM (apt-get install chromium, or set CHROMIUM)"
for tool in node curl python3 gzip sqlite3; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "nginx is missing (bash scripts/setup.sh --bench)"

# --- work dir and cleanup (only the processes started here, by pid) ----------------------------
CREATED=0
if [ -z "$WORK" ]; then
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/dangan-web.XXXXXX")
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

# A copy of the program: a rebuild during a long run does not change what is measured.
mkdir -p "$WORK/bin"
cp "$DANGAN" "$WORK/bin/dangan"
DANGAN="$WORK/bin/dangan"
"$DANGAN" --help >/dev/null 2>&1 || die "$BUILD/dangan does not run (being rebuilt?)"

load() { cut -d' ' -f1-3 /proc/loadavg; }
secs_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }'; }
field() { # field NAME LINE: the value after NAME in a "name value name value" line
  awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' <<<"$2"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
le() { awk -v x="$1" -v t="$2" 'BEGIN { print (x != "-" && x + 0 <= t + 0) ? 1 : 0 }'; }
verdict() { if [ "$1" = 1 ]; then echo "PASS $2"; else echo "MISS $2"; fi; }
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
run_bg() { # run_bg CMD...: runs a long step in the background (so an interrupt stops it) and waits
  "$@" &
  local pid=$!
  PIDS+=("$pid")
  local rc=0
  wait "$pid" || rc=$?
  local keep=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
  PIDS=(${keep[@]+"${keep[@]}"})
  return "$rc"
}

echo "# web benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -sr), $(nproc) cores, load average $(load)"
echo "# $("$CHROMIUM" --version 2>/dev/null | head -1), node $(node --version), playwright-core $(node -p "require('$ROOT/web/ui/node_modules/playwright-core/package.json').version"), $("$NGINX" -v 2>&1 | head -1)"
echo "# dangan $BUILD/dangan ($(stat -c %y "$BUILD/dangan" | cut -d. -f1)), front end $UI, work dir $WORK$([ "$KEEP" = 1 ] && echo ' (kept)')"
SUMMARY=()

# =================================================================================================
# 1. the bundle
# =================================================================================================
echo
echo "## bundle: gzip -9 of every file in $UI"
# One copy of the build, served by both sides.
WWW="$WORK/www"
mkdir -p "$WWW/fixtures"
cp -r "$UI/." "$WWW/"
RAW=0; GZ=0; ENTRY_GZ=0
ENTRY_FILES=$(grep -oE '(src|href)="/[^"]+"' "$WWW/index.html" | sed -E 's/^(src|href)="\/(.*)"$/\2/' || true)
while IFS= read -r f; do
  rel=${f#"$WWW/"}
  [[ "$rel" == fixtures/* ]] && continue
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  RAW=$((RAW + raw)); GZ=$((GZ + gz))
  tag=""
  if [ "$rel" = index.html ] || grep -qxF "$rel" <<<"$ENTRY_FILES"; then ENTRY_GZ=$((ENTRY_GZ + gz)); tag=" (first page)"; fi
  printf '  %-40s %8d bytes, gzip -9 %7d%s\n' "$rel" "$raw" "$gz" "$tag"
done < <(find "$WWW" -type f | sort)
echo "total: $RAW bytes, gzip -9 $GZ bytes ($(awk -v g="$GZ" 'BEGIN { printf "%.1f", g / 1024 }') KiB); what the first page fetches: $ENTRY_GZ bytes gzipped"
echo "(neither server compresses: both send the files as they are, $RAW bytes in all)"
SUMMARY+=("$(verdict "$(le "$GZ" "$BUNDLE_TARGET")" "bundle: $GZ bytes gzip -9 for all of dist/ (first page $ENTRY_GZ) (target <= 1 MB = $BUNDLE_TARGET bytes)")")

# =================================================================================================
# 2. the archive
# =================================================================================================
echo
echo "## archive"
A="$WORK/archive"
"$DANGAN" --root "$A" init --fonds J012 >/dev/null
rm -f "$A/catalogue.db" "$A/catalogue.db-wal" "$A/catalogue.db-shm"
t0=$EPOCHREALTIME
if [ -n "$CATALOGUE" ]; then
  # A copy: serving and `user add` write to the catalogue, the original stays as it was.
  cp "$CATALOGUE" "$A/catalogue.db"
  echo "catalogue: copied $CATALOGUE ($(du -h "$CATALOGUE" | cut -f1)) in $(secs_since "$t0") s"
else
  ninja -C "$BUILD" search_bench >&2 || die "cannot build search_bench (scripts/bench/search_bench.cpp)"
  echo "catalogue: seeding $RECORDS records with search_bench (about 15 min per million on 2 cores; log $WORK/seed.log)"
  run_bg "$BUILD/scripts/bench/search_bench" --records "$RECORDS" --work "$WORK/seed" --keep --queries 10 \
    --rounds 1 --warmup 0 --no-breakdown >"$WORK/seed.log" 2>&1 || { tail -20 "$WORK/seed.log" >&2; die "seeding failed"; }
  grep -E '^(seed|baseline):' "$WORK/seed.log" | sed 's/^/  /'
  mv "$WORK/seed/catalogue.db" "$A/catalogue.db"
  rm -rf "$WORK/seed"
  echo "catalogue: seeded in $(secs_since "$t0") s (including search_bench's baseline table and a short query pass)"
fi
printf '%s\n' "$ADMIN_PW" | "$DANGAN" --root "$A" user add admin --role admin --password-stdin >/dev/null
printf '%s\n' "$USER_PW" | "$DANGAN" --root "$A" --actor admin user add "$USER_NAME" --role archivist --password-stdin >/dev/null
NREC=$(sqlite3 -readonly "$A/catalogue.db" "SELECT count(*) FROM records")
echo "records: $NREC; catalogue $(du -h "$A/catalogue.db" | cut -f1); signed in as $USER_NAME (archivist)"

# start_serve LOG [EXTRA SERVE OPTIONS...]: `dangan serve` on a free loopback port; sets PORT, SERVE_PID
start_serve() {
  # --audit-rate 0: the seeded catalogue has rows but no packages.
  "$DANGAN" --root "$A" --actor admin serve --bind 127.0.0.1 --port 0 --audit-rate 0 --ui "$WWW" \
    "${@:2}" >"$1" 2>&1 &
  SERVE_PID=$!
  PIDS+=("$SERVE_PID")
  local i
  for i in $(seq 300); do
    PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$1")
    [ -n "$PORT" ] && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || { cat "$1" >&2; die "dangan serve exited"; }
    sleep 0.1
  done
  die "dangan serve did not start (see $1)"
}
stop_serve() {
  kill -TERM "$SERVE_PID" 2>/dev/null || true
  wait "$SERVE_PID" 2>/dev/null || true
  local keep=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$SERVE_PID" ] || keep+=("$p"); done
  PIDS=(${keep[@]+"${keep[@]}"})
}

# =================================================================================================
# 3. the baseline: nginx with the same files and the server's answers for the same URLs
# =================================================================================================
start_serve "$WORK/serve-fixtures.log"
JAR="$WORK/cookies.txt"
curl -sf -c "$JAR" -H 'Content-Type: application/json' \
  -d "{\"name\":\"$USER_NAME\",\"password\":\"$USER_PW\"}" -o /dev/null \
  "http://127.0.0.1:$PORT/api/v1/session" || die "signing in to dangan serve failed"
curl -sf -b "$JAR" -o "$WWW/fixtures/session.json" "http://127.0.0.1:$PORT/api/v1/session" || die "GET /api/v1/session failed"
curl -sf -b "$JAR" -o "$WWW/fixtures/scheme.json" "http://127.0.0.1:$PORT/api/v1/scheme" || die "GET /api/v1/scheme failed"
# The front end asks /api/v1/records?q=Q&page=1&size=20 (URLSearchParams: UTF-8, upper-case hex),
# and without q for the default listing; nginx picks the fixture by $arg_q.
QUERIES=(); ENCODED=()
while IFS=$'\t' read -r q e; do QUERIES+=("$q"); ENCODED+=("$e"); done < <(node "$PROBE" --list-queries)
[ "${#QUERIES[@]}" -gt 0 ] || die "web_probe.mjs --list-queries printed nothing"
MAP='    "" all;'
t0=$EPOCHREALTIME
curl -sf -b "$JAR" -o "$WWW/fixtures/records-all.json" "http://127.0.0.1:$PORT/api/v1/records?page=1&size=20" ||
  die "GET /api/v1/records failed"
for i in "${!QUERIES[@]}"; do
  enc=${ENCODED[$i]}
  curl -sf -b "$JAR" -o "$WWW/fixtures/records-q$i.json" "http://127.0.0.1:$PORT/api/v1/records?q=$enc&page=1&size=20" ||
    die "GET /api/v1/records?q=$enc failed"
  MAP+=$'\n'"    \"$enc\" q$i;"
done
echo "fixtures: the default listing and ${#QUERIES[@]} queries (with their prefixes) fetched from dangan serve in $(secs_since "$t0") s, each computed for the first time; totals:"
python3 - "$WWW/fixtures" "${QUERIES[@]}" <<'PY'
import json, sys
d, qs = sys.argv[1], sys.argv[2:]
out = []
for name, q in [("all", "(listing)")] + [("q%d" % i, q) for i, q in enumerate(qs)]:
    j = json.load(open("%s/records-%s.json" % (d, name), encoding="utf-8"))
    out.append("%s %d%s" % (q, j["total"], "+" if j.get("total_is_lower_bound") else ""))
for i in range(0, len(out), 7):
    print("  " + "; ".join(out[i:i + 7]))
PY
stop_serve
chmod -R a+rX "$WWW"
NG="$WORK/nginx"
mkdir -p "$NG"
NPORT=$(free_port)
cat >"$NG/nginx.conf" <<EOF
$([ "$(id -u)" = 0 ] && echo "user root;")
worker_processes auto;
daemon off;
pid $NG/nginx.pid;
error_log $NG/error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $NG/body;
  proxy_temp_path $NG/proxy;
  fastcgi_temp_path $NG/fastcgi;
  uwsgi_temp_path $NG/uwsgi;
  scgi_temp_path $NG/scgi;
  map \$arg_q \$fixture {
    default none;
$MAP
  }
  server {
    listen 127.0.0.1:$NPORT;
    root $WWW;
    index index.html;
    location = /api/v1/session { add_header Cache-Control no-store; try_files /fixtures/session.json =404; }
    location = /api/v1/scheme { add_header Cache-Control no-store; try_files /fixtures/scheme.json =404; }
    location = /api/v1/records { add_header Cache-Control no-store; try_files /fixtures/records-\$fixture.json =404; }
  }
}
EOF
"$NGINX" -p "$NG" -c "$NG/nginx.conf" -e "$NG/error.log" 2>>"$NG/error.log" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
for i in $(seq 50); do
  curl -sf -o /dev/null "http://127.0.0.1:$NPORT/" && break
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$NG/error.log" >&2; die "nginx exited"; }
  sleep 0.1
done
cmp -s <(curl -sf "http://127.0.0.1:$NPORT/api/v1/records?q=$(sed -n 's/^    "\([^"]*\)" q0;$/\1/p' <<<"$MAP")&page=1&size=20") "$WWW/fixtures/records-q0.json" ||
  die "nginx does not serve the fixture for ${QUERIES[0]}"
echo "baseline: nginx on :$NPORT serving the same files, /api/v1/session, /api/v1/scheme and /api/v1/records?q= from those fixtures"

# =================================================================================================
# 4. the browser, per mode: dangan serve as served, then with --search-cache 0; nginx beside it
# =================================================================================================
for mode in $MODES; do
  echo
  if [ "$mode" = cached ]; then
    echo "## browser: dangan serve as served (answer cache on) vs nginx, $ROUNDS rounds after $WARMUP untimed"
    start_serve "$WORK/serve-$mode.log"
  else
    echo "## browser: dangan serve --search-cache 0 (every search computed) vs nginx, $ROUNDS rounds after $WARMUP untimed"
    start_serve "$WORK/serve-$mode.log" --search-cache 0
  fi
  echo "dangan serve on :$PORT; load average $(load)"
  OUT="$WORK/probe-$mode.txt"
  run_bg node "$PROBE" --target "dangan=http://127.0.0.1:$PORT" --target "nginx=http://127.0.0.1:$NPORT" \
    --login dangan --user "$USER_NAME" --password "$USER_PW" --rounds "$ROUNDS" --warmup "$WARMUP" \
    --out "$WORK/probe-$mode.json" >"$OUT" 2>&1 || { cat "$OUT" >&2; die "the browser probe failed"; }
  grep -v '^SUMMARY ' "$OUT"
  stop_serve
  echo "load average $(load)"
  D=$(grep '^SUMMARY dangan ' "$OUT"); N=$(grep '^SUMMARY nginx ' "$OUT")
  label="as served"; [ "$mode" = uncached ] && label="--search-cache 0"
  at=""; [ "$NREC" -lt 1000000 ] && at=", at 1,000,000 records"
  fp50=$(field first_p50 "$D"); fp90=$(field first_p90 "$D")
  tp50=$(field typed_p50 "$D"); tp90=$(field typed_p90 "$D")
  SUMMARY+=("$(verdict "$(le "$fp50" "$FIRST_TARGET_MS")" "first page, $label: interactive in p50 $fp50 ms (p90 $fp90) over $NREC records; nginx p50 $(field first_p50 "$N") ms, ratio dangan/nginx $(ratio "$fp50" "$(field first_p50 "$N")")x (target <= 1 s$at)")")
  SUMMARY+=("$(verdict "$(le "$tp50" "$TYPED_TARGET_MS")" "typing, $label: results painted p50 $tp50 ms (p90 $tp90) after the last keystroke, $(field nodebounce_p50 "$D") ms without the 200 ms debounce; nginx p50 $(field typed_p50 "$N") ms, ratio $(ratio "$tp50" "$(field typed_p50 "$N")")x (target <= 300 ms$at)")")
  [ "$(field mismatches "$D")" = 0 ] && [ "$(field mismatches "$N")" = 0 ] ||
    SUMMARY+=("WARNING $label: the page showed answers other than the servers' JSON (see above)")
done

echo
echo "## summary (load average $(load); targets judged on medians, p90 beside them)"
printf '%s\n' "${SUMMARY[@]}"
