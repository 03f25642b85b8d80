// The VOI window of DICOM's linear function (PS3.3 C.11.2.1.2.1): for DICOM's stored values (web/dicom.js
// reads them, the window is applied here) and for 16-bit PNG input, which has no window of its own and
// so gets the full range of its values, as a DICOM file without one does. A 16-bit PNG export of a
// windowed study then gives the model the same input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "gray_image.h"

namespace xr {

struct Window {
  double center = 0;
  double width = 0;  // 0: no window
};

// The full range of the image's values as a window: lowest value to 0, highest to max_value.
Window full_range_window(const GrayImage& image);

// Maps the image's values through the window onto 0..image.max_value, in place.
void apply_window(GrayImage& image, const Window& window);

// The same for stored values after the modality rescale (possibly negative or fractional), mapped onto
// 0..max_value; `invert` for MONOCHROME1, so that bone is bright.
Window full_range_window(const float* values, size_t count);
std::vector<uint16_t> apply_window(const float* values, size_t count, const Window& window, int max_value, bool invert);

}  // namespace xr
