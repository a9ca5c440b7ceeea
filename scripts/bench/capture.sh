#!/usr/bin/env bash
# Capture benchmark: `dangan capture --dry-run --json` against the plain `tesseract` CLI
# (chi_sim+eng, OMP_THREAD_LIMIT=1, one process per core) on the same scanned pages, side by side
# in one run. Pages come from the synthetic corpus generator with a seed nothing was trained on.
# Prints pages/min and the ratio (target >= 1.2x), peak memory per worker (target <= 300 MB),
# CER against the baseline's (target <= 0.7x), class / item accuracy (>= 97% / 93%) and
# 公民身份号码 precision / recall (>= 99% / 97%), with PASS/MISS. Exits non-zero only on errors.
#
# usage: scripts/bench/capture.sh [--build DIR] [--count N] [--seed S] [--corpus DIR]
#          [--rounds N] [--workers N] [--work DIR] [--keep]
#   --count N    documents to generate (default 40, about 47 pages; at least 30 pages are needed)
#   --corpus DIR use already rendered pages (with truth.jsonl) instead of generating
set -euo pipefail
export LC_ALL=C.UTF-8
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CORPUS_TOOLS="$ROOT/../shared/corpus"
BUILD="$ROOT/build-bench"
COUNT=40
SEED=2026
CORPUS=""
ROUNDS=1
WORKERS=$(nproc)
WORK=""
KEEP=0
usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "capture.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) KEEP=1; shift; continue ;;
    -h|--help) usage; exit 0 ;;
    --build|--count|--seed|--corpus|--rounds|--workers|--work) ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
  [ $# -ge 2 ] || die "$1 needs a value"
  case "$1" in
    --build) BUILD=$2 ;;
    --count) COUNT=$2 ;;
    --seed) SEED=$2 ;;
    --corpus) CORPUS=$2 ;;
    --rounds) ROUNDS=$2 ;;
    --workers) WORKERS=$2 ;;
    --work) WORK=$2 ;;
  esac
  shift 2
done
for v in COUNT SEED ROUNDS WORKERS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "--${v,,} must be a positive whole number"
done
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
command -v tesseract >/dev/null || die "tesseract not found (scripts/setup.sh installs it)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (Debian package 'time'; scripts/setup.sh --bench)"

if [ ! -x "$BUILD/dangan" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
fi
cmake --build "$BUILD" --target dangan >/dev/null
DANGAN="$BUILD/dangan"

if [ -z "$WORK" ]; then WORK=$(mktemp -d /tmp/dangan-capture.XXXXXX); fi
mkdir -p "$WORK"
cleanup() { if [ "$KEEP" = 0 ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi; }
trap cleanup EXIT

echo "# capture benchmark $(date -u +%FT%TZ) $(uname -sr), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(tesseract --version 2>&1 | head -1), workers $WORKERS, $ROUNDS round(s)"
if [ -z "$CORPUS" ]; then
  CORPUS="$WORK/corpus"
  echo "generating $COUNT documents with seed $SEED (make_corpus.py, about 0.7 s a page)"
  /usr/bin/python3 "$CORPUS_TOOLS/make_corpus.py" --out "$CORPUS" --count "$COUNT" --seed "$SEED" >/dev/null
fi
[ -f "$CORPUS/truth.jsonl" ] || die "$CORPUS has no truth.jsonl"
PAGES=$(python3 -c "import json,sys; print(sum(json.loads(l)['pages'] for l in open(sys.argv[1]) if l.strip()))" "$CORPUS/truth.jsonl")
DOCS=$(grep -c . "$CORPUS/truth.jsonl")
echo "input: $DOCS documents, $PAGES pages in $CORPUS"
[ "$PAGES" -ge 30 ] || die "only $PAGES pages; the comparison needs at least 30"

# The baseline: one tesseract process per page file at a time, $WORKERS at once.
run_baseline() {
  local out=$1
  mkdir -p "$out"
  ls "$CORPUS" | grep -E '\.(jpg|tif|png)$' | OMP_THREAD_LIMIT=1 xargs -P "$WORKERS" -I{} \
    /usr/bin/time -f "%M" -o "$out/{}.mem" tesseract "$CORPUS/{}" "$out/{}" -l chi_sim+eng 2>/dev/null >/dev/null
}
run_ours() {
  local out=$1
  mkdir -p "$out"
  # A dry run files nothing: an empty root keeps it from the demo archive's users in ./var/dangan.
  /usr/bin/time -f "%M" -o "$out/mem" "$DANGAN" --root "$out/no-archive" capture --dry-run --json --quiet --workers "$WORKERS" \
    "$CORPUS" >"$out/pred.jsonl" 2>"$out/stderr" || { cat "$out/stderr" >&2; die "dangan capture failed"; }
}
secs() { python3 -c "import time; print(time.monotonic())"; }

declare -a OURS_T BASE_T
for r in $(seq 1 "$ROUNDS"); do
  order="ours base"
  [ $((r % 2)) = 0 ] && order="base ours"
  for who in $order; do
    t0=$(secs)
    if [ "$who" = ours ]; then run_ours "$WORK/ours-$r"; else run_baseline "$WORK/base-$r"; fi
    t1=$(secs)
    dt=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
    if [ "$who" = ours ]; then OURS_T+=("$dt"); else BASE_T+=("$dt"); fi
    printf "round %d %-5s %7.2f s  %6.1f pages/min  (load %s)\n" "$r" "$who" "$dt" \
      "$(python3 -c "print($PAGES * 60 / $dt)")" "$(cut -d' ' -f1-3 /proc/loadavg)"
  done
done

median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
OM=$(median "${OURS_T[@]}")
BM=$(median "${BASE_T[@]}")

# Baseline predictions for the scorer: the text of each document (pages in file order).
python3 - "$CORPUS" "$WORK/base-1" "$WORK/base-pred.jsonl" <<'PY'
import json, os, re, sys
corpus, out, pred = sys.argv[1:]
han = re.compile(r'(?<=[\u3000-\u9fff\uff00-\uffef]) +(?=[\u3000-\u9fff\uff00-\uffef])')
with open(pred, 'w') as f:
    for line in open(os.path.join(corpus, 'truth.jsonl')):
        if not line.strip():
            continue
        name = json.loads(line)['file']
        txt = open(os.path.join(out, name + '.txt'), encoding='utf-8', errors='replace').read()
        f.write(json.dumps({'file': name, 'text': han.sub('', txt)}, ensure_ascii=False) + '\n')
PY
SCORE="$CORPUS_TOOLS/score.py"
/usr/bin/python3 "$SCORE" "$CORPUS/truth.jsonl" "$WORK/ours-1/pred.jsonl" >"$WORK/ours-score.txt"
/usr/bin/python3 "$SCORE" "$CORPUS/truth.jsonl" "$WORK/base-pred.jsonl" >"$WORK/base-score.txt" 2>/dev/null || true
field() { grep -E "$2" "$1" | head -1; }
OURS_CER=$(sed -n 's/.*cer=\([0-9.]*\).*/\1/p' "$WORK/ours-score.txt" | tail -1)
BASE_CER=$(sed -n 's/.*cer=\([0-9.]*\).*/\1/p' "$WORK/base-score.txt" | tail -1)
CAT=$(sed -n 's/.*category_acc=\([0-9.]*\).*/\1/p' "$WORK/ours-score.txt" | tail -1)
ITEM=$(sed -n 's/.*item_acc=\([0-9.]*\).*/\1/p' "$WORK/ours-score.txt" | tail -1)
IDP=$(sed -n 's/^公民身份号码: precision \([0-9.]*\).*/\1/p' "$WORK/ours-score.txt")
IDR=$(sed -n 's/^公民身份号码: precision [0-9.]* *recall \([0-9.]*\).*/\1/p' "$WORK/ours-score.txt")
MEM_KB=$(cat "$WORK/ours-1/mem")
BASE_MEM_KB=$(cat "$WORK"/base-1/*.mem | sort -n | tail -1)
REVIEW=$(grep -c '"review":true' "$WORK/ours-1/pred.jsonl" || true)

echo
echo "## ours (dangan capture --workers $WORKERS)"
sed 's/^/  /' "$WORK/ours-score.txt" | grep -v "^  $"
echo "  documents sent to review: $REVIEW of $DOCS"
echo "## baseline (tesseract CLI) text only"
grep -E "CER|score:" "$WORK/base-score.txt" | sed 's/^/  /'
echo
python3 - "$PAGES" "$OM" "$BM" "$OURS_CER" "$BASE_CER" "$CAT" "$ITEM" "$IDP" "$IDR" "$MEM_KB" "$BASE_MEM_KB" "$WORKERS" <<'PY'
import sys
pages, om, bm, oc, bc, cat, item, idp, idr, mem, bmem, workers = sys.argv[1:]
pages, om, bm = int(pages), float(om), float(bm)
oc, bc, cat, item, idp, idr = map(float, (oc, bc, cat, item, idp, idr))
mem_mb, bmem_mb, workers = int(mem) / 1024, int(bmem) / 1024, int(workers)
ours_ppm, base_ppm = pages * 60 / om, pages * 60 / bm
def verdict(ok): return "PASS" if ok else "MISS"
print(f"median pages/min: dangan {ours_ppm:.1f}, tesseract CLI {base_ppm:.1f}")
print("## summary")
print(f"{verdict(ours_ppm / base_ppm >= 1.2)} throughput: {ours_ppm / base_ppm:.2f}x the tesseract CLI's pages/min (target >= 1.2x)")
print(f"{verdict(mem_mb / workers <= 300)} memory: peak {mem_mb:.0f} MB for {workers} workers, {mem_mb / workers:.0f} MB per worker (target <= 300 MB; one tesseract CLI process: {bmem_mb:.0f} MB)")
print(f"{verdict(oc <= 0.7 * bc)} CER: {oc:.4f} vs the CLI's {bc:.4f}, {oc / bc if bc else 0:.2f}x (target <= 0.7x)")
print(f"{verdict(cat >= 0.97)} class accuracy {cat:.4f} (target >= 0.97)")
print(f"{verdict(item >= 0.93)} business-item accuracy {item:.4f} (target >= 0.93)")
print(f"{verdict(idp >= 0.99 and idr >= 0.97)} 公民身份号码 precision {idp:.4f}, recall {idr:.4f} (targets >= 0.99, >= 0.97)")
PY
