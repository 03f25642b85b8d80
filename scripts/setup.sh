#!/usr/bin/env bash
# Installs what XRayLens needs on Debian 12, idempotently: apt packages, the Dear ImGui source
# (Debian's source package, into third_party/, which git ignores), and the npm packages (npm ci).
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

# Dear ImGui core sources (.cpp) come from Debian's source package; the -dev package has headers only.
if [ ! -f third_party/imgui/imgui.cpp ]; then
  src_list=/etc/apt/sources.list.d/xraylens-src.sources
  if ! apt-cache showsrc imgui >/dev/null 2>&1 || [ -z "$(apt-cache showsrc imgui 2>/dev/null)" ]; then
    main_src=$(ls /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    if [ -n "$main_src" ]; then
      sed 's/^Types: deb$/Types: deb-src/' "$main_src" | $SUDO tee "$src_list" >/dev/null
    else
      echo "deb-src http://deb.debian.org/debian bookworm main" | $SUDO tee /etc/apt/sources.list.d/xraylens-src.list >/dev/null
    fi
    $SUDO apt-get update -qq
  fi
  rm -rf third_party/imgui-src && mkdir -p third_party/imgui-src
  (cd third_party/imgui-src && apt-get source -qq --download-only imgui >/dev/null && dpkg-source -x --skip-patches ./*.dsc out >/dev/null)
  rm -rf third_party/imgui && mv third_party/imgui-src/out third_party/imgui && rm -rf third_party/imgui-src
fi

# npm packages, pinned by package-lock.json.
if [ ! -d node_modules/onnxruntime-web ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
echo "setup: ok"
