#include "window.h"

#include <algorithm>
#include <cmath>

namespace xr {

Window full_range_window(const GrayImage& image) {
  if (image.pixels.empty()) return {};
  const auto [lo, hi] = std::minmax_element(image.pixels.begin(), image.pixels.end());
  // the linear function maps [c - 0.5 - (w-1)/2, c - 0.5 + (w-1)/2] onto the output range
  return {(*lo + *hi) / 2.0 + 0.5, std::max(1.0, static_cast<double>(*hi) - *lo) + 1};
}

// The same arithmetic as windowed() in web/dicom.js, so that both round alike.
void apply_window(GrayImage& image, const Window& window) {
  const double c = window.center - 0.5, half = (window.width - 1) / 2, max = image.max_value;
  for (auto& p : image.pixels) {
    const double x = p;
    double y = x <= c - half ? 0 : x > c + half ? max : ((x - c) / std::max(window.width - 1, 1.0) + 0.5) * max;
    y = std::min(max, std::max(0.0, std::floor(y + 0.5)));  // JS Math.round: half up
    p = static_cast<uint16_t>(y);
  }
}

}  // namespace xr
