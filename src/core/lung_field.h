// The lung-field input of contract v2 (contract.h, docs/PREPROCESSING.md): from the canonical image and
// the lung model's mask, the square box around both lungs, resampled to the model input, with everything
// outside the dilated lung mask replaced by the lungs' mean gray. Also judges whether the mask is a
// plausible pair of lungs, for the input gate.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "gray_image.h"
#include "preprocess.h"
#include "resize.h"

namespace xr {

struct LungField {
  Rect box;                   // square, in canonical pixels: what the model input covers
  Gray8 mask;                 // canonical-sized, 255 = lung (the kept components of the model's mask)
  std::vector<uint8_t> input; // kInputSize^2, the classifier's input (0..255)
  std::vector<uint8_t> weight; // kInputSize^2, how much of the image each input pixel shows (255 = all, 0 = fill)
  double area_fraction = 0;   // lung pixels / canonical pixels
  int lungs = 0;              // components kept (0, 1 or 2)
  std::string reason;         // empty when plausible, else lungs_small / lungs_large / lungs_one_side /
                              // lungs_unpaired / lungs_off_centre
  std::string message;        // the reason in words, for the page
};

// `mask` holds kCanonicalSize^2 values, >= 128 meaning lung (the lung model's P(lung) >= 0.5, times 255).
LungField lung_field(const Gray8& canonical, const uint8_t* mask);

// Where the lung-field input lies on a width x height image (the box through the canonical mapping).
RegionF lung_field_region(int width, int height, const Rect& box);

// The lung field with no usable mask: the contract's central box and no masking (gate flags it).
Rect fallback_box();

}  // namespace xr
