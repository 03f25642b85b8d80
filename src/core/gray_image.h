// A decoded single-channel image. Samples are 8-bit (max_value 255) or 16-bit (max_value 65535),
// stored as uint16 either way so that one code path serves both.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace xr {

struct GrayImage {
  int width = 0;
  int height = 0;
  int max_value = 255;
  std::vector<uint16_t> pixels;  // row-major, width * height

  bool empty() const { return pixels.empty(); }
  uint16_t at(int x, int y) const { return pixels[static_cast<size_t>(y) * width + x]; }
};

// An 8-bit gray raster (canonical image, display image, labelled copy).
struct Gray8 {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;
};

}  // namespace xr
