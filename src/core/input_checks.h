// The rule part of the input gate: refusals that need no model (colour, blank, pure noise). The learned
// part (models/gate.onnx) catches lateral views, photographs, documents and the like.
#pragma once
#include <string>

#include "decode.h"
#include "gray_image.h"

namespace xr {

struct ImageStats {
  double mean = 0;
  double stddev = 0;
  double roughness = 0;  // mean |4-neighbour Laplacian| / stddev: ~0.1-0.35 for X-rays, ~3.7 for white noise
};

ImageStats image_stats(const Gray8& canonical);

struct InputCheck {
  std::string reason;   // empty when the rules pass; else "colour", "blank" or "noise"
  std::string message;  // for a person

  bool ok() const { return reason.empty(); }
};

// Thresholds were set with wide margins from the validation split (docs/EVALUATION.md, input gate).
constexpr double kMaxColourFraction = 0.05;
constexpr double kMinStddev = 6.0;
constexpr double kMaxRoughness = 1.0;

InputCheck check_input(const DecodeResult& decoded, const Gray8& canonical);

}  // namespace xr
