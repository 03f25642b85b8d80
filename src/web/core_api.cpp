// The embind API of the wasm core (xraylens_core.js). The page and tools/predict.mjs load this same
// module; web/pipeline.js is its only caller. It holds one open study at a time.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <string>
#include <vector>

#include "contract.h"
#include "labelled_copy.h"
#include "preprocess.h"
#include "study.h"
#include "verdict.h"

using emscripten::val;

namespace {

constexpr int kCopyMaxSide = 2048;  // labelled copies are made from the display-sized image

std::vector<uint8_t> g_file;  // the bytes of the file to open, written by JS through fileBuffer()
std::vector<uint16_t> g_samples;  // decoded samples (DICOM) to open, written by JS through samplesBuffer()
xr::DecodeResult g_decoded;       // decodeFile's image (a DICOM's JPEG frame), until openSamples
xr::Study g_study;
xr::Gray8 g_display;
std::vector<uint8_t> g_png;

// A view into wasm memory: valid until the next call that changes the buffer; callers copy it.
// A file over the core's limit throws a JS Error with the message instead of aborting the module
// on a failed allocation (the wasm build has no C++ exceptions).
val file_buffer(double size) {
  if (!(size >= 0 && size <= static_cast<double>(xr::kMaxFileBytes))) {
    std::vector<uint8_t>().swap(g_file);
    const std::string message = size >= 0 ? "File too large: " + std::to_string(static_cast<long long>(size / 1e6 + 0.5)) +
                                                " MB (the limit is " + std::to_string(xr::kMaxFileBytes / 1'000'000) + " MB)."
                                          : std::string("Not a file size.");
    val::global("Error").new_(val(message)).throw_();
  }
  g_file.assign(static_cast<size_t>(size), 0);
  return val(emscripten::typed_memory_view(g_file.size(), g_file.data()));
}

// Samples are refused past the core's pixel limit (three channels) before anything is allocated.
val samples_buffer(double count) {
  if (!(count >= 0 && count <= 3.0 * static_cast<double>(xr::kMaxPixels))) {
    std::vector<uint16_t>().swap(g_samples);
    val::global("Error").new_(val(std::string("Image too large (the limit is 60 megapixels)."))).throw_();
  }
  g_samples.assign(static_cast<size_t>(count), 0);
  return val(emscripten::typed_memory_view(g_samples.size(), g_samples.data()));
}

// A study that fails to open leaves the previous one in place, so nothing on screen is lost.
val open_study(xr::Study study) {
  const bool ok = study.ok();
  if (ok) {
    g_study = std::move(study);
    g_display = {};
  }
  const auto& d = ok ? g_study.decoded : study.decoded;
  val info = val::object();
  info.set("ok", ok);
  info.set("error", d.error);
  info.set("warning", d.warning);
  info.set("format", d.format);
  info.set("width", d.image.width);
  info.set("height", d.image.height);
  info.set("bitDepth", d.bit_depth);
  info.set("channels", d.channels);
  info.set("colourFraction", d.colour_fraction);
  info.set("gateReason", ok ? g_study.check.reason : std::string());
  info.set("gateMessage", ok ? g_study.check.message : std::string());
  return info;
}

val open_file() {
  xr::Study study = xr::open_study(g_file.data(), g_file.size());
  std::vector<uint8_t>().swap(g_file);
  return open_study(std::move(study));
}

// Decodes the file buffer (PNG or JPEG) without opening a study: DICOM frames stored as JPEG are
// decoded by the same code, then windowed in JS and opened with openSamples.
val decode_file() {
  g_decoded = xr::decode_image(g_file.data(), g_file.size());
  std::vector<uint8_t>().swap(g_file);
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
  xr::DecodeResult decoded =
      xr::decode_samples(g_samples.data(), g_samples.size(), width, height, channels, max_value, format, bit_depth);
  std::vector<uint16_t>().swap(g_samples);
  return open_study(xr::open_decoded_study(std::move(decoded)));
}

void release() {
  g_study = {};
  g_display = {};
  std::vector<uint8_t>().swap(g_png);
}

val model_input() { return val(emscripten::typed_memory_view(g_study.input.size(), g_study.input.data())); }

val canonical() {
  return val(emscripten::typed_memory_view(g_study.canonical.pixels.size(), g_study.canonical.pixels.data()));
}

val display(int max_side) {
  if (g_display.width == 0 || std::max(g_display.width, g_display.height) > max_side)
    g_display = xr::display_image(g_study.decoded.image, max_side);
  val out = val::object();
  out.set("width", g_display.width);
  out.set("height", g_display.height);
  out.set("pixels", val(emscripten::typed_memory_view(g_display.pixels.size(), g_display.pixels.data())));
  return out;
}

std::string verdict(double p_covid, double threshold) { return xr::verdict_word(xr::verdict_for(p_covid, threshold)); }

std::string labelled_copy_name(double p_covid, double threshold, const std::string& original) {
  return xr::labelled_copy_name(xr::verdict_for(p_covid, threshold), p_covid, original);
}

val labelled_copy_png(double p_covid, double threshold, const std::string& model, const std::string& date,
                      const std::string& file) {
  const xr::Gray8 base = xr::display_image(g_study.decoded.image, kCopyMaxSide);
  const xr::CopyLabel label{verdict(p_covid, threshold), p_covid, threshold, model, date, file};
  g_png = xr::encode_png(xr::labelled_copy(base, label));
  return val(emscripten::typed_memory_view(g_png.size(), g_png.data()));
}

std::string percent(double p) { return xr::percent_one_decimal(p); }

}  // namespace

EMSCRIPTEN_BINDINGS(xraylens_core) {
  emscripten::constant("contractVersion", xr::kContractVersion);
  emscripten::constant("canonicalSize", xr::kCanonicalSize);
  emscripten::constant("inputSize", xr::kInputSize);
  emscripten::function("fileBuffer", &file_buffer);
  emscripten::function("openFile", &open_file);
  emscripten::function("samplesBuffer", &samples_buffer);
  emscripten::function("openSamples", &open_samples);
  emscripten::function("decodeFile", &decode_file);
  emscripten::function("decodedSamples", &decoded_samples);
  emscripten::function("release", &release);
  emscripten::function("modelInput", &model_input);
  emscripten::function("canonical", &canonical);
  emscripten::function("display", &display);
  emscripten::function("verdict", &verdict);
  emscripten::function("labelledCopyName", &labelled_copy_name);
  emscripten::function("labelledCopyPng", &labelled_copy_png);
  emscripten::function("percent", &percent);
}
