// One opened image and everything derived from it: the unit the page, the predictor and the cache work on.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "decode.h"
#include "gray_image.h"
#include "input_checks.h"

namespace xr {

struct Study {
  DecodeResult decoded;       // the full-resolution gray image, or the error
  Gray8 canonical;            // kCanonicalSize^2
  std::vector<float> input;   // kInputSize^2, 0..255
  InputCheck check;           // the input gate's rules

  bool ok() const { return decoded.ok(); }
};

// Decode and preprocess in one step; on a decode error only `decoded.error` is set.
Study open_study(const uint8_t* data, size_t size);
// Preprocess an image decoded elsewhere (decode_samples); the same steps as open_study after its decode.
Study open_decoded_study(DecodeResult decoded);

}  // namespace xr
