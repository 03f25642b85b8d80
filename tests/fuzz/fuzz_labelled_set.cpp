// Fuzz target for a labelled batch: paths and a label table from the user's disk through read_labels()
// and evaluate_labelled() (truth_labels.h, labelled_evaluation.h). Input: one flags byte, then the paths
// (one a line), a NUL, the table's path, a NUL and the table's text. Each path's probability and gate
// come from a hash of the path. Checked: the counts add up, the figures lie in their ranges, a site
// threshold is only given with 20 of each class and reaches its sensitivity, the JSON has no NaN or inf.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fuzz_checks.h"
#include "labelled_evaluation.h"

namespace {

// The JSON without its string literals: what is left are numbers, null, true, false and punctuation.
std::string outside_strings(const std::string& json) {
  std::string out;
  bool in = false;
  for (size_t i = 0; i < json.size(); ++i) {
    if (in && json[i] == '\\') ++i;
    else if (json[i] == '"') in = !in;
    else if (!in) out += json[i];
  }
  FUZZ_CHECK(!in);
  return out;
}

void check_interval(const std::optional<xr::Interval>& i) {
  if (i) FUZZ_CHECK(0 <= i->low && i->low <= i->high && i->high <= 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t a = rest.find('\0'), b = a == std::string::npos ? a : rest.find('\0', a + 1);
  const std::string list = rest.substr(0, a);
  const std::string table_path = a == std::string::npos ? "" : rest.substr(a + 1, b == std::string::npos ? b : b - a - 1);
  const std::string table_text = b == std::string::npos ? "" : rest.substr(b + 1);
  std::vector<std::string> paths;
  for (size_t start = 0; start <= list.size();) {
    const size_t nl = std::min(list.find('\n', start), list.size());
    paths.push_back(list.substr(start, nl - start));
    start = nl + 1;
  }
  std::vector<xr::BatchPrediction> preds;
  for (const auto& p : paths) {
    const size_t h = std::hash<std::string>()(p);
    xr::BatchPrediction pred;
    if (h % 17 != 0) pred.p = static_cast<double>(h % 1001) / 1000.0;
    pred.gate_ok = h % 13 != 0;
    preds.push_back(pred);
  }
  std::vector<xr::LabelTable> tables;
  if (!table_path.empty()) tables.push_back({table_path, table_text});
  const std::string model = flags & 1 ? "covid-pneumonia" : "covid-normal";
  const xr::LabelledEvaluation e = xr::evaluate_labelled(model, paths, preds, tables, (flags >> 1) / 127.0, 0.1, 0.6);

  FUZZ_CHECK(e.labels.truth.size() == paths.size());
  FUZZ_CHECK(e.labelled == e.used + e.other_class + e.gate_refused + e.no_result);
  FUZZ_CHECK(e.used == e.metrics.n_pos + e.metrics.n_neg);
  FUZZ_CHECK(e.cases.size() == static_cast<size_t>(e.used));
  const xr::SiteMetrics& m = e.metrics;
  if (m.auc) FUZZ_CHECK(*m.auc >= 0 && *m.auc <= 1);
  FUZZ_CHECK(m.auc.has_value() == (m.n_pos > 0 && m.n_neg > 0));
  check_interval(m.auc_ci);
  check_interval(m.sensitivity.ci);
  check_interval(m.specificity.ci);
  FUZZ_CHECK(m.confusion.tp + m.confusion.fn == m.n_pos && m.confusion.fp + m.confusion.tn == m.n_neg);
  if (m.ece) FUZZ_CHECK(*m.ece >= 0 && *m.ece <= 1);
  for (const auto& t : e.site) {
    if (!t.allowed) continue;
    FUZZ_CHECK(m.n_pos >= xr::kSiteThresholdMinPerClass && m.n_neg >= xr::kSiteThresholdMinPerClass);
    FUZZ_CHECK(*t.sensitivity.value >= t.target_sensitivity);
  }
  const std::string json = xr::evaluation_json(e);
  const std::string bare = outside_strings(json);
  FUZZ_CHECK(bare.find("nan") == std::string::npos && bare.find("inf") == std::string::npos);
  FUZZ_CHECK(json.front() == '{' && json.back() == '}');
  return 0;
}
