#!/usr/bin/env bash
# Installs what XRayLens needs on Debian 12, idempotently: apt packages, the sources of Dear ImGui, zlib,
# libwebp, libtiff and libjpeg-turbo (Debian's source packages, into third_party/, which git ignores), and the
# npm packages (npm ci).
# Nothing is downloaded at build or run time; everything comes from Debian's archive and npm.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  clang libclang-rt-14-dev
  emscripten libstb-dev libimgui-dev libgtest-dev libeigen3-dev
  nodejs npm node-acorn
  chromium
  python3-torch python3-torchvision python3-onnx python3-numpy python3-pil
  python3-sklearn python3-matplotlib python3-skimage
  dcmtk python3-pydicom libopenjp2-tools
  dpkg-dev
  fonts-dejavu-core python3-fonttools
)

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs may come from elsewhere (e.g. NodeSource); accept any node >= 18 on PATH.
if command -v node >/dev/null && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 18 ]; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
filtered=(); for p in "${missing[@]}"; do [ -n "$p" ] && filtered+=("$p"); done
if [ ${#filtered[@]} -gt 0 ]; then
  echo "setup: installing ${filtered[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${filtered[@]}"
fi

# Sources the builds compile, from Debian's source packages (with Debian's patches, security fixes included)
# into third_party/, which git ignores: Dear ImGui (the -dev package has headers only), and the image
# libraries of the core (cmake/third_party.cmake): zlib, libwebp, libtiff, libjpeg-turbo (its 12-bit build).
ensure_deb_src() {
  if [ -z "$(apt-cache showsrc imgui 2>/dev/null)" ]; then
    main_src=$(ls /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    if [ -n "$main_src" ]; then
      sed 's/^Types: deb$/Types: deb-src/' "$main_src" | $SUDO tee /etc/apt/sources.list.d/xraylens-src.sources >/dev/null
    else
      echo "deb-src http://deb.debian.org/debian bookworm main" | $SUDO tee /etc/apt/sources.list.d/xraylens-src.list >/dev/null
    fi
    $SUDO apt-get update -qq
  fi
}
# fetch_source PACKAGE DIR FILE [--skip-patches]: unpacks PACKAGE's source into third_party/DIR unless DIR/FILE exists
fetch_source() {
  local package=$1 dir=$2 file=$3 patches=${4:-}
  [ -f "third_party/$dir/$file" ] && return 0
  ensure_deb_src
  rm -rf "third_party/$dir-src" && mkdir -p "third_party/$dir-src"
  (cd "third_party/$dir-src" && apt-get source -qq --download-only "$package" >/dev/null &&
    dpkg-source -x $patches ./*.dsc out >/dev/null)
  rm -rf "third_party/$dir" && mv "third_party/$dir-src/out" "third_party/$dir" && rm -rf "third_party/$dir-src"
}
fetch_source imgui imgui imgui.cpp --skip-patches
fetch_source zlib zlib inflate.c
fetch_source libwebp libwebp src/dec/vp8_dec.c
fetch_source tiff tiff libtiff/tif_open.c
fetch_source libjpeg-turbo libjpeg-turbo jdapimin.c

# npm packages, pinned by package-lock.json.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
echo "setup: ok"
