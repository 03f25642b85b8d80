#!/usr/bin/env bash
# Assembles the static site from the wasm build: page, JS driver, the one module (xraylens.{js,wasm}),
# models/ (the .ort files the build converted, with cards naming them), and the service worker stamped
# with this build's version and precache list.
# Usage: scripts/assemble_site.sh WASM_BUILD_DIR SITE_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
wasm=${1:-build/wasm}
site=${2:-build/site}
rm -rf "$site"
mkdir -p "$site/models"
cp web/index.html web/favicon.svg web/style.css web/boot.js web/main.js web/models.js web/model_card_text.js "$site/"
cp web/analysis.js web/analysis_client.js web/analysis_worker.js web/wasm_module.js "$site/"
cp web/offline.js web/sw.js web/dicom.js web/dicom_codecs.js web/dicom_colour.js web/dicom_rle.js "$site/"
cp web/runtime.js web/csv.js web/download.js "$site/"
cp web/batch.js web/batch_ui.js web/zip.js web/report.js web/site_threshold.js web/your_data_text.js "$site/"
# dicom-parser ships only a UMD build: run it with `this` bound to an object, as an ES module.
{ echo 'const root = {};'; echo '(function () {'; grep -v '^//# sourceMappingURL' node_modules/dicom-parser/dist/dicomParser.min.js
  echo '}).call(root);'; echo 'export default root.dicomParser;'; } > "$site/dicom_parser.mjs"
# client-zip (web/zip.js's ZIP writer) ships an ES module.
grep -v '^//# sourceMappingURL' node_modules/client-zip/index.js > "$site/client_zip.mjs"
# DICOM codecs (web/dicom_codecs.js loads them on first use): the emscripten builds are CommonJS, run as
# ES modules with a `module` of their own; jpeg-lossless-decoder-js ships an ES module.
mkdir -p "$site/codecs"
as_module() {
  { echo 'const module = { exports: {} };'; echo 'const exports = module.exports;'; grep -v '^//# sourceMappingURL' "$1"
    echo 'export default module.exports;'; } > "$2"
}
as_module node_modules/@cornerstonejs/codec-charls/dist/charlswasm_decode.js "$site/codecs/charls_decode.mjs"
cp node_modules/@cornerstonejs/codec-charls/dist/charlswasm_decode.wasm "$site/codecs/charls_decode.wasm"
as_module node_modules/@cornerstonejs/codec-openjpeg/dist/openjpegwasm_decode.js "$site/codecs/openjpeg_decode.mjs"
cp node_modules/@cornerstonejs/codec-openjpeg/dist/openjpegwasm_decode.wasm "$site/codecs/openjpeg_decode.wasm"
grep -v '^//# sourceMappingURL' node_modules/jpeg-lossless-decoder-js/release/lossless.js > "$site/codecs/jpeg_lossless.mjs"
# the UI font's licence (DejaVu Sans, embedded in xraylens.wasm; Debian's fonts-dejavu-core)
mkdir -p "$site/licences"
cp /usr/share/doc/fonts-dejavu-core/copyright "$site/licences/DejaVu-fonts.txt"
cp node_modules/client-zip/LICENSE.txt "$site/licences/client-zip.txt"
# ImPlot 0.16 (MIT), compiled into xraylens.wasm: the "Your data" plots
cp third_party/implot/LICENSE "$site/licences/ImPlot.txt"
cp "$wasm"/xraylens.{js,wasm} "$site/"
node tools/site_models.mjs models "$wasm/models" "$site/models"
node tools/make_dist.mjs --stamp "$site"
echo "site: $site ($(du -sh "$site" | cut -f1))"
