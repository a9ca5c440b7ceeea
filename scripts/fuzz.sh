#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzz.cpp) into ./build-fuzz with clang, ASan and
# UBSan, and runs each on a scratch copy of its seed corpus (tests/fuzz/corpus/<name>/).
#
#   scripts/fuzz.sh [--seconds N | --runs N] [--no-build] [TARGET...]
#
# TARGET is a name such as tar or image (default: all). --seconds N fuzzes each target for N
# seconds (default 600); --runs N stops each after N inputs instead. CI runs the short form
# (`scripts/fuzz.sh --seconds 20`); the long form is `scripts/fuzz.sh --runs 10000000`.
# Prints executions and exec/s per target; exits 1 if any target crashed, leaked, timed out or ran
# out of memory, naming the input that did it (build-fuzz/fuzz-artifacts/<target>/crash-…).
# Reproduce with `build-fuzz/fuzz/<target>_fuzz FILE`; DANGAN_FUZZ_VERBOSE=1 says what became of it.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=600
runs=""
build=1
targets=()
while (($#)); do
  case "$1" in
    --seconds) seconds="${2:-}"; shift $(($# > 1 ? 2 : 1)) ;;
    --runs) runs="${2:-x}"; shift $(($# > 1 ? 2 : 1)) ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz: unknown option $1" >&2; exit 2 ;;
    *) targets+=("${1%_fuzz}"); shift ;;
  esac
done
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz: --seconds needs a number" >&2; exit 2; }
[[ -z "$runs" || "$runs" =~ ^[0-9]+$ ]] || { echo "fuzz: --runs needs a number" >&2; exit 2; }

dir=build-fuzz
if ((build)); then
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DDANGAN_FUZZ=ON >/dev/null
  fi
  cmake --build "$dir" --target fuzz_targets -j "$(nproc)"
fi

if ((${#targets[@]} == 0)); then
  for src in tests/fuzz/*_fuzz.cpp; do
    name=$(basename "$src" .cpp)
    targets+=("${name%_fuzz}")
  done
fi

# The longest input worth trying per target: room for a few files, a package or a small scan;
# a query is short.
max_len_for() {
  case "$1" in
    search_query) echo 1024 ;;
    case_json|bagit) echo 16384 ;;
    *) echo 65536 ;;
  esac
}

# UB aborts like an ASan error does. Leak checking stays on: neither Poco nor the libraries
# leak per input here (what they keep for the process is still reachable).
# clear_shadow_mmap_threshold: ASan zeroes the shadow of a freed block of 512 KiB or more (the
# 1 MiB read buffers in storage/) by mapping fresh pages over it; in a VM that TLB flush and the
# page faults after it cost more than the memset that replaces it (tar +17%, bagit +8%). What
# ASan detects is unchanged.
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:clear_shadow_mmap_threshold=1073741824:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ]; then
  for s in llvm-symbolizer /usr/lib/llvm-14/bin/llvm-symbolizer; do
    if command -v "$s" >/dev/null; then export ASAN_SYMBOLIZER_PATH="$(command -v "$s")"; break; fi
  done
fi
export LC_ALL=C.UTF-8

# Scratch directories of the targets (staging, bags, archives) on tmpfs when there is one: the
# package code fsyncs, and that is not what is being measured.
scratch_base=/dev/shm
[ -d "$scratch_base" ] && [ -w "$scratch_base" ] || scratch_base="$PWD/$dir"
scratch=$(mktemp -d "$scratch_base/dangan-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

failed=0
summary=()
for t in "${targets[@]}"; do
  bin="$dir/fuzz/${t}_fuzz"
  if [ ! -x "$bin" ]; then
    echo "fuzz: no target $t (expected $bin)" >&2
    exit 2
  fi
  corpus="$dir/fuzz-corpus/$t"
  artifacts="$dir/fuzz-artifacts/$t"
  log="$dir/fuzz-logs/$t.log"
  rm -rf "$corpus"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")" "$scratch/$t"
  [ -d "tests/fuzz/corpus/$t" ] && cp -r "tests/fuzz/corpus/$t/." "$corpus/"
  args=(-rss_limit_mb=2048 -timeout=60 -max_len="$(max_len_for "$t")" -print_final_stats=1
        -artifact_prefix="$artifacts/")
  [ -f "tests/fuzz/$t.dict" ] && args+=(-dict="tests/fuzz/$t.dict")
  if [ -n "$runs" ]; then args+=(-runs="$runs"); else args+=(-max_total_time="$seconds"); fi
  echo "fuzz: $t (${runs:+$runs runs}${runs:-$seconds s}), log $log"
  rc=0
  TMPDIR="$scratch/$t" "$bin" "${args[@]}" "$corpus" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if ((rc == 0)); then
    result=ok
  else
    failed=1
    result="FAILED (exit $rc)"
    echo "---- $t: last lines of $log" >&2
    tail -n 80 "$log" >&2
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    [ -n "$artifact" ] && result+=", input: $artifact"
    echo "fuzz: $t $result" >&2
  fi
  summary+=("$(printf '%-14s %12s executions %8s exec/s  %s' "$t" "${execs:-?}" "${speed:-?}" "$result")")
done

echo
echo "fuzz summary:"
printf '  %s\n' "${summary[@]}"
exit "$failed"
