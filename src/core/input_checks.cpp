#include "input_checks.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace xr {

ImageStats image_stats(const Gray8& c) {
  ImageStats s;
  const size_t n = c.pixels.size();
  if (n == 0) return s;
  double sum = 0, sum2 = 0;
  for (uint8_t v : c.pixels) {
    sum += v;
    sum2 += static_cast<double>(v) * v;
  }
  s.mean = sum / n;
  s.stddev = std::sqrt(std::fmax(0.0, sum2 / n - s.mean * s.mean));
  double lap = 0;
  size_t count = 0;
  for (int y = 1; y + 1 < c.height; ++y) {
    const uint8_t* row = c.pixels.data() + static_cast<size_t>(y) * c.width;
    for (int x = 1; x + 1 < c.width; ++x) {
      lap += std::abs(4 * row[x] - row[x - 1] - row[x + 1] - row[x - c.width] - row[x + c.width]);
      ++count;
    }
  }
  s.roughness = count ? (lap / count) / std::fmax(s.stddev, 1.0) : 0.0;
  return s;
}

InputCheck check_input(const DecodeResult& decoded, const Gray8& canonical) {
  InputCheck r;
  char buf[200];
  if (decoded.colour_fraction > kMaxColourFraction) {
    std::snprintf(buf, sizeof buf, "this is a colour image (%.0f%% of its pixels are coloured); X-rays are gray.",
                  decoded.colour_fraction * 100);
    return {"colour", buf};
  }
  const ImageStats s = image_stats(canonical);
  if (s.stddev < kMinStddev) return {"blank", "the image is blank or nearly uniform."};
  if (s.roughness > kMaxRoughness) return {"noise", "the image looks like noise, not like an X-ray."};
  return r;
}

}  // namespace xr
