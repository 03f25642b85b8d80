#include "window.h"

#include <algorithm>
#include <cmath>

namespace xr {
namespace {

template <typename T>
Window full_range(const T* values, size_t count) {
  if (count == 0) return {};
  const auto [lo, hi] = std::minmax_element(values, values + count);
  // the linear function maps [c - 0.5 - (w-1)/2, c - 0.5 + (w-1)/2] onto the output range
  return {(static_cast<double>(*lo) + *hi) / 2.0 + 0.5, std::max(1.0, static_cast<double>(*hi) - *lo) + 1};
}

template <typename T>
void window_into(const T* values, size_t count, const Window& window, double max, bool invert, uint16_t* out) {
  const double c = window.center - 0.5, half = (window.width - 1) / 2;
  for (size_t i = 0; i < count; ++i) {
    const double x = values[i];
    double y = x <= c - half ? 0 : x > c + half ? max : ((x - c) / std::max(window.width - 1, 1.0) + 0.5) * max;
    y = std::min(max, std::max(0.0, std::floor(y + 0.5)));  // half up
    out[i] = static_cast<uint16_t>(invert ? max - y : y);
  }
}

}  // namespace

Window full_range_window(const GrayImage& image) { return full_range(image.pixels.data(), image.pixels.size()); }

void apply_window(GrayImage& image, const Window& window) {
  window_into(image.pixels.data(), image.pixels.size(), window, image.max_value, false, image.pixels.data());
}

Window full_range_window(const float* values, size_t count) { return full_range(values, count); }

std::vector<uint16_t> apply_window(const float* values, size_t count, const Window& window, int max_value, bool invert) {
  std::vector<uint16_t> out(count);
  window_into(values, count, window, max_value, invert, out.data());
  return out;
}

}  // namespace xr
