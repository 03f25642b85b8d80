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
  fonts-dejavu-core python3-fonttools curl
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
  $SUDO apt-get update -qq || echo "setup: 'apt-get update' failed; trying the install with the lists as they are" >&2
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${filtered[@]}"; then
    echo "setup: 'apt-get install' failed (above: which package and why). A version that moved in the archive is" \
         "fixed by 'sudo apt-get update' and running setup again; a package the archive does not have means this" \
         "is not Debian 12 (bookworm) with its main component." >&2
    exit 1
  fi
fi
# Chromium runs the end-to-end tests; Debian ships it, and a broken one fails every browser test with a
# message far from the cause.
if ! chromium --headless --no-sandbox --disable-gpu --version >/dev/null 2>&1 && ! chromium --version >/dev/null 2>&1; then
  echo "setup: /usr/bin/chromium is installed but does not start ('chromium --version' fails);" \
       "reinstall it: sudo apt-get install --reinstall chromium" >&2
  exit 1
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
# fetch_source PACKAGE DIR FILE [--skip-patches]: the newest listed version that the archive serves, cached
# outside the clone (scripts/lib/fetch_source.sh)
. scripts/lib/fetch_source.sh
fetch_source imgui imgui imgui.cpp --skip-patches
fetch_source zlib zlib inflate.c
fetch_source libwebp libwebp src/dec/vp8_dec.c
fetch_source tiff tiff libtiff/tif_open.c
fetch_source libjpeg-turbo libjpeg-turbo jdapimin.c

# ImPlot 0.16 (MIT; the newest release that compiles against Debian's Dear ImGui 1.86) into
# third_party/implot: from ../shared/vendor where it lies beside the clone, else upstream's release
# tarball; every file checked against scripts/implot.sha256 either way.
ensure_implot() {
  local dest=third_party/implot
  if [ -f "$dest/implot.cpp" ] && (cd "$dest" && sha256sum --quiet -c ../../scripts/implot.sha256) 2>/dev/null; then return; fi
  rm -rf "$dest" && mkdir -p "$dest"
  if [ -f ../shared/vendor/implot-0.16/implot.cpp ]; then
    cp ../shared/vendor/implot-0.16/{implot.h,implot.cpp,implot_internal.h,implot_items.cpp,LICENSE} "$dest/"
  else
    local tmp; tmp=$(mktemp -d)
    if ! curl -fsSL https://github.com/epezent/implot/archive/refs/tags/v0.16.tar.gz -o "$tmp/implot.tar.gz"; then
      echo "setup: could not download ImPlot 0.16 from github.com/epezent/implot (network?)" >&2; exit 1
    fi
    tar -xzf "$tmp/implot.tar.gz" -C "$tmp"
    cp "$tmp"/implot-0.16/{implot.h,implot.cpp,implot_internal.h,implot_items.cpp,LICENSE} "$dest/"
    rm -rf "$tmp"
  fi
  if ! (cd "$dest" && sha256sum --quiet -c ../../scripts/implot.sha256); then
    echo "setup: ImPlot's files do not match scripts/implot.sha256; refusing them" >&2; rm -rf "$dest"; exit 1
  fi
  echo "setup: ImPlot 0.16 in $dest"
}
ensure_implot

# npm packages, pinned by package-lock.json.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if ! npm ci --no-audit --no-fund; then
    echo "setup: 'npm ci' failed. If it says package.json and package-lock.json are out of sync, someone changed" \
         "package.json without 'npm install'; run 'npm install' once and commit package-lock.json. If it could not" \
         "reach the registry, check the network (https://registry.npmjs.org) and run setup again." >&2
    exit 1
  fi
fi
echo "setup: ok"
