// One model evaluated on a labelled batch: which analysed files count (labelled with one of the model's
// two classes, analysed, accepted by the input gate), their figures (site_metrics.h) and the site
// thresholds for the sensitivities the user may pick. The page and tools/predict.mjs --summary both
// hand the batch's rows here and show the JSON this returns.
#pragma once
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "site_metrics.h"
#include "truth_labels.h"

namespace xr {

constexpr std::array<double, 3> kSiteSensitivities{0.90, 0.95, 0.98};

// The label that is each model's negative class: Model 1 ("covid-normal") normal, Model 2
// ("covid-pneumonia") pneumonia; kNone for an unknown key. The positive class is always covid.
Truth negative_class_for(const std::string& model_key);

struct BatchPrediction {
  std::optional<double> p;  // the model's P(COVID-19); absent when the file was not analysed
  bool gate_ok = true;      // false: the input gate refused it (outside the model's scope)
};

struct LabelledEvaluation {
  std::string model;
  SiteMetrics metrics;
  std::array<SiteThreshold, kSiteSensitivities.size()> site;
  int labelled = 0;      // files with a label (any class)
  int used = 0;          // in the figures
  int other_class = 0;   // labelled with the class this model is not for
  int gate_refused = 0;  // this model's classes, refused by the input gate: left out
  int no_result = 0;     // this model's classes, not analysed (error, skipped, cancelled)
  int unlabelled = 0;    // analysed images without a label (label tables not counted)
  Labels labels;
  std::vector<Scored> cases;  // what the figures were computed from, in the order of the rows
};

// `paths` and `predictions` are the batch's rows in the same order.
LabelledEvaluation evaluate_labelled(const std::string& model_key, const std::vector<std::string>& paths,
                                     const std::vector<BatchPrediction>& predictions, const std::vector<LabelTable>& tables,
                                     double threshold, double band_low, double band_high);

// { model, counts, label problems, every figure of metrics_json, site_thresholds, site_threshold (0.95),
//   cases: { p: [...], positive: [0|1, ...] } (so that others can recompute the figures from the same numbers) }
std::string evaluation_json(const LabelledEvaluation& e);

}  // namespace xr
