// The preprocessing of the model contract (contract.h, docs/PREPROCESSING.md).
#pragma once
#include <vector>

#include "gray_image.h"
#include "resize.h"

namespace xr {

// The part of a width x height image that the model input covers (the central 224/256 of the central
// square), in source pixels, as doubles: where a CAM or other input-space map belongs on the image.
struct RegionF {
  double x = 0, y = 0, width = 0, height = 0;
};
RegionF model_input_region(int width, int height);

// Central square crop (side = the shorter side), area-averaged to kEffectiveSize^2 (one effective
// resolution for every source), then enlarged by the same area rule to kCanonicalSize^2, 8-bit.
Gray8 canonical_image(const GrayImage& image);

// The central kInputSize^2 of a canonical image as float gray values 0..255 (normalisation is in the model).
std::vector<float> model_input(const Gray8& canonical);

// The whole image, area-averaged so that its longer side is at most max_side (never enlarged), 8-bit.
Gray8 display_image(const GrayImage& image, int max_side);

}  // namespace xr
