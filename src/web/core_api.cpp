// The embind API of the core (decode, preprocess, display, labelled copy) in the one module. It holds one
// open study at a time: the one the analysis made (analysis_api.cpp adopts it) or one opened here.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <string>
#include <vector>

#include "contract.h"
#include "core_api.h"
#include "labelled_copy.h"
#include "lung_field.h"
#include "preprocess.h"
#include "study.h"
#include "verdict.h"
#include "web_input.h"

using emscripten::val;

namespace {

constexpr int kCopyMaxSide = 2048;  // labelled copies are made from the display-sized image

xr::DecodeResult g_decoded;       // decodeFile's image (a DICOM's JPEG frame), until openSamples
xr::Study g_study;
xr::Gray8 g_display;
std::vector<float> g_canonical_input;  // the canonical image as floats: the lung model's input
std::vector<uint8_t> g_lung_mask;      // the lung model's mask (>= 128 = lung), written by JS
xr::LungField g_lung;                  // the open study's lung field, after computeLungField
std::vector<float> g_lung_input;
std::vector<uint8_t> g_png;

void clear_lungs() {
  std::vector<float>().swap(g_canonical_input);
  std::vector<float>().swap(g_lung_input);
  g_lung = {};
}

// A study that fails to open leaves the previous one in place, so nothing on screen is lost.
val open_study(xr::Study study) {
  if (!study.ok()) return xrweb::study_info(study);
  g_study = std::move(study);
  g_display = {};
  clear_lungs();
  return xrweb::study_info(g_study);
}

}  // namespace

void xrweb::adopt_study(xr::Study study, const xr::LungField& lungs) {
  g_study = std::move(study);
  g_display = {};
  clear_lungs();
  g_lung = lungs;
  g_lung_input.assign(g_lung.input.begin(), g_lung.input.end());
}

namespace {

val open_file() {
  const std::vector<uint8_t> file = xrweb::take_file();
  xr::Study study = xr::open_study(file.data(), file.size());
  return open_study(std::move(study));
}

// Decodes the file buffer without opening a study: DICOM frames stored as JPEG are decoded by the same
// code (12-bit ones to their stored values, maxValue 4095), then windowed in JS and opened with openSamples.
val decode_file() {
  const std::vector<uint8_t> file = xrweb::take_file();
  g_decoded = xr::decode_frame(file.data(), file.size());
  val info = val::object();
  info.set("ok", g_decoded.ok());
  info.set("error", g_decoded.error);
  info.set("warning", g_decoded.warning);
  info.set("width", g_decoded.image.width);
  info.set("height", g_decoded.image.height);
  info.set("maxValue", g_decoded.image.max_value);
  info.set("channels", g_decoded.channels);
  return info;
}

val decoded_samples() {
  return val(emscripten::typed_memory_view(g_decoded.image.pixels.size(), g_decoded.image.pixels.data()));
}

val open_samples(int width, int height, int channels, int max_value, const std::string& format, int bit_depth) {
  g_decoded = {};
  const std::vector<uint16_t> samples = xrweb::take_samples();
  xr::DecodeResult decoded =
      xr::decode_samples(samples.data(), samples.size(), width, height, channels, max_value, format, bit_depth);
  return open_study(xr::open_decoded_study(std::move(decoded)));
}

void release() {
  g_study = {};
  g_display = {};
  clear_lungs();
  std::vector<uint8_t>().swap(g_png);
}

val model_input() { return val(emscripten::typed_memory_view(g_study.input.size(), g_study.input.data())); }

val canonical() {
  return val(emscripten::typed_memory_view(g_study.canonical.pixels.size(), g_study.canonical.pixels.data()));
}

// Contract v2: the lung model reads the canonical image (floats 0..255); JS writes its mask into
// lungMaskBuffer (>= 128 = lung) and computeLungField makes the classifiers' input from both.
val canonical_input() {
  g_canonical_input.assign(g_study.canonical.pixels.begin(), g_study.canonical.pixels.end());
  return val(emscripten::typed_memory_view(g_canonical_input.size(), g_canonical_input.data()));
}

val lung_mask_buffer() {
  g_lung_mask.assign(static_cast<size_t>(xr::kCanonicalSize) * xr::kCanonicalSize, 0);
  return val(emscripten::typed_memory_view(g_lung_mask.size(), g_lung_mask.data()));
}

val compute_lung_field() {
  g_lung = xr::lung_field(g_study.canonical, g_lung_mask.data());
  g_lung_input.assign(g_lung.input.begin(), g_lung.input.end());
  return xrweb::lung_field_info(g_lung, g_study.decoded.image.width, g_study.decoded.image.height);
}

val lung_input() { return val(emscripten::typed_memory_view(g_lung_input.size(), g_lung_input.data())); }

val lung_weight() { return val(emscripten::typed_memory_view(g_lung.weight.size(), g_lung.weight.data())); }

val lung_mask() { return val(emscripten::typed_memory_view(g_lung.mask.pixels.size(), g_lung.mask.pixels.data())); }

val display(int max_side) {
  if (g_display.width == 0 || std::max(g_display.width, g_display.height) > max_side)
    g_display = xr::display_image(g_study.decoded.image, max_side);
  val out = val::object();
  out.set("width", g_display.width);
  out.set("height", g_display.height);
  out.set("pixels", val(emscripten::typed_memory_view(g_display.pixels.size(), g_display.pixels.data())));
  return out;
}

std::string labelled_copy_name(double p_covid, double threshold, const std::string& original) {
  return xr::labelled_copy_name(xr::verdict_for(p_covid, threshold), p_covid, original);
}

// note: an adopted site threshold's words (verdict.h site_threshold_note), or "".
val labelled_copy_png(double p_covid, double threshold, const std::string& model, const std::string& date,
                      const std::string& file, const std::string& note) {
  const xr::Gray8 base = xr::display_image(g_study.decoded.image, kCopyMaxSide);
  const xr::CopyLabel label{xr::verdict_word(xr::verdict_for(p_covid, threshold)), p_covid, threshold, model, date, file, note};
  g_png = xr::encode_png(xr::labelled_copy(base, label));
  return val(emscripten::typed_memory_view(g_png.size(), g_png.data()));
}

std::string percent(double p) { return xr::percent_one_decimal(p); }

// The format xr::image_format names ("PNG", "JPEG", "WebP", "TIFF", ... or "") for a file's first bytes (a
// Uint8Array; 132 suffice), without copying the file into the heap.
std::string image_format(const val& head) {
  const auto bytes = emscripten::convertJSArrayToNumberVector<uint8_t>(head);
  return xr::image_format(bytes.data(), bytes.size());
}

}  // namespace

EMSCRIPTEN_BINDINGS(xraylens_core_api) {
  emscripten::constant("contractVersion", xr::kContractVersion);
  emscripten::constant("canonicalSize", xr::kCanonicalSize);
  emscripten::constant("inputSize", xr::kInputSize);
  emscripten::constant("maxSide", xr::kMaxSide);
  emscripten::constant("maxPixels", static_cast<double>(xr::kMaxPixels));
  emscripten::constant("maxFileBytes", static_cast<double>(xr::kMaxFileBytes));
  emscripten::function("fileBuffer", &xrweb::file_buffer);
  emscripten::function("openFile", &open_file);
  emscripten::function("samplesBuffer", &xrweb::samples_buffer);
  emscripten::function("valuesBuffer", &xrweb::values_buffer);
  emscripten::function("windowValues", &xrweb::window_values);
  emscripten::function("openSamples", &open_samples);
  emscripten::function("decodeFile", &decode_file);
  emscripten::function("decodedSamples", &decoded_samples);
  emscripten::function("release", &release);
  emscripten::function("modelInput", &model_input);
  emscripten::function("canonical", &canonical);
  emscripten::function("display", &display);
  emscripten::function("canonicalInput", &canonical_input);
  emscripten::function("lungMaskBuffer", &lung_mask_buffer);
  emscripten::function("computeLungField", &compute_lung_field);
  emscripten::function("lungInput", &lung_input);
  emscripten::function("lungMask", &lung_mask);
  emscripten::function("lungWeight", &lung_weight);
  emscripten::function("labelledCopyName", &labelled_copy_name);
  emscripten::function("labelledCopyPng", &labelled_copy_png);
  emscripten::function("percent", &percent);
  emscripten::function("barPosition", &xr::bar_position);
  emscripten::function("imageFormat", &image_format);
}
