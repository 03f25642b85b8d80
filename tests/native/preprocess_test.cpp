#include <gtest/gtest.h>

#include "contract.h"
#include "preprocess.h"
#include "resize.h"

namespace {

xr::GrayImage image_of(int w, int h, std::vector<uint16_t> px, int max_value = 255) {
  xr::GrayImage g;
  g.width = w;
  g.height = h;
  g.max_value = max_value;
  g.pixels = std::move(px);
  return g;
}

TEST(AreaResize, HalvingAveragesTwoByTwoBlocks) {
  const auto img = image_of(4, 4, {0, 2, 10, 10,  //
                                   4, 6, 10, 10,  //
                                   100, 100, 1, 1,  //
                                   100, 101, 1, 2});
  const auto out = xr::area_resize(img, {0, 0, 4, 4}, 2, 2);
  // (0+2+4+6)/4 = 3; 10; (100+100+100+101)/4 = 100.25 -> 100; (1+1+1+2)/4 = 1.25 -> 1
  EXPECT_EQ(out.pixels, (std::vector<uint8_t>{3, 10, 100, 1}));
}

TEST(AreaResize, ThirdsUseFractionalCoverage) {
  // 3 -> 2: output 0 covers source [0, 1.5): (1*a + 0.5*b) / 1.5
  const auto img = image_of(3, 1, {0, 90, 180});
  const auto out = xr::area_resize(img, {0, 0, 3, 1}, 2, 1);
  EXPECT_EQ(out.pixels[0], 30);   // (0 + 45) / 1.5
  EXPECT_EQ(out.pixels[1], 150);  // (45 + 180) / 1.5
}

TEST(AreaResize, EnlargingRepeatsPixels) {
  const auto img = image_of(2, 1, {10, 20});
  const auto out = xr::area_resize(img, {0, 0, 2, 1}, 4, 1);
  EXPECT_EQ(out.pixels, (std::vector<uint8_t>{10, 10, 20, 20}));
}

TEST(AreaResize, SixteenBitIsScaledTo8Bit) {
  const auto img = image_of(3, 1, {0, 257 * 100, 65535}, 65535);
  const auto out = xr::area_resize(img, {0, 0, 3, 1}, 3, 1);
  EXPECT_EQ(out.pixels, (std::vector<uint8_t>{0, 100, 255}));
}

TEST(Canonical, CentralSquareOfAWideImage) {
  // 512 x 256: left quarter 0, middle half 200, right quarter 0 -> the central square is all 200.
  std::vector<uint16_t> px(512 * 256);
  for (int y = 0; y < 256; ++y)
    for (int x = 0; x < 512; ++x) px[y * 512 + x] = (x >= 128 && x < 384) ? 200 : 0;
  const auto c = xr::canonical_image(image_of(512, 256, px));
  ASSERT_EQ(c.width, xr::kCanonicalSize);
  ASSERT_EQ(c.height, xr::kCanonicalSize);
  for (uint8_t v : c.pixels) ASSERT_EQ(v, 200);
}

TEST(Canonical, CentralSquareOfATallImage) {
  // 2 x 4: rows 0 and 3 are cut away; rows 1 and 2 remain.
  const auto c = xr::canonical_image(image_of(2, 4, {9, 9, 10, 20, 30, 40, 9, 9}));
  EXPECT_EQ(c.pixels[0], 10);
  EXPECT_EQ(c.pixels[255], 20);
  EXPECT_EQ(c.pixels[255 * 256], 30);
  EXPECT_EQ(c.pixels[256 * 256 - 1], 40);
}

// Contract v3: one effective resolution. A fine stripe pattern at 448 px reaches the canonical image only
// as what survives at 224 px (each pair of stripes averages to its mean), exactly as the same picture
// stored at 224 px would.
TEST(Canonical, SharpnessAbove224PxIsGone) {
  std::vector<uint16_t> fine(448 * 448), coarse(224 * 224);
  for (int y = 0; y < 448; ++y)
    for (int x = 0; x < 448; ++x) fine[y * 448 + x] = (x % 2) ? 200 : 100;
  for (auto& v : coarse) v = 150;
  const auto a = xr::canonical_image(image_of(448, 448, fine));
  const auto b = xr::canonical_image(image_of(224, 224, coarse));
  EXPECT_EQ(a.pixels, b.pixels);
  for (uint8_t v : a.pixels) ASSERT_EQ(v, 150);
}

TEST(Canonical, A224PxImageIsOnlyEnlarged) {
  // At the effective size the first step is the identity; the second enlarges 224 -> 256 by area.
  std::vector<uint16_t> px(224 * 224);
  for (int y = 0; y < 224; ++y)
    for (int x = 0; x < 224; ++x) px[y * 224 + x] = static_cast<uint16_t>((x * 7 + y * 3) % 256);
  const auto img = image_of(224, 224, px);
  EXPECT_EQ(xr::canonical_image(img).pixels, xr::area_resize(img, {0, 0, 224, 224}, 256, 256).pixels);
}

TEST(ModelInput, IsTheCentral224OfTheCanonicalImage) {
  xr::Gray8 c;
  c.width = c.height = xr::kCanonicalSize;
  c.pixels.resize(256 * 256);
  for (int y = 0; y < 256; ++y)
    for (int x = 0; x < 256; ++x) c.pixels[y * 256 + x] = static_cast<uint8_t>((x + 3 * y) & 0xFF);
  const auto in = xr::model_input(c);
  ASSERT_EQ(in.size(), 224u * 224u);
  EXPECT_FLOAT_EQ(in[0], static_cast<float>((16 + 3 * 16) & 0xFF));
  EXPECT_FLOAT_EQ(in[223], static_cast<float>((239 + 3 * 16) & 0xFF));
  EXPECT_FLOAT_EQ(in[224 * 224 - 1], static_cast<float>((239 + 3 * 239) & 0xFF));
}

TEST(ModelInputRegion, CentralPartOfTheCentralSquare) {
  const auto r = xr::model_input_region(512, 256);  // square: x 128..384; input: 14/16 of it, centred
  EXPECT_DOUBLE_EQ(r.x, 128 + 16);
  EXPECT_DOUBLE_EQ(r.y, 16);
  EXPECT_DOUBLE_EQ(r.width, 224);
  EXPECT_DOUBLE_EQ(r.height, 224);
  const auto t = xr::model_input_region(100, 300);
  EXPECT_DOUBLE_EQ(t.x, 100.0 * 16 / 256);
  EXPECT_DOUBLE_EQ(t.y, 100 + 100.0 * 16 / 256);
  EXPECT_DOUBLE_EQ(t.width, 100.0 * 224 / 256);
}

TEST(Display, LongerSideIsCapped) {
  const auto d = xr::display_image(image_of(4000, 2000, std::vector<uint16_t>(4000 * 2000, 7)), 2048);
  EXPECT_EQ(d.width, 2048);
  EXPECT_EQ(d.height, 1024);
  EXPECT_EQ(d.pixels[12345], 7);
}

TEST(Display, SmallImagesAreNotEnlarged) {
  const auto d = xr::display_image(image_of(3, 2, {1, 2, 3, 4, 5, 6}), 2048);
  EXPECT_EQ(d.width, 3);
  EXPECT_EQ(d.height, 2);
  EXPECT_EQ(d.pixels, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));
}

}  // namespace
