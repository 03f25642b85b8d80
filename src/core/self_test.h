// The start-up self-test of a model: a fixed input (defined here only) and the card's expected output.
#pragma once
#include <string>
#include <vector>

namespace xr {

// "pattern-v1" (224 x 224) and "pattern-256" (256 x 256): x[y][x] = (3x + 5y) mod 256 as float.
std::vector<float> self_test_pattern(int size);
// The side of a named self-test input, 0 when the name is unknown.
int self_test_size(const std::string& input);

struct SelfTest {
  std::string input;                   // "pattern-v1" or "pattern-256"
  bool by_mean = false;                // the mean of the first output (the lung model's mask)
  double expected = 0;                 // expected_mean or expected_prob
  double tolerance = 0.01;
  std::vector<double> expected_logits; // optional, the sharper check when P sits near 0 or 1
  double logits_tolerance = 0.05;
};

// "" when `values` (the checked output) and `logits` pass the card's test, else why not.
std::string check_self_test(const SelfTest& test, const std::vector<float>& values, const std::vector<float>& logits);

}  // namespace xr
