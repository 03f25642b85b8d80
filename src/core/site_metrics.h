// A model measured on the user's own labelled X-rays: the figures the page's "Your data" panel, the
// batch report and CSV, and `tools/predict.mjs --summary` show, computed here once.
//
// Conventions (docs/YOUR_DATA.md):
// - A case is positive (COVID-19) when its label is the model's positive class; the verdict is
//   POSITIVE when p >= threshold (verdict.h), so sensitivity and specificity follow the page's rule.
// - AUC: the Mann-Whitney statistic, a tie between a positive and a negative counting 0.5.
//   Its 95% CI: DeLong's variance (Sun & Xu's fast algorithm, midranks), AUC +/- z * SE on the AUC
//   scale (no logit transform), clipped to [0, 1]; z = 1.959963984540054.
// - Proportions (sensitivity, specificity): 95% Wilson score interval, no continuity correction.
// - ECE: 10 equal-width bins of p, bin = min(floor(10 p), 9) (p = 1 falls in the last bin);
//   sum over bins of n_bin / n * |mean p - share positive|.
// - Undefined is never NaN: a figure that needs a class the data lacks is std::nullopt (null in JSON),
//   and `notes` says why.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace xr {

struct Scored {
  double p = 0;           // the calibrated probability of COVID-19
  bool positive = false;  // the label: the model's positive class (COVID-19)
};

struct Interval {
  double low = 0, high = 0;
};

// k of n, with its 95% Wilson interval; value and ci are absent when n is 0.
struct Proportion {
  int k = 0, n = 0;
  std::optional<double> value;
  std::optional<Interval> ci;
};

struct Confusion {
  int tp = 0, fn = 0, fp = 0, tn = 0;
};

struct ReliabilityBin {
  double low = 0, high = 0;  // [low, high); the last bin holds 1.0 too
  int n = 0;
  std::optional<double> mean_p;    // absent for an empty bin
  std::optional<double> observed;  // the share of positives in the bin
};

// One point of the ROC curve: the verdict POSITIVE for p >= threshold. The first point (0, 0) has no
// threshold (every case negative).
struct RocPoint {
  std::optional<double> threshold;
  double fpr = 0, tpr = 0;
};

struct SiteThreshold {
  double target_sensitivity = 0.95;
  bool allowed = false;
  std::string refused;  // why not, in words, when not allowed
  double threshold = 0;
  Proportion sensitivity, specificity;
  int n = 0;  // X-rays it was derived from (both classes)
};

struct SiteMetrics {
  int n_pos = 0, n_neg = 0;
  std::optional<double> auc;
  std::optional<Interval> auc_ci;
  std::optional<double> auc_se;
  double threshold = 0.5;  // the shipped operating threshold the figures below use
  Confusion confusion;
  Proportion sensitivity, specificity;
  double band_low = 0, band_high = 0;  // the model card's inconclusive zone [low, high)
  Proportion inconclusive;             // cases (both classes) whose p lies in the zone
  std::optional<double> ece;
  std::vector<ReliabilityBin> reliability;
  std::vector<RocPoint> roc;
  std::vector<std::string> notes;
};

constexpr int kSiteThresholdMinPerClass = 20;
constexpr int kReliabilityBins = 10;
constexpr double kZ95 = 1.959963984540054;

Proportion proportion(int k, int n);
Interval wilson_interval(int k, int n, double z = kZ95);

// AUC and its DeLong standard error; absent unless both classes are present (the SE needs >= 2 of each).
struct AucEstimate {
  std::optional<double> auc, se;
  std::optional<Interval> ci;
};
AucEstimate delong_auc(const std::vector<Scored>& cases);

SiteMetrics site_metrics(const std::vector<Scored>& cases, double threshold, double band_low, double band_high);

// The largest threshold whose sensitivity on `cases` reaches `target` (p >= threshold is POSITIVE),
// with the specificity it gives; refused below kSiteThresholdMinPerClass of either class.
SiteThreshold site_threshold(const std::vector<Scored>& cases, double target);

// One JSON object with every figure (the shape tools/predict.mjs --summary prints; docs/YOUR_DATA.md).
std::string metrics_json(const SiteMetrics& m);
std::string site_threshold_json(const SiteThreshold& t);

}  // namespace xr
