#!/usr/bin/env bash
# For a machine without ../shared/vendor: downloads the pinned upstream commits of ONNX Runtime 1.13.1
# and its dependencies (the same commits as the source bundle; its README lists them), keeps the files
# scripts/ort/sources.sha256 names and checks every one of them against it. The result is the tree the
# bundle unpacks to, so build_ort.sh builds the same library under the same cache key.
#   scripts/ort/fetch_sources.sh DEST      (XRAYLENS_ORT_ARCHIVES=DIR: take OWNER-REPO-COMMIT.tar.gz from DIR)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=$1
manifest=$here/sources.sha256
# folder in the manifest | GitHub owner/repo | commit
PINS=(
  "onnxruntime-1.13.1 microsoft/onnxruntime b353e0b41d588605958b03f9a223d10a2fbeb514"
  "abseil-cpp-20211102.0 abseil/abseil-cpp 215105818dfde3174fe799600bb0f3cae233d0bf"
  "date-2.4.1 HowardHinnant/date e7e1482087f58913b80a20b04d5c58d9d6d90155"
  "flatbuffers-1.12.0 google/flatbuffers 6df40a2471737b27271bdd9b900ab5f3aec746c7"
  "json-3.10.5 nlohmann/json b5364faf9d732052506cefc933d3f4e4f04513a5"
  "mp11-boost-1.75.0 boostorg/mp11 21cace4e574180ba64d9307a5e4ea9e5e94d3e8d"
  "nsync-1.23.0 google/nsync 436617053d0f39a1019a371c3a9aa599b3cb2cea"
  "onnx-5a5f8a59 onnx/onnx 5a5f8a5935762397aa68429b5493084ff970f774"
  "protobuf-3.18.3 protocolbuffers/protobuf a902b39270841beafc307dfa709610aa1cac2f06"
  "re2-2021-06-01 google/re2 4244cd1cb492fa1d10986ec67f862964c073f844"
  "safeint-ff15c6ad dcleblanc/SafeInt ff15c6ada150a5018c5ef2172401cb4529eac9c0"
)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"
for pin in "${PINS[@]}"; do
  read -r folder repo commit <<<"$pin"
  archive=$work/${repo//\//-}-$commit.tar.gz
  if [ -n "${XRAYLENS_ORT_ARCHIVES:-}" ]; then
    cp "$XRAYLENS_ORT_ARCHIVES/${repo//\//-}-$commit.tar.gz" "$archive"
  else
    echo "fetch_sources: $repo@$commit" >&2
    curl -fsSL --retry 3 -o "$archive" "https://codeload.github.com/$repo/tar.gz/$commit"
  fi
  mkdir -p "$work/x" && tar -xzf "$archive" -C "$work/x"
  top=$(find "$work/x" -mindepth 1 -maxdepth 1 -type d | head -1)
  # only the files the build uses (the bundle's), each checked below
  grep "  $folder/" "$manifest" | sed 's/^[0-9a-f]*  //' | while IFS= read -r rel; do
    mkdir -p "$dest/$(dirname "$rel")"
    cp "$top/${rel#"$folder"/}" "$dest/$rel"
  done
  rm -rf "$work/x" "$archive"
done
(cd "$dest" && sha256sum --quiet -c "$manifest")
echo "fetch_sources: $(wc -l < "$manifest") files match scripts/ort/sources.sha256" >&2
