#!/usr/bin/env bash
# The workbench's real-browser test: builds a throw-away archive with the real `dangan` (users,
# 12 sample cases, 12 old ones formed in 1990, one case whose title is a script injection, four
# scans captured straight into the review queue), serves it with the built front end (web/ui/dist) and drives Chromium through
# workbench.test.mjs, then dashboard.test.mjs (the 统计 page) against the same server, whose
# figures by then include the workbench test's filings and views, then inquiry.test.mjs (the public
# 查档 portal and the workbench's 查档申请, as the person of the first sample case, whose records
# are that case and the injection case copied from it), then records.test.mjs (the record page's page
# viewer on a two-page scan filed at once, the 浏览 tree and the 报表 page's downloads), then
# lifecycle.test.mjs (the 鉴定销毁 page: an archivist and a leader appraise, hold and destroy the old
# records past their retention periods; the purpose of use goes with every record view). The server
# is stopped however the test ends.
#   usage: tests/browser/run.sh BUILD_DIR      (needs node, /usr/bin/chromium, web/ui built:
#                                               `npm ci && npm run build` in web/ui)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
build=${1:?usage: tests/browser/run.sh BUILD_DIR}
dangan="$(cd "$build" && pwd)/dangan"
ui="$repo/web/ui/dist"
fail() { echo "tests/browser/run.sh: $*" >&2; exit 1; }
[ -x "$dangan" ] || fail "no dangan program at $dangan"
[ -f "$ui/index.html" ] || fail "the front end is not built: no $ui/index.html (run 'npm ci && npm run build' in web/ui)"
[ -d "$repo/web/ui/node_modules/playwright-core" ] || fail "playwright-core is missing: run 'npm ci' in web/ui"
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || fail "no Chromium at $chromium (apt-get install chromium)"
command -v node >/dev/null || fail "node is not installed"

work=$(mktemp -d "${TMPDIR:-/tmp}/dangan-browser.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

root="$work/archive"
admin_pw='secret-admin-pw'
user=wang
user_pw='secret-wang-pw-1'
nostats_user=zhao   # a 查询窗口 (inquiry) user: no `stats` permission
nostats_pw='secret-zhao-pw-1'
leader=li           # a 审核/领导 (leader): approves appraisals, supervises destructions
leader_pw='secret-li-pw-1'
archivist2=chen     # a second archivist: a supervisor of the destruction (and once with a wrong password)
archivist2_pw='secret-chen-pw-1'
correct_item=${DANGAN_CORRECT_ITEM:-0301}
search_word=${DANGAN_SEARCH_WORD:-养老}

"$dangan" --root "$root" init --fonds J012 --organization 测试市社会保险事业管理中心 >/dev/null
printf '%s\n' "$admin_pw" | "$dangan" --root "$root" user add admin --role admin --password-stdin >/dev/null
printf '%s\n' "$user_pw" | "$dangan" --root "$root" --actor admin user add "$user" --role archivist --password-stdin >/dev/null
printf '%s\n' "$nostats_pw" | "$dangan" --root "$root" --actor admin user add "$nostats_user" --role inquiry --password-stdin >/dev/null
printf '%s\n' "$leader_pw" | "$dangan" --root "$root" --actor admin user add "$leader" --role leader --password-stdin >/dev/null
printf '%s\n' "$archivist2_pw" | "$dangan" --root "$root" --actor admin user add "$archivist2" --role archivist --password-stdin >/dev/null

python3 scripts/make_cases.py --out "$work/cases" --count 12 --seed 7 >/dev/null
# The requester of inquiry.test.mjs: the person (and unit) of the first sample case.
read -r inquiry_name inquiry_id inquiry_unit_code < <(python3 - "$work/cases/case-00001/case.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1], encoding="utf-8"))
print(c["person"]["name"], c["person"]["id_number"], (c.get("unit") or {}).get("credit_code", ""))
PY
)
[ -n "$inquiry_name" ] && [ -n "$inquiry_id" ] || fail "the first sample case names no person"
"$dangan" --root "$root" --actor "$user" ingest "$work"/cases/*/case.json >"$work/refs.txt"
# One more case, its title an HTML/script injection the workbench must show as text (its own
# case id and file content, so that it is not taken for a repeat of the case it was copied from).
cp -r "$work/cases/case-00001" "$work/xss-case"
python3 - "$work/xss-case" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
p = os.path.join(d, "case.json")
c = json.load(open(p, encoding="utf-8"))
c["case_id"] += "-XSS"
c["serial"] = c.get("serial", "LS") + "X"
c["title"] = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> ' + c["title"]
c["text"] = c["text"] + "\n备注：标题含有标记的测试案卷。"
f = c["files"][0]
open(os.path.join(d, f["path"]), "w", encoding="utf-8").write(c["text"] + "\n")
f["sha256"] = hashlib.sha256((c["text"] + "\n").encode()).hexdigest()
json.dump(c, open(p, "w", encoding="utf-8"), ensure_ascii=False, indent=2)
PY
"$dangan" --root "$root" --actor "$user" ingest "$work/xss-case/case.json" >"$work/xss-ref.txt"
xss_ref=$(tail -n 1 "$work/xss-ref.txt")
[ -n "$xss_ref" ] || fail "filing the injection case printed no 档号"
echo "filed $(wc -l <"$work/refs.txt") cases and the injection case $xss_ref"
# Old cases, formed in 1990: their 10- and 30-year periods have run out, so lifecycle.test.mjs has
# records due for appraisal today (the sample cases above are of this year).
python3 scripts/make_cases.py --out "$work/old-cases" --count 12 --seed 3 --year 1990 >/dev/null
"$dangan" --root "$root" --actor "$user" ingest "$work"/old-cases/*/case.json >"$work/old-refs.txt"
echo "filed $(wc -l <"$work/old-refs.txt") cases formed in 1990"

# A fixity audit of what is filed so far: the statistics then hold both checked and unchecked records.
"$dangan" --root "$root" --actor "$user" verify --all >/dev/null

# Three scans, every one below the threshold: all go to the review queue.
"$dangan" --root "$root" --actor "$user" capture --threshold 1 \
  tests/data/corpus/dev_0001.jpg tests/data/corpus/dev_0005.jpg tests/data/corpus/dev_0006.jpg
# Then a form that is not a business record (a 查档 request), queued last: rejected with Ctrl+Enter.
"$dangan" --root "$root" --actor "$user" capture --threshold 1 tests/data/corpus/dev_0003.tif
"$dangan" --root "$root" --actor "$user" review list
# A two-page TIFF captured with the default threshold: sure enough to be filed at once (scan, OCR
# text and a searchable PDF), the record records.test.mjs views page by page.
"$dangan" --root "$root" --actor "$user" capture tests/data/corpus/dev_0002.tif >"$work/scan.txt"
scan_ref=$(awk -F '\t' '$1 == "dev_0002.tif" && $2 ~ /^J/ { print $2 }' "$work/scan.txt" | head -n 1)
[ -n "$scan_ref" ] || { cat "$work/scan.txt" >&2; fail "dev_0002.tif was not filed at once"; }
echo "filed the two-page scan dev_0002.tif as $scan_ref"

"$dangan" --root "$root" --actor admin serve --port 0 --ui "$ui" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
url=""
for _ in $(seq 1 300); do
  url=$(sed -n 's/.*listening on \(https\?:\/\/[^ ]*\).*/\1/p' "$work/server.out" | head -n 1)
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; fail "the server stopped before listening"; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/server.err" >&2; fail "the server did not say where it listens"; }
echo "server at $url"

status=0
DANGAN_URL="$url" DANGAN_USER="$user" DANGAN_PASSWORD="$user_pw" DANGAN_SEARCH_WORD="$search_word" \
  DANGAN_XSS_REF="$xss_ref" DANGAN_CORRECT_ITEM="$correct_item" DANGAN_REVIEW_COUNT=3 DANGAN_REJECT_ONE=1 CHROMIUM="$chromium" \
  DANGAN_ARTIFACTS="${DANGAN_ARTIFACTS:-}" \
  node tests/browser/workbench.test.mjs || status=$?
dashboard_status=0
DANGAN_URL="$url" DANGAN_USER="$user" DANGAN_PASSWORD="$user_pw" \
  DANGAN_NOSTATS_USER="$nostats_user" DANGAN_NOSTATS_PASSWORD="$nostats_pw" CHROMIUM="$chromium" \
  DANGAN_ARTIFACTS="${DANGAN_ARTIFACTS:-}" \
  node tests/browser/dashboard.test.mjs || dashboard_status=$?
[ "$status" != 0 ] || status=$dashboard_status
inquiry_status=0
DANGAN_URL="$url" DANGAN_USER="$user" DANGAN_PASSWORD="$user_pw" \
  DANGAN_INQUIRY_NAME="$inquiry_name" DANGAN_INQUIRY_ID="$inquiry_id" DANGAN_INQUIRY_UNIT="$inquiry_unit_code" \
  DANGAN_XSS_REF="$xss_ref" CHROMIUM="$chromium" DANGAN_ARTIFACTS="${DANGAN_ARTIFACTS:-}" \
  node tests/browser/inquiry.test.mjs || inquiry_status=$?
[ "$status" != 0 ] || status=$inquiry_status
records_status=0
DANGAN_URL="$url" DANGAN_USER="$user" DANGAN_PASSWORD="$user_pw" DANGAN_SCAN_REF="$scan_ref" \
  CHROMIUM="$chromium" DANGAN_ARTIFACTS="${DANGAN_ARTIFACTS:-}" \
  node tests/browser/records.test.mjs || records_status=$?
[ "$status" != 0 ] || status=$records_status
lifecycle_status=0
DANGAN_URL="$url" DANGAN_USER="$user" DANGAN_PASSWORD="$user_pw" \
  DANGAN_LEADER_USER="$leader" DANGAN_LEADER_PASSWORD="$leader_pw" DANGAN_ARCHIVIST2_USER="$archivist2" DANGAN_ARCHIVIST2_PASSWORD="$archivist2_pw" \
  DANGAN_NOSTATS_USER="$nostats_user" DANGAN_NOSTATS_PASSWORD="$nostats_pw" DANGAN_ROOT="$root" \
  CHROMIUM="$chromium" DANGAN_ARTIFACTS="${DANGAN_ARTIFACTS:-}" \
  node tests/browser/lifecycle.test.mjs || lifecycle_status=$?
[ "$status" != 0 ] || status=$lifecycle_status
if [ "$status" != 0 ]; then
  echo "--- server stderr (last 40 lines)" >&2
  tail -n 40 "$work/server.err" >&2 || true
fi
exit "$status"
