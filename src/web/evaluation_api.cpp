// The embind API of "Your data": a labelled batch's figures (labelled_evaluation.h) as JSON, the
// operating point every verdict uses (a model card's, or a site threshold adopted in this browser) and
// the label-table rule. JS hands over paths, probabilities and table text; the rules are the core's.
#include "evaluation_api.h"

#include <emscripten/bind.h>

#include <optional>
#include <vector>

#include "verdict.h"

using emscripten::val;

namespace {

double number_or(const val& v, const char* key, double fallback) {
  const val x = v[key];
  return x.isNumber() ? x.as<double>() : fallback;
}

val array_or_empty(const val& v, const char* key) {
  const val x = v[key];
  return x.isArray() ? x : val::array();
}

std::string evaluate_labelled(const val& input) { return xr::evaluation_json(xrweb::evaluate(input)); }

// result: { pCovid, threshold, bandLow, bandHigh } as the analysis gave them (the card's point);
// site: the adopted site threshold or null. Returns the verdict under the point in use.
val apply_operating_point(const val& result, const val& site) {
  const double p = number_or(result, "pCovid", 0);
  const xr::OperatingPoint op = xr::operating_point(number_or(result, "threshold", 0.5), number_or(result, "bandLow", 0.5),
                                                    number_or(result, "bandHigh", 0.5),
                                                    site.isNumber() ? std::optional<double>(site.as<double>()) : std::nullopt);
  val out = val::object();
  out.set("verdict", std::string(xr::verdict_word(xr::verdict_for(p, op.threshold))));
  out.set("threshold", op.threshold);
  out.set("bandLow", op.band_low);
  out.set("bandHigh", op.band_high);
  out.set("inconclusive", xr::in_inconclusive_zone(p, op.band_low, op.band_high));
  out.set("site", op.site);
  return out;
}

bool is_label_table(const std::string& path) { return xr::is_label_table(path); }

}  // namespace

xr::LabelledEvaluation xrweb::evaluate(const val& input) {
  const val key = input["model"];
  const std::vector<std::string> paths = emscripten::vecFromJSArray<std::string>(array_or_empty(input, "paths"));
  std::vector<xr::BatchPrediction> predictions;
  const val preds = array_or_empty(input, "predictions");
  for (unsigned i = 0; i < preds["length"].as<unsigned>(); ++i) {
    const val r = preds[i];
    xr::BatchPrediction b;
    if (r.typeOf().as<std::string>() == "object" && !r.isNull()) {
      if (r["p"].isNumber()) b.p = r["p"].as<double>();
      b.gate_ok = !r["gateOk"].isFalse();
    }
    predictions.push_back(b);
  }
  std::vector<xr::LabelTable> tables;
  const val t = array_or_empty(input, "tables");
  for (unsigned i = 0; i < t["length"].as<unsigned>(); ++i)
    if (t[i]["path"].isString() && t[i]["text"].isString()) tables.push_back({t[i]["path"].as<std::string>(), t[i]["text"].as<std::string>()});
  return xr::evaluate_labelled(key.isString() ? key.as<std::string>() : std::string(), paths, predictions, tables,
                               number_or(input, "threshold", 0.5), number_or(input, "bandLow", 0.5), number_or(input, "bandHigh", 0.5));
}

EMSCRIPTEN_BINDINGS(xraylens_evaluation) {
  emscripten::function("evaluateLabelled", &evaluate_labelled);
  emscripten::function("applyOperatingPoint", &apply_operating_point);
  emscripten::function("isLabelTable", &is_label_table);
  emscripten::function("siteThresholdNote", &xr::site_threshold_note);
}
