// The core's figures for one model on (probability, label) pairs, as JSON: what tests/python checks
// against scikit-learn and SciPy (src/core/site_metrics.h).
//   cxr-metrics [--threshold T] [--band LOW HIGH] < pairs     (one "p label" per line, label 1 = COVID-19, 0 = not)
// Prints {"metrics": {...}, "site_thresholds": [{...} for 0.90, 0.95, 0.98]}.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "labelled_evaluation.h"
#include "site_metrics.h"

int main(int argc, char** argv) {
  double threshold = 0.5, low = 0.5, high = 0.5;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threshold") && i + 1 < argc) threshold = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--band") && i + 2 < argc) low = std::atof(argv[++i]), high = std::atof(argv[++i]);
    else {
      std::fprintf(stderr, "usage: cxr-metrics [--threshold T] [--band LOW HIGH] < pairs\n");
      return 2;
    }
  }
  std::vector<xr::Scored> cases;
  double p = 0;
  int label = 0;
  while (std::cin >> p >> label) cases.push_back({p, label == 1});
  if (!std::cin.eof()) {
    std::fprintf(stderr, "cxr-metrics: line %zu is not \"p label\"\n", cases.size() + 1);
    return 2;
  }
  std::string out = "{\"metrics\":" + xr::metrics_json(xr::site_metrics(cases, threshold, low, high)) + ",\"site_thresholds\":[";
  for (size_t k = 0; k < xr::kSiteSensitivities.size(); ++k)
    out += (k ? "," : "") + xr::site_threshold_json(xr::site_threshold(cases, xr::kSiteSensitivities[k]));
  std::printf("%s]}\n", out.c_str());
  return 0;
}
