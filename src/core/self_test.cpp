#include "self_test.h"

#include <cmath>
#include <cstdio>

#include "contract.h"

namespace xr {

std::vector<float> self_test_pattern(int size) {
  std::vector<float> data(static_cast<size_t>(size) * size);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) data[static_cast<size_t>(y) * size + x] = static_cast<float>((3 * x + 5 * y) % 256);
  return data;
}

int self_test_size(const std::string& input) {
  if (input == "pattern-v1") return kInputSize;
  if (input == "pattern-256") return kCanonicalSize;
  return 0;
}

namespace {
std::string fmt4(const char* what, double have, double want) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "self-test failed: %s %.4f, card expects %.4f", what, have, want);
  return buf;
}
}  // namespace

std::string check_self_test(const SelfTest& test, const std::vector<float>& values, const std::vector<float>& logits) {
  if (values.empty()) return "self-test failed: the model gave no output";
  if (test.by_mean) {
    double sum = 0;
    for (float v : values) sum += v;
    const double mean = sum / static_cast<double>(values.size());
    return std::fabs(mean - test.expected) <= test.tolerance ? "" : fmt4("mean", mean, test.expected);
  }
  const double got = values[0];
  if (!(std::fabs(got - test.expected) <= test.tolerance)) return fmt4("P =", got, test.expected);
  for (size_t i = 0; i < test.expected_logits.size(); ++i) {
    const double have = i < logits.size() ? logits[i] : NAN;
    if (!(std::fabs(have - test.expected_logits[i]) <= test.logits_tolerance)) {
      const std::string what = "logit " + std::to_string(i) + " =";
      return fmt4(what.c_str(), have, test.expected_logits[i]);
    }
  }
  return "";
}

}  // namespace xr
