#!/usr/bin/env bash
# The main job on the embedded default: sets up, builds, creates a local archive in ./var/dangan,
# files sample closed cases from a business system, captures sample scans (OCR, classification,
# review queue), then searches, shows, verifies and exports one record as a BagIt bag, then
# serves the API on the sample data (pass --no-serve to stop before that). The README's first
# quick-start command. Re-running it starts afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
dangan="${DANGAN_BUILD_DIR:-build}/dangan"
root=var/dangan
rm -rf "$root" var/demo-cases var/demo-new-case var/demo-bag
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "create an archive (全宗号 J012) in $root"
"$dangan" --root "$root" init --fonds J012 --organization "示例市社会保险事业管理中心"

step "file 24 closed cases from the business system"
python3 scripts/make_cases.py --out var/demo-cases --count 24 --seed 2026 >/dev/null
"$dangan" --root "$root" ingest var/demo-cases/*/case.json | tee var/demo-refs.txt

step "file one case again: idempotent, same 档号"
"$dangan" --root "$root" ingest var/demo-cases/case-00001/case.json

step "capture ten scanned documents (OCR, classify, extract; unsure ones go to review)"
"$dangan" --root "$root" capture tests/data/corpus
"$dangan" --root "$root" review list

step "search: one character, two characters, four characters"
"$dangan" --root "$root" search 险 --limit 3
"$dangan" --root "$root" search 养老 --limit 3
"$dangan" --root "$root" search 工伤认定 --limit 3

step "search by 公民身份号码 (exact, from an index)"
id=$(python3 -c 'import json;print(json.load(open("var/demo-cases/case-00007/case.json"))["person"]["id_number"])')
"$dangan" --root "$root" search "$id"

ref=$(head -n 1 var/demo-refs.txt)
step "show $ref"
"$dangan" --root "$root" show "$ref"

step "verify every package"
"$dangan" --root "$root" verify --all

step "export $ref as a BagIt bag and validate it"
"$dangan" --root "$root" export "$ref" --bag var/demo-bag
"$dangan" bag validate var/demo-bag
python3 tests/tools/bagit_check.py var/demo-bag && echo "independent BagIt check: valid"

step "audit chain"
"$dangan" --root "$root" audit verify

if [ "${1:-}" = "--no-serve" ]; then
  printf '\nThe archive is in %s; try: %s --root %s search 失业\n' "$root" "$dangan" "$root"
  exit 0
fi
step "demo server with the sample data (Ctrl-C stops it)"
intake=$("$dangan" --root "$root" apikey create --source sbxt | tail -n 1)
reader=$("$dangan" --root "$root" apikey create --source demo-reader --role reader | tail -n 1)
# People who sign in to the web workbench; from here on every command names its --actor.
printf 'demo-admin-pw\n' | "$dangan" --root "$root" user add admin --role admin --password-stdin
printf 'demo-wang-pw\n' | "$dangan" --root "$root" --actor admin user add wang --role archivist --password-stdin
printf 'demo-li-pw\n' | "$dangan" --root "$root" --actor admin user add li --role leader --password-stdin
# A case the business system has not sent yet, for the intake example (201, then 200 if sent
# again).
python3 scripts/make_cases.py --out var/demo-new-case --count 1 --seed 2027 >/dev/null
port=${DANGAN_PORT:-8080}
cat <<EOT
The web workbench: http://127.0.0.1:$port/  (档案管理员 wang / demo-wang-pw; 审核 li / demo-li-pw;
系统管理员 admin / demo-admin-pw). The review queue holds the scans capture was unsure of.
API keys: intake (business system sbxt) $intake
          reader (search and read, certificates) $reader
The archive now has users: name one on the command line, as in
  $dangan --root $root --actor wang search 失业
Try, in another terminal:
  curl -s -H 'Authorization: Bearer $reader' 'http://127.0.0.1:$port/api/v1/records?q=%E5%A4%B1%E4%B8%9A'
  curl -s -H 'Authorization: Bearer $reader' 'http://127.0.0.1:$port/api/v1/records/$(python3 -c 'import urllib.parse,sys;print(urllib.parse.quote(sys.argv[1]))' "$ref")'
  curl -s -X POST -H 'Authorization: Bearer $intake' -F 'case=<var/demo-new-case/case-00001/case.json' \\
       -F 'file=@var/demo-new-case/case-00001/申请表.txt' http://127.0.0.1:$port/api/v1/cases
  curl -s http://127.0.0.1:$port/api/v1/openapi.json
EOT
exec "$dangan" --root "$root" --actor admin serve --port "$port"
