#include "labelled_evaluation.h"

#include <cmath>

#include "json_write.h"

namespace xr {

Truth negative_class_for(const std::string& model_key) {
  if (model_key == "covid-normal") return Truth::kNormal;
  if (model_key == "covid-pneumonia") return Truth::kPneumonia;
  return Truth::kNone;
}

LabelledEvaluation evaluate_labelled(const std::string& model_key, const std::vector<std::string>& paths,
                                     const std::vector<BatchPrediction>& predictions, const std::vector<LabelTable>& tables,
                                     double threshold, double band_low, double band_high) {
  LabelledEvaluation e;
  e.model = model_key;
  e.labels = read_labels(paths, tables);
  const Truth negative = negative_class_for(model_key);
  std::vector<Scored>& cases = e.cases;
  for (size_t i = 0; i < paths.size(); ++i) {
    const Truth t = e.labels.truth[i];
    const BatchPrediction pred = i < predictions.size() ? predictions[i] : BatchPrediction{};
    const bool analysed = pred.p.has_value() && std::isfinite(*pred.p);
    if (t == Truth::kNone) {
      e.unlabelled += analysed && !is_label_table(paths[i]);
      continue;
    }
    ++e.labelled;
    if (t != Truth::kCovid && t != negative) ++e.other_class;
    else if (!analysed) ++e.no_result;
    else if (!pred.gate_ok) ++e.gate_refused;
    else cases.push_back({*pred.p, t == Truth::kCovid});
  }
  e.used = static_cast<int>(cases.size());
  e.metrics = site_metrics(cases, threshold, band_low, band_high);
  if (negative == Truth::kNone) e.metrics.notes.push_back("Unknown model '" + model_key + "': no class is its negative one.");
  for (size_t k = 0; k < kSiteSensitivities.size(); ++k) e.site[k] = site_threshold(cases, kSiteSensitivities[k]);
  return e;
}

std::string evaluation_json(const LabelledEvaluation& e) {
  std::string figures = metrics_json(e.metrics);  // {"n_pos":...}: its members join this object's
  std::string s = "{\"model\":" + json::string(e.model);
  const auto count = [&](const char* name, int v) { s += std::string(",\"") + name + "\":" + std::to_string(v); };
  count("labelled", e.labelled);
  count("used", e.used);
  count("other_class", e.other_class);
  count("gate_refused", e.gate_refused);
  count("no_result", e.no_result);
  count("unlabelled", e.unlabelled);
  count("labels_from_folders", e.labels.from_folders);
  count("labels_from_tables", e.labels.from_tables);
  count("label_conflicts", e.labels.conflicts);
  s += ",\"label_problems\":" + json::strings(e.labels.problems);
  s += ",\"site_thresholds\":[";
  for (size_t k = 0; k < e.site.size(); ++k) s += (k ? "," : "") + site_threshold_json(e.site[k]);
  s += "]";
  const SiteThreshold& at95 = e.site[1];
  s += ",\"site_threshold\":" + (at95.allowed ? json::number(at95.threshold) : "null");
  std::string p = "[", positive = "[";
  for (size_t i = 0; i < e.cases.size(); ++i) {
    p += (i ? "," : "") + json::number(e.cases[i].p);
    positive += std::string(i ? "," : "") + (e.cases[i].positive ? "1" : "0");
  }
  s += ",\"cases\":{\"p\":" + p + "],\"positive\":" + positive + "]}";
  return s + "," + figures.substr(1);
}

}  // namespace xr
