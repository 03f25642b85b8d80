#!/usr/bin/env bash
# Builds ONNX Runtime 1.13.1 as a WebAssembly static library from the source bundle, once per machine.
#
#   scripts/ort/build_ort.sh OPS_CONFIG [full|minimal]   -> prints the install folder
#   (XRAYLENS_ORT_DIR_ONLY=1: print the folder these inputs map to, build nothing;
#    XRAYLENS_ORT_SOURCES_ONLY=1: stop once the sources are checked and laid out)
#
# The result lives outside the clone, in ${XDG_CACHE_HOME:-$HOME/.cache}/xraylens/ort-<mode>-<key>/
# (lib/libonnxruntime_webassembly.a, include/, ops.config, build.log, DONE), where <key> is a sha256 over
# scripts/ort/sources.sha256 (every source file the build reads), the operator config, the mode and
# flags, the recipe number and the compilers: a second clone with the same inputs reuses it. The host
# protoc 3.18.3 is cached beside it (protoc-<sha>/).
# Sources: the bundle ${XRAYLENS_ORT_BUNDLE:-<repo>/../shared/vendor/onnxruntime-1.13.1} (its SHA256SUMS
# checked), or, where there is none, the same upstream commits downloaded by fetch_sources.sh; either
# way every file is checked against sources.sha256 before it is built. Low priority, ${JOBS:-2} jobs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
config=$(realpath "$1")
mode=${2:-full}
case "$mode" in full|minimal) ;; *) echo "build_ort: mode must be full or minimal" >&2; exit 2;; esac
bundle=${XRAYLENS_ORT_BUNDLE:-$repo/../shared/vendor/onnxruntime-1.13.1}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/xraylens
jobs=${JOBS:-2}
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}

common_flags=(
  -DCMAKE_BUILD_TYPE=MinSizeRel
  -Donnxruntime_BUILD_WEBASSEMBLY=ON -Donnxruntime_BUILD_WEBASSEMBLY_STATIC_LIB=ON
  -Donnxruntime_ENABLE_WEBASSEMBLY_SIMD=ON -Donnxruntime_ENABLE_WEBASSEMBLY_THREADS=OFF
  -Donnxruntime_ENABLE_WEBASSEMBLY_EXCEPTION_CATCHING=OFF
  -Donnxruntime_REDUCED_OPS_BUILD=ON -Donnxruntime_BUILD_UNIT_TESTS=OFF
  -Donnxruntime_USE_PREINSTALLED_EIGEN=ON -Deigen_SOURCE_PATH=/usr/include/eigen3
  -DFETCHCONTENT_FULLY_DISCONNECTED=ON -Dprotobuf_BUILD_PROTOC_BINARIES=OFF
)
mode_flags=()
reduce_flags=(--is_extended_minimal_build_or_higher)
if [ "$mode" = minimal ]; then
  mode_flags=(-Donnxruntime_MINIMAL_BUILD=ON -Donnxruntime_DISABLE_EXCEPTIONS=ON -Donnxruntime_DISABLE_RTTI=ON)
  reduce_flags=()
fi

# Bump when a change to this script changes what it builds.
recipe=1
key=$( { cat "$here/sources.sha256"; grep -v '^#' "$config"; echo "$recipe $mode ${common_flags[*]} ${mode_flags[*]}";
         em++ --version 2>/dev/null | sed -n 1p; c++ --version | sed -n 1p; } | sha256sum | cut -c1-16)
out=$cache/ort-$mode-$key
if [ -f "$out/DONE" ] || [ -n "${XRAYLENS_ORT_DIR_ONLY:-}" ]; then echo "$out"; exit 0; fi

mkdir -p "$cache"
exec 9>"$cache/ort-$mode-$key.lock"
flock 9
if [ -f "$out/DONE" ]; then echo "$out"; exit 0; fi
rm -rf "$out"; mkdir -p "$out"
log=$out/build.log
say() { echo "build_ort: $*" | tee -a "$log" >&2; }
t0=$(date +%s)

src=$out/src
mkdir -p "$src"
if [ -f "$bundle/SHA256SUMS" ]; then
  say "checking the bundle's checksums and unpacking it ($bundle)"
  (cd "$bundle" && sha256sum --quiet -c SHA256SUMS) >>"$log" 2>&1 || { say "checksum mismatch, see $log"; exit 1; }
  for t in "$bundle"/*.tar.xz; do tar -xJf "$t" -C "$src"; done
else
  say "no source bundle at $bundle: downloading the pinned upstream sources"
  "$here/fetch_sources.sh" "$src" >>"$log" 2>&1 || { say "download failed, see $log"; exit 1; }
fi
say "checking every source file against scripts/ort/sources.sha256"
(cd "$src" && sha256sum --quiet -c "$here/sources.sha256") >>"$log" 2>&1 || { say "source mismatch, see $log"; exit 1; }
ort=$src/onnxruntime-1.13.1
ext=$ort/cmake/external
for pair in date-2.4.1:date flatbuffers-1.12.0:flatbuffers json-3.10.5:json mp11-boost-1.75.0:mp11 \
            nsync-1.23.0:nsync onnx-5a5f8a59:onnx protobuf-3.18.3:protobuf re2-2021-06-01:re2 \
            safeint-ff15c6ad:SafeInt/safeint; do
  mkdir -p "$(dirname "$ext/${pair#*:}")"; rm -rf "${ext:?}/${pair#*:}"; mv "$src/${pair%%:*}" "$ext/${pair#*:}"
done
absl=$src/abseil-cpp-20211102.0
(cd "$absl" && patch -p1 --binary --ignore-whitespace -s < "$ort/cmake/patches/abseil/Fix_Nvidia_Build_Break.patch")
if [ -n "${XRAYLENS_ORT_SOURCES_ONLY:-}" ]; then say "sources ready in $src (XRAYLENS_ORT_SOURCES_ONLY)"; exit 0; fi

# Host protoc of the bundle's protobuf version (ONNX's .proto files are compiled with it).
psha=$(grep "  protobuf-3.18.3/" "$here/sources.sha256" | sha256sum | cut -c1-12)
protoc_dir=$cache/protoc-3.18.3-$psha
if [ ! -x "$protoc_dir/protoc" ]; then
  say "building host protoc 3.18.3"
  tp=$(date +%s)
  rm -rf "$protoc_dir.build"
  # the host's compilers: run from the Emscripten configure (cmake/onnxruntime.cmake), this script
  # inherits CC=emcc and CXX=em++, which CMake sets in its environment there
  nice -n 10 env -u CC -u CXX -u CFLAGS -u CXXFLAGS -u LDFLAGS \
    cmake -S "$ext/protobuf/cmake" -B "$protoc_dir.build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=cc -DCMAKE_CXX_COMPILER=c++ -Dprotobuf_BUILD_TESTS=OFF -Dprotobuf_WITH_ZLIB=OFF >>"$log" 2>&1
  nice -n 10 cmake --build "$protoc_dir.build" --target protoc -j "$jobs" >>"$log" 2>&1
  mkdir -p "$protoc_dir" && cp "$protoc_dir.build/protoc" "$protoc_dir/protoc" && rm -rf "$protoc_dir.build"
  say "host protoc: $(( $(date +%s) - tp )) s"
fi

build=$out/build
say "reducing the operator kernels to $config"
PYTHONPATH=$ext/flatbuffers/python /usr/bin/python3 "$ort/tools/ci_build/reduce_op_kernels.py" "$config" \
  --cmake_build_dir "$build" "${reduce_flags[@]}" >>"$log" 2>&1

say "configuring ($mode)"
tc=$(date +%s)
nice -n 10 emcmake cmake -S "$ort/cmake" -B "$build" -G Ninja \
  -DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node -DPython_EXECUTABLE=/usr/bin/python3 \
  -DFETCHCONTENT_SOURCE_DIR_ABSEIL_CPP="$absl" -DONNX_CUSTOM_PROTOC_EXECUTABLE="$protoc_dir/protoc" \
  "${common_flags[@]}" "${mode_flags[@]}" >>"$log" 2>&1
say "configure: $(( $(date +%s) - tc )) s; compiling with -j$jobs (nice 10)"
tb=$(date +%s)
rm -f "$build/libonnxruntime_webassembly.a"
nice -n 10 cmake --build "$build" --target bundling_target -j "$jobs" >>"$log" 2>&1
say "static library: $(( $(date +%s) - tb )) s"

mkdir -p "$out/lib" "$out/include"
cp "$build/libonnxruntime_webassembly.a" "$out/lib/"
cp "$ort/include/onnxruntime/core/session/"*.h "$out/include/"
cp "$config" "$out/ops.config"
# The sources and objects are not needed once the library is out (about 1 GB); keep the log.
rm -rf "$src" "$build"
say "done in $(( $(date +%s) - t0 )) s: $out"
echo "total_s=$(( $(date +%s) - t0 ))" > "$out/DONE"
echo "$out"
