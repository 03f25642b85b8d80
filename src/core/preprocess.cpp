#include "preprocess.h"

#include <algorithm>

#include "contract.h"
#include "resize.h"

namespace xr {

RegionF model_input_region(int width, int height) {
  const int side = std::min(width, height);
  const double scale = static_cast<double>(side) / kCanonicalSize;
  return {(width - side) / 2 + kInputOffset * scale, (height - side) / 2 + kInputOffset * scale, kInputSize * scale,
          kInputSize * scale};
}

Gray8 canonical_image(const GrayImage& image) {
  const int side = std::min(image.width, image.height);
  const Rect square{(image.width - side) / 2, (image.height - side) / 2, side, side};
  const Gray8 effective = area_resize(image, square, kEffectiveSize, kEffectiveSize);
  GrayImage wide{kEffectiveSize, kEffectiveSize, 255, {effective.pixels.begin(), effective.pixels.end()}};
  return area_resize(wide, Rect{0, 0, kEffectiveSize, kEffectiveSize}, kCanonicalSize, kCanonicalSize);
}

std::vector<float> model_input(const Gray8& canonical) {
  std::vector<float> input(static_cast<size_t>(kInputSize) * kInputSize);
  for (int y = 0; y < kInputSize; ++y) {
    const uint8_t* row = canonical.pixels.data() + static_cast<size_t>(y + kInputOffset) * canonical.width + kInputOffset;
    std::copy(row, row + kInputSize, input.begin() + static_cast<std::ptrdiff_t>(y) * kInputSize);
  }
  return input;
}

Gray8 display_image(const GrayImage& image, int max_side) {
  const int longer = std::max(image.width, image.height);
  int w = image.width, h = image.height;
  if (longer > max_side) {
    w = std::max(1, static_cast<int>(static_cast<long long>(image.width) * max_side / longer));
    h = std::max(1, static_cast<int>(static_cast<long long>(image.height) * max_side / longer));
  }
  return area_resize(image, Rect{0, 0, image.width, image.height}, w, h);
}

}  // namespace xr
