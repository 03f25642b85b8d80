// The embind API of the analysis: models are handed over once (bytes + card), then each image is
// handed over once (fileBuffer / samplesBuffer, web_input.h) and one call returns the whole result.
// The analysed study and its lung field become the core API's open study (core_api.h), for the views
// and the labelled copy.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "analysis.h"
#include "contract.h"
#include "core_api.h"
#include "lung_field.h"
#include "web_input.h"

using emscripten::val;

namespace {

xr::Analyser g_analyser;
// What a classifier asked for later reads of the open study (classifyOpen): its canonical image and lung
// field; the decoded image went to the core API.
xr::Analysis g_open;

double number(const val& v, const char* key, double fallback) {
  const val x = v[key];
  return x.isNumber() ? x.as<double>() : fallback;
}

std::string text(const val& v, const char* key) {
  const val x = v[key];
  return x.isString() ? x.as<std::string>() : std::string();
}

// The card fields the analysis reads (models/<name>.json).
xr::ModelSpec spec_from_card(const std::string& key, const val& card) {
  xr::ModelSpec s;
  s.key = key;
  s.title = text(card, "title");
  s.contract_version = static_cast<int>(number(card, "contract_version", 0));
  s.threshold = number(card, "threshold", 0.5);
  const val band = card["inconclusive"];
  if (band.typeOf().as<std::string>() == "object" && !band.isNull()) {
    s.band_low = number(band, "low", -1);
    s.band_high = number(band, "high", -1);
  }
  const val test = card["self_test"];
  if (test.typeOf().as<std::string>() == "object" && !test.isNull()) {
    s.self_test.input = text(test, "input");
    s.self_test.by_mean = test["expected_mean"].isNumber();
    s.self_test.expected = number(test, s.self_test.by_mean ? "expected_mean" : "expected_prob", NAN);
    s.self_test.tolerance = number(test, "tolerance", 0.01);
    s.self_test.logits_tolerance = number(test, "logits_tolerance", 0.05);
    const val logits = test["expected_logits"];
    if (logits.isArray())
      for (unsigned i = 0; i < logits["length"].as<unsigned>(); ++i) s.self_test.expected_logits.push_back(logits[i].as<double>());
  }
  return s;
}

// Loads one model from the file buffer (fileBuffer, filled by JS); "" when ready, else why not.
std::string load_model(const std::string& key, const val& card) {
  const std::vector<uint8_t> bytes = xrweb::take_file();
  return g_analyser.load(spec_from_card(key, card), bytes.data(), bytes.size());
}

void refuse_model(const std::string& key, const val& card, const std::string& error) {
  g_analyser.refuse(spec_from_card(key, card), error);
}

xr::AnalyseOptions options_from(const val& o) {
  xr::AnalyseOptions options;
  const val models = o["models"];
  if (models.isArray())
    for (unsigned i = 0; i < models["length"].as<unsigned>(); ++i) options.models.push_back(models[i].as<std::string>());
  options.analyse_anyway = o["analyseAnyway"].isTrue();
  options.view_position = text(o, "viewPosition");
  return options;
}

template <typename T>
val array_of(const std::vector<T>& v) {
  return val::global("Float32Array").new_(val(emscripten::typed_memory_view(v.size(), v.data())));
}

val lungs_info(const xr::Analysis& a) {
  val info = xrweb::lung_field_info(a.lungs, a.study.decoded.image.width, a.study.decoded.image.height);
  info.set("ms", a.lungs_ms);
  return info;
}

val classifier_info(const xr::ClassifierResult& r) {
  val out = val::object();
  out.set("key", r.key);
  out.set("title", r.title);
  out.set("error", r.error);
  if (!r.error.empty()) return out;
  out.set("pCovid", r.p_covid);
  out.set("threshold", r.threshold);
  out.set("bandLow", r.band_low);
  out.set("bandHigh", r.band_high);
  out.set("verdict", std::string(xr::verdict_word(r.verdict)));
  out.set("inconclusive", r.inconclusive);
  out.set("logits", array_of(r.logits));
  val cam = val::object();
  cam.set("data", array_of(r.cam));
  cam.set("width", r.cam_width);
  cam.set("height", r.cam_height);
  out.set("cam", cam);
  out.set("inferMs", r.infer_ms);
  return out;
}

val result_info(const xr::Analysis& a) {
  val info = xrweb::study_info(a.study);
  if (!a.study.ok()) return info;
  val gate = val::object();
  gate.set("ok", a.gate.ok);
  gate.set("reason", a.gate.reason);
  gate.set("message", a.gate.message);
  gate.set("score", a.gate.has_score ? val(a.gate.score) : val::null());
  gate.set("ms", a.gate_ms);
  info.set("gate", gate);
  info.set("openMs", a.open_ms);
  info.set("lungs", a.has_lungs ? lungs_info(a) : val::null());
  val results = val::array();
  for (const auto& r : a.results) results.call<void>("push", classifier_info(r));
  info.set("results", results);
  return info;
}

// A failed open keeps the previous study (what is on screen stays).
val keep(xr::Analysis a) {
  val info = result_info(a);
  if (!a.study.ok()) return info;
  g_open = {};
  g_open.study.canonical = a.study.canonical;
  g_open.has_lungs = a.has_lungs;
  g_open.lungs = a.lungs;
  xrweb::adopt_study(std::move(a.study), a.lungs);
  return info;
}

// A study opened by `open` and analysed, with the time the opening took (tools/bench.mjs reads it).
template <typename Open>
val timed_analysis(Open open, const val& options) {
  const auto t0 = std::chrono::steady_clock::now();
  xr::Study study = open();
  const double open_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  xr::Analysis a = g_analyser.analyse(std::move(study), options_from(options));
  a.open_ms = open_ms;
  return keep(std::move(a));
}

// The file in fileBuffer (PNG, JPEG) analysed in one call.
val analyse_file(const val& options) {
  const std::vector<uint8_t> file = xrweb::take_file();
  return timed_analysis([&] { return xr::open_study(file.data(), file.size()); }, options);
}

// Decoded samples in samplesBuffer (DICOM) analysed in one call.
val analyse_samples(int width, int height, int channels, int max_value, const std::string& format, int bit_depth,
                    const val& options) {
  const std::vector<uint16_t> samples = xrweb::take_samples();
  return timed_analysis([&] {
    return xr::open_decoded_study(
        xr::decode_samples(samples.data(), samples.size(), width, height, channels, max_value, format, bit_depth));
  }, options);
}

// Classifiers for the open study that its analysis did not run (the page runs the model the user sees
// and the other one when it is shown): their results as analyseFile gives them. The page asks with
// analyseAnyway, so the open study's lung field was made then (or the lung model cannot make one).
val classify_open(const val& options) {
  val results = val::array();
  for (const auto& key : options_from(options).models) {
    xr::ClassifierResult r;
    if (g_open.study.canonical.pixels.empty()) {
      r.key = key;
      r.error = "no image is open";
    } else {
      r = g_analyser.classify(g_open, key);
    }
    results.call<void>("push", classifier_info(r));
  }
  return results;
}

}  // namespace

EMSCRIPTEN_BINDINGS(xraylens_analysis) {
  // which ONNX Runtime build the module links: "minimal" (loads .ort only) or "full" (cmake/onnxruntime.cmake)
  emscripten::constant("ortBuild", std::string(XR_ORT_BUILD));
  emscripten::function("loadModel", &load_model);
  emscripten::function("refuseModel", &refuse_model);
  emscripten::function("analyseFile", &analyse_file);
  emscripten::function("analyseSamples", &analyse_samples);
  emscripten::function("classifyOpen", &classify_open);
}
