#include "site_metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "json_write.h"
#include "verdict.h"

namespace xr {
namespace {

// 1-based ranks of v with ties given the mean of their ranks.
std::vector<double> midranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double mid = 0.5 * static_cast<double>(i + j) + 1.0;
    for (size_t k = i; k <= j; ++k) rank[order[k]] = mid;
    i = j + 1;
  }
  return rank;
}

double sample_variance(const std::vector<double>& v) {
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return ss / static_cast<double>(v.size() - 1);
}

int count_positive(const std::vector<Scored>& cases) {
  return static_cast<int>(std::count_if(cases.begin(), cases.end(), [](const Scored& c) { return c.positive; }));
}

Confusion confusion_at(const std::vector<Scored>& cases, double threshold) {
  Confusion c;
  for (const Scored& s : cases) {
    const bool called = verdict_for(s.p, threshold) == Verdict::Positive;
    if (s.positive) (called ? c.tp : c.fn) += 1;
    else (called ? c.fp : c.tn) += 1;
  }
  return c;
}

std::vector<RocPoint> roc_curve(const std::vector<Scored>& cases, int n_pos, int n_neg) {
  std::vector<Scored> sorted(cases);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Scored& a, const Scored& b) { return a.p > b.p; });
  std::vector<RocPoint> out{{std::nullopt, 0.0, 0.0}};
  int tp = 0, fp = 0;
  for (size_t i = 0; i < sorted.size();) {
    const double t = sorted[i].p;
    for (; i < sorted.size() && sorted[i].p == t; ++i) (sorted[i].positive ? tp : fp) += 1;
    out.push_back({t, static_cast<double>(fp) / n_neg, static_cast<double>(tp) / n_pos});
  }
  return out;
}

void reliability(const std::vector<Scored>& cases, SiteMetrics& m) {
  std::vector<double> sum_p(kReliabilityBins, 0.0);
  std::vector<int> n(kReliabilityBins, 0), pos(kReliabilityBins, 0);
  for (const Scored& s : cases) {
    const int b = std::clamp(static_cast<int>(std::floor(s.p * kReliabilityBins)), 0, kReliabilityBins - 1);
    sum_p[b] += s.p;
    n[b] += 1;
    pos[b] += s.positive;
  }
  double ece = 0;
  for (int b = 0; b < kReliabilityBins; ++b) {
    ReliabilityBin bin;
    bin.low = static_cast<double>(b) / kReliabilityBins;
    bin.high = static_cast<double>(b + 1) / kReliabilityBins;
    bin.n = n[b];
    if (n[b] > 0) {
      bin.mean_p = sum_p[b] / n[b];
      bin.observed = static_cast<double>(pos[b]) / n[b];
      ece += static_cast<double>(n[b]) / static_cast<double>(cases.size()) * std::abs(*bin.mean_p - *bin.observed);
    }
    m.reliability.push_back(bin);
  }
  if (!cases.empty()) m.ece = ece;
}

}  // namespace

Interval wilson_interval(int k, int n, double z) {
  const double p = static_cast<double>(k) / n, q = 1 - p;
  const double denom = 2 * (n + z * z);
  const double center = (2 * n * p + z * z) / denom;
  const double delta = z / denom * std::sqrt(4 * n * p * q + z * z);
  return {k == 0 ? 0.0 : center - delta, k == n ? 1.0 : center + delta};
}

Proportion proportion(int k, int n) {
  Proportion p;
  p.k = k;
  p.n = n;
  if (n > 0) {
    p.value = static_cast<double>(k) / n;
    p.ci = wilson_interval(k, n);
  }
  return p;
}

AucEstimate delong_auc(const std::vector<Scored>& cases) {
  std::vector<double> x, y;  // positives, negatives
  for (const Scored& s : cases) (s.positive ? x : y).push_back(s.p);
  AucEstimate e;
  const size_t m = x.size(), n = y.size();
  if (m == 0 || n == 0) return e;
  std::vector<double> z(x);
  z.insert(z.end(), y.begin(), y.end());
  const std::vector<double> tz = midranks(z), tx = midranks(x), ty = midranks(y);
  // v01[i]: the share of negatives below positive i (ties 0.5); v10[j]: of positives above negative j
  std::vector<double> v01(m), v10(n);
  double placements = 0;
  for (size_t i = 0; i < m; ++i) {
    placements += tz[i] - tx[i];
    v01[i] = (tz[i] - tx[i]) / static_cast<double>(n);
  }
  for (size_t j = 0; j < n; ++j) v10[j] = 1.0 - (tz[m + j] - ty[j]) / static_cast<double>(m);
  e.auc = placements / (static_cast<double>(m) * static_cast<double>(n));
  if (m < 2 || n < 2) return e;
  const double var = sample_variance(v01) / static_cast<double>(m) + sample_variance(v10) / static_cast<double>(n);
  e.se = std::sqrt(std::max(0.0, var));
  e.ci = Interval{std::max(0.0, *e.auc - kZ95 * *e.se), std::min(1.0, *e.auc + kZ95 * *e.se)};
  return e;
}

SiteMetrics site_metrics(const std::vector<Scored>& cases, double threshold, double band_low, double band_high) {
  SiteMetrics m;
  m.n_pos = count_positive(cases);
  m.n_neg = static_cast<int>(cases.size()) - m.n_pos;
  m.threshold = threshold;
  m.band_low = band_low;
  m.band_high = band_high;
  const AucEstimate auc = delong_auc(cases);
  m.auc = auc.auc;
  m.auc_se = auc.se;
  m.auc_ci = auc.ci;
  m.confusion = confusion_at(cases, threshold);
  m.sensitivity = proportion(m.confusion.tp, m.n_pos);
  m.specificity = proportion(m.confusion.tn, m.n_neg);
  int inconclusive = 0;
  for (const Scored& s : cases) inconclusive += in_inconclusive_zone(s.p, band_low, band_high);
  m.inconclusive = proportion(inconclusive, static_cast<int>(cases.size()));
  reliability(cases, m);
  if (m.n_pos > 0 && m.n_neg > 0) m.roc = roc_curve(cases, m.n_pos, m.n_neg);

  if (cases.empty()) m.notes.push_back("No labelled X-ray of this model's two classes was analysed.");
  else if (m.n_pos == 0 || m.n_neg == 0)
    m.notes.push_back(std::string("Only ") + (m.n_pos ? "COVID-19" : "negative-class") +
                      " X-rays: AUC, the ROC curve and " + (m.n_pos ? "specificity" : "sensitivity") + " need both classes.");
  else if (m.n_pos < 2 || m.n_neg < 2)
    m.notes.push_back("The AUC's confidence interval needs at least 2 X-rays of each class.");
  return m;
}

SiteThreshold site_threshold(const std::vector<Scored>& cases, double target) {
  SiteThreshold t;
  t.target_sensitivity = target;
  const int n_pos = count_positive(cases), n_neg = static_cast<int>(cases.size()) - n_pos;
  t.n = n_pos + n_neg;
  if (!(target > 0 && target <= 1)) {
    t.refused = "The target sensitivity must lie in (0, 1].";
    return t;
  }
  if (n_pos < kSiteThresholdMinPerClass || n_neg < kSiteThresholdMinPerClass) {
    t.refused = "A site threshold needs at least " + std::to_string(kSiteThresholdMinPerClass) +
                " X-rays of each class; this set has " + std::to_string(n_pos) + " COVID-19 and " + std::to_string(n_neg) +
                " of the other class.";
    return t;
  }
  // The distinct scores of positives, highest first: lowering the threshold to each one adds its ties.
  std::vector<double> pos;
  for (const Scored& s : cases)
    if (s.positive) pos.push_back(s.p);
  std::sort(pos.begin(), pos.end(), std::greater<double>());
  for (size_t i = 0; i < pos.size();) {
    size_t j = i;
    while (j < pos.size() && pos[j] == pos[i]) ++j;
    if (static_cast<double>(j) / n_pos >= target) {
      t.threshold = pos[i];
      break;
    }
    i = j;
  }
  const Confusion c = confusion_at(cases, t.threshold);
  t.allowed = true;
  t.sensitivity = proportion(c.tp, n_pos);
  t.specificity = proportion(c.tn, n_neg);
  return t;
}

namespace {

std::string num(const std::optional<double>& v) { return json::number(v); }
std::string num(double v) { return json::number(v); }

std::string interval(const std::optional<Interval>& i) {
  return i ? "[" + num(i->low) + "," + num(i->high) + "]" : "null";
}

std::string proportion_json(const Proportion& p) {
  return "{\"k\":" + std::to_string(p.k) + ",\"n\":" + std::to_string(p.n) + ",\"value\":" + num(p.value) +
         ",\"ci\":" + interval(p.ci) + "}";
}

}  // namespace

std::string metrics_json(const SiteMetrics& m) {
  std::string s = "{\"n_pos\":" + std::to_string(m.n_pos) + ",\"n_neg\":" + std::to_string(m.n_neg);
  s += ",\"auc\":" + num(m.auc) + ",\"auc_ci\":" + interval(m.auc_ci) + ",\"auc_se\":" + num(m.auc_se);
  s += ",\"threshold\":" + num(m.threshold);
  s += ",\"sensitivity\":" + num(m.sensitivity.value) + ",\"sensitivity_ci\":" + interval(m.sensitivity.ci);
  s += ",\"specificity\":" + num(m.specificity.value) + ",\"specificity_ci\":" + interval(m.specificity.ci);
  const Confusion& c = m.confusion;
  s += ",\"confusion\":{\"tp\":" + std::to_string(c.tp) + ",\"fn\":" + std::to_string(c.fn) + ",\"fp\":" +
       std::to_string(c.fp) + ",\"tn\":" + std::to_string(c.tn) + "}";
  s += ",\"inconclusive_band\":[" + num(m.band_low) + "," + num(m.band_high) + "]";
  s += ",\"inconclusive\":" + proportion_json(m.inconclusive);
  s += ",\"ece\":" + num(m.ece) + ",\"reliability\":[";
  for (size_t i = 0; i < m.reliability.size(); ++i) {
    const ReliabilityBin& b = m.reliability[i];
    s += std::string(i ? "," : "") + "{\"low\":" + num(b.low) + ",\"high\":" + num(b.high) + ",\"n\":" + std::to_string(b.n) +
         ",\"mean_p\":" + num(b.mean_p) + ",\"observed\":" + num(b.observed) + "}";
  }
  s += "],\"roc\":{\"threshold\":[";
  for (size_t i = 0; i < m.roc.size(); ++i) s += (i ? "," : "") + num(m.roc[i].threshold);
  s += "],\"fpr\":[";
  for (size_t i = 0; i < m.roc.size(); ++i) s += (i ? "," : "") + num(m.roc[i].fpr);
  s += "],\"tpr\":[";
  for (size_t i = 0; i < m.roc.size(); ++i) s += (i ? "," : "") + num(m.roc[i].tpr);
  return s + "]},\"notes\":" + json::strings(m.notes) + "}";
}

std::string site_threshold_json(const SiteThreshold& t) {
  std::string s = "{\"target_sensitivity\":" + num(t.target_sensitivity) + ",\"allowed\":" + (t.allowed ? "true" : "false");
  s += ",\"n\":" + std::to_string(t.n);
  if (!t.allowed) return s + ",\"refused\":" + json::string(t.refused) + "}";
  s += ",\"threshold\":" + num(t.threshold);
  s += ",\"sensitivity\":" + num(t.sensitivity.value) + ",\"sensitivity_ci\":" + interval(t.sensitivity.ci);
  s += ",\"specificity\":" + num(t.specificity.value) + ",\"specificity_ci\":" + interval(t.specificity.ci);
  return s + "}";
}

}  // namespace xr
