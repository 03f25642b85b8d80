// The VOI window (window.h): DICOM's stored values as web/dicom.js hands them over, and 16-bit PNG.
#include <gtest/gtest.h>

#include <vector>

#include "window.h"

namespace {

TEST(Window, FullRangeMapsTheLowestValueToZeroAndTheHighestToTheTop) {
  const std::vector<float> values{-1024.0f, 0.0f, 1000.0f, 3071.0f};
  const xr::Window w = xr::full_range_window(values.data(), values.size());
  EXPECT_DOUBLE_EQ(w.width, 4096.0);
  const std::vector<uint16_t> out = xr::apply_window(values.data(), values.size(), w, 65535, false);
  EXPECT_EQ(out.front(), 0);
  EXPECT_EQ(out.back(), 65535);
  EXPECT_LT(out[1], out[2]);
}

TEST(Window, MonochromeOneIsInvertedSoThatBoneIsBright) {
  const std::vector<float> values{0.0f, 255.0f};
  const xr::Window w = xr::full_range_window(values.data(), values.size());
  const std::vector<uint16_t> plain = xr::apply_window(values.data(), values.size(), w, 255, false);
  const std::vector<uint16_t> inverted = xr::apply_window(values.data(), values.size(), w, 255, true);
  EXPECT_EQ(plain, (std::vector<uint16_t>{0, 255}));
  EXPECT_EQ(inverted, (std::vector<uint16_t>{255, 0}));
}

TEST(Window, AFileWindowClipsOutsideItAndIsLinearInside) {
  // DICOM PS3.3 C.11.2.1.2.1: center 100.5, width 101 maps 50..150 onto 0..255
  const std::vector<float> values{0.0f, 50.0f, 100.0f, 150.0f, 400.0f};
  const std::vector<uint16_t> out = xr::apply_window(values.data(), values.size(), {100.5, 101}, 255, false);
  EXPECT_EQ(out, (std::vector<uint16_t>{0, 0, 128, 255, 255}));
}

TEST(Window, SixteenBitImagesUseTheSameArithmetic) {
  const std::vector<float> values{1000.0f, 2000.0f, 3000.0f};
  xr::GrayImage image;
  image.width = 3;
  image.height = 1;
  image.max_value = 65535;
  image.pixels = {1000, 2000, 3000};
  const xr::Window w = xr::full_range_window(image);
  xr::apply_window(image, w);
  const xr::Window wf = xr::full_range_window(values.data(), values.size());
  EXPECT_DOUBLE_EQ(w.center, wf.center);
  EXPECT_EQ(image.pixels, xr::apply_window(values.data(), values.size(), wf, 65535, false));
}

}  // namespace
