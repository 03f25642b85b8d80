#!/usr/bin/env bash
# Builds the fuzz targets (clang, libFuzzer, ASan + UBSan) in build/fuzz, writes their seeds from the
# real originals into build/fuzz-seeds, and runs each target for SECONDS (default 60), one after the
# other. The corpus each run grows is kept in build/fuzz-corpus/TARGET; crashes go to
# build/fuzz-artifacts/TARGET/ and make this script fail. Logs: build/fuzz-logs/TARGET.log.
# With FUZZ_KEEP_GOING=1 a target that crashes is started again until its time is up (long runs).
#   tests/fuzz/run_fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_open_study fuzz_png16 fuzz_labelled_copy fuzz_tiff fuzz_webp fuzz_raster fuzz_labelled_set)
CXX_FUZZ=${CXX_FUZZ:-$(command -v clang++-14 || command -v clang++)}
CC_FUZZ=${CC_FUZZ:-$(command -v clang-14 || command -v clang)}

# the C libraries of the core (zlib, libwebp, libtiff, libjpeg-turbo) are instrumented too: clang for both
cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER="$CXX_FUZZ" -DCMAKE_C_COMPILER="$CC_FUZZ" -DXRAYLENS_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/fuzz
[ -d build/fuzz-seeds/fuzz_labelled_set ] || /usr/bin/python3 tests/fuzz/make_seeds.py build/fuzz-seeds

status=0
mkdir -p build/fuzz-logs
# the inputs that crashed the core before its fixes (tests/native/robustness_test.cpp says which)
build/fuzz/fuzz_open_study tests/fuzz/regressions/* >build/fuzz-logs/regressions.log 2>&1 ||
  { echo "fuzz: a regression input crashes again; see build/fuzz-logs/regressions.log" >&2; exit 1; }
for t in "${targets[@]}"; do
  mkdir -p "build/fuzz-corpus/$t" "build/fuzz-artifacts/$t"
  : >"build/fuzz-logs/$t.log"
  end=$((SECONDS + seconds))
  runs=0
  while left=$((end - SECONDS)); [ "$left" -gt 0 ]; do
    # A single allocation over 1 GiB is a failure: the core's decode budget (contract.h) is below it.
    if ! "build/fuzz/$t" -max_total_time="$left" -max_len=65536 -timeout=60 -rss_limit_mb=3072 \
        -malloc_limit_mb=1024 -print_final_stats=1 -artifact_prefix="build/fuzz-artifacts/$t/" \
        "build/fuzz-corpus/$t" "build/fuzz-seeds/$t" >>"build/fuzz-logs/$t.log" 2>&1; then
      status=1
      echo "fuzz: $t FAILED; see build/fuzz-logs/$t.log and build/fuzz-artifacts/$t/" >&2
      grep -E "ERROR|SUMMARY|invariant failed|runtime error" "build/fuzz-logs/$t.log" | tail -5 >&2 || true
      [ "${FUZZ_KEEP_GOING:-0}" = 1 ] || break
    fi
  done
  runs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "build/fuzz-logs/$t.log" | grep -oE "[0-9]+$" |
         awk '{s += $1} END {print s + 0}')
  echo "fuzz: $t: ${runs:-0} runs in ${seconds}s"
done
exit $status
