#!/usr/bin/env bash
# Builds the fuzz targets (clang, libFuzzer, ASan + UBSan) in build/fuzz, writes their seeds from the
# real originals into build/fuzz-seeds, and runs each target for SECONDS (default 60). Crashes go to
# build/fuzz-artifacts/TARGET/ and make this script fail. Logs: build/fuzz-logs/TARGET.log.
# The corpus grows across runs and clones: each run starts from the one kept in the cache
# (${XDG_CACHE_HOME:-~/.cache}/xraylens/fuzz-corpus/TARGET) and merges what it found back into it
# (tests/fuzz/fuzz_corpus.sh). With FUZZ_KEEP_GOING=1 a target that crashes is started again until its time
# is up (long runs); FUZZ_JOBS targets run at a time (default 1).
#   tests/fuzz/run_fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_open_study fuzz_png16 fuzz_labelled_copy fuzz_tiff fuzz_webp fuzz_raster fuzz_labelled_set)
CXX_FUZZ=${CXX_FUZZ:-$(command -v clang++-14 || command -v clang++)}
CC_FUZZ=${CC_FUZZ:-$(command -v clang-14 || command -v clang)}
jobs=${FUZZ_JOBS:-1}
source tests/fuzz/fuzz_corpus.sh

# the C libraries of the core (zlib, libwebp, libtiff, libjpeg-turbo) are instrumented too: clang for both
cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER="$CXX_FUZZ" -DCMAKE_C_COMPILER="$CC_FUZZ" -DXRAYLENS_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/fuzz
[ -d build/fuzz-seeds/fuzz_labelled_set ] || /usr/bin/python3 tests/fuzz/make_seeds.py build/fuzz-seeds

mkdir -p build/fuzz-logs
# the inputs that crashed the core before its fixes (tests/native/robustness_test.cpp and
# raster_headers_test.cpp say which)
build/fuzz/fuzz_open_study tests/fuzz/regressions/* >build/fuzz-logs/regressions.log 2>&1 ||
  { echo "fuzz: a regression input crashes again; see build/fuzz-logs/regressions.log" >&2; exit 1; }

# A single allocation over 1 GiB is a failure: the core's decode budget (contract.h) is below it.
flags=(-max_len=65536 -timeout=60 -rss_limit_mb=3072 -malloc_limit_mb=1024)

# One target for `seconds`: 0 if it found nothing.
fuzz_target() {
  local t=$1 log=build/fuzz-logs/$1.log corpus=build/fuzz-corpus/$1 found=0
  mkdir -p "$corpus" "build/fuzz-artifacts/$t"
  : >"$log"
  corpus_seed "$t" "$corpus"
  local end=$((SECONDS + seconds)) left
  while left=$((end - SECONDS)); [ "$left" -gt 0 ]; do
    if ! "build/fuzz/$t" -max_total_time="$left" "${flags[@]}" -print_final_stats=1 \
        -artifact_prefix="build/fuzz-artifacts/$t/" "$corpus" "build/fuzz-seeds/$t" >>"$log" 2>&1; then
      found=$((found + 1))
      echo "fuzz: $t FAILED; see $log and build/fuzz-artifacts/$t/" >&2
      grep -E "ERROR|SUMMARY|invariant failed|runtime error" "$log" | tail -5 >&2 || true
      [ "${FUZZ_KEEP_GOING:-0}" = 1 ] || break
    fi
  done
  # runs: every restart's count; cov (edges) and ft (features): libFuzzer's last status line
  local runs cov
  runs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$log" | grep -oE "[0-9]+$" | awk '{s += $1} END {print s + 0}' || true)
  cov=$(grep -oE "cov: [0-9]+ ft: [0-9]+" "$log" | tail -1 || true)
  local merge_start=$SECONDS
  # the cache holds it all once merged: the next run starts from the cache, not from every input ever kept
  if corpus_merge "$t" "$corpus" "${flags[@]}" >>"$log" 2>&1; then
    rm -rf "$corpus"
  else
    echo "fuzz: $t: merging the corpus into the cache failed; see $log" >&2
  fi
  echo "fuzz: $t: $runs runs in ${seconds}s, ${cov:-cov: ? ft: ?}, $found findings;" \
    "corpus $(corpus_size "$t") inputs (merged in $((SECONDS - merge_start))s)"
  [ "$found" = 0 ]
}

status=0 running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
  fuzz_target "$t" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
exit $status
