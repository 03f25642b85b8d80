#include "labelled_copy.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "decode.h"
#include "verdict.h"

namespace {

std::string xr_site_note() { return xr::site_threshold_note(0.41, 212, "2026-12-07"); }

TEST(LabelledCopy, AddsATextBandAboveAndKeepsTheImage) {
  xr::Gray8 img;
  img.width = 800;
  img.height = 600;
  img.pixels.assign(800 * 600, 90);
  const xr::CopyLabel label{"POSITIVE", 0.873, 0.42, "Model 1: COVID-19 vs Normal", "2026-11-25", "x.png"};
  const auto out = xr::labelled_copy(img, label);
  ASSERT_EQ(out.width, 800);
  ASSERT_GT(out.height, 600);
  const int band = out.height - 600;
  // the image is intact below the band
  EXPECT_TRUE(std::all_of(out.pixels.begin() + band * 800, out.pixels.end(), [](uint8_t v) { return v == 90; }));
  // the band holds white text on black
  const auto band_end = out.pixels.begin() + band * 800;
  const auto white = std::count(out.pixels.begin(), band_end, 255);
  EXPECT_GT(white, 500);
  EXPECT_GT(std::count(out.pixels.begin(), band_end, 0), white);
}

TEST(LabelledCopy, ASiteThresholdAddsItsLineToTheBand) {
  xr::Gray8 img;
  img.width = 800;
  img.height = 600;
  img.pixels.assign(800 * 600, 90);
  xr::CopyLabel label{"POSITIVE", 0.873, 0.42, "Model 1: COVID-19 vs Normal", "2026-11-25", "x.png"};
  const int plain = xr::labelled_copy(img, label).height;
  label.threshold_note = xr_site_note();
  EXPECT_GT(xr::labelled_copy(img, label).height, plain);
}

TEST(LabelledCopy, PngDecodesToTheSameImage) {
  xr::Gray8 img;
  img.width = 64;
  img.height = 48;
  img.pixels.resize(64 * 48);
  for (size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = static_cast<uint8_t>(i);
  const auto copy = xr::labelled_copy(img, {"NEGATIVE", 0.1, 0.5, "Model 2", "2026-01-01", "a.png"});
  const auto png = xr::encode_png(copy);
  const auto back = xr::decode_image(png.data(), png.size());
  ASSERT_TRUE(back.ok()) << back.error;
  ASSERT_EQ(back.image.width, copy.width);
  ASSERT_EQ(back.image.height, copy.height);
  for (size_t i = 0; i < copy.pixels.size(); ++i) ASSERT_EQ(back.image.pixels[i], copy.pixels[i]);
}

}  // namespace
