#include <gtest/gtest.h>

#include <cmath>

#include "contract.h"
#include "lung_field.h"

namespace {

constexpr int N = xr::kCanonicalSize;

struct Ellipse {
  double cx, cy, rx, ry;
};

std::vector<uint8_t> mask_of(std::initializer_list<Ellipse> lungs) {
  std::vector<uint8_t> m(static_cast<size_t>(N) * N, 0);
  for (int y = 0; y < N; ++y)
    for (int x = 0; x < N; ++x)
      for (const auto& e : lungs)
        if (std::pow((x - e.cx) / e.rx, 2) + std::pow((y - e.cy) / e.ry, 2) <= 1) m[static_cast<size_t>(y) * N + x] = 200;
  return m;
}

xr::Gray8 gradient_image() {
  xr::Gray8 g{N, N, std::vector<uint8_t>(static_cast<size_t>(N) * N)};
  for (int y = 0; y < N; ++y)
    for (int x = 0; x < N; ++x) g.pixels[static_cast<size_t>(y) * N + x] = static_cast<uint8_t>((x + y) / 2);
  return g;
}

const Ellipse kRight{88, 120, 34, 70}, kLeft{168, 120, 34, 70};

TEST(LungField, TwoLungsGiveASquareBoxWithMarginAndNoGateReason) {
  const auto lf = xr::lung_field(gradient_image(), mask_of({kRight, kLeft}).data());
  EXPECT_EQ(lf.reason, "");
  EXPECT_EQ(lf.lungs, 2);
  EXPECT_EQ(lf.box.width, lf.box.height);
  // lungs span x 54..202, y 50..190 (149 x 141): side = 149 * 1.16 = 173, centred on the lungs
  EXPECT_NEAR(lf.box.width, 173, 1);
  EXPECT_NEAR(lf.box.x + lf.box.width / 2.0, 128, 1);
  EXPECT_NEAR(lf.box.y + lf.box.height / 2.0, 120, 1);
  EXPECT_NEAR(lf.area_fraction, 2 * M_PI * 34 * 70 / (N * N), 0.01);
  ASSERT_EQ(lf.input.size(), static_cast<size_t>(xr::kInputSize) * xr::kInputSize);
}

TEST(LungField, InsideTheLungsTheImageIsResampledOutsideItIsTheLungMean) {
  const auto img = gradient_image();
  const auto lf = xr::lung_field(img, mask_of({kRight, kLeft}).data());
  const double step = lf.box.width / static_cast<double>(xr::kInputSize);
  auto at = [&](int u, int v) { return static_cast<int>(lf.input[static_cast<size_t>(v) * xr::kInputSize + u]); };
  // the centre of the right lung: the gradient's value there
  const int u = static_cast<int>((kRight.cx - lf.box.x) / step), v = static_cast<int>((kRight.cy - lf.box.y) / step);
  const double sx = lf.box.x + (u + 0.5) * step - 0.5, sy = lf.box.y + (v + 0.5) * step - 0.5;
  EXPECT_NEAR(at(u, v), (sx + sy) / 2, 1.0);
  // the corners are far outside both lungs: all the same fill value, the mean gray of the lungs
  EXPECT_EQ(at(0, 0), at(xr::kInputSize - 1, 0));
  EXPECT_EQ(at(0, 0), at(xr::kInputSize - 1, xr::kInputSize - 1));
  EXPECT_NEAR(at(0, 0), (128 + 120) / 2.0, 3);
  EXPECT_EQ(lf.weight[0], 0);
  EXPECT_EQ(lf.weight[static_cast<size_t>(v) * xr::kInputSize + u], 255);
}

TEST(LungField, SmallSpecksAreDroppedFromTheMask) {
  auto m = mask_of({kRight, kLeft, Ellipse{20, 20, 3, 3}});
  const auto lf = xr::lung_field(gradient_image(), m.data());
  EXPECT_EQ(lf.lungs, 2);
  EXPECT_EQ(lf.mask.pixels[20 * N + 20], 0);
  EXPECT_EQ(lf.mask.pixels[120 * N + 88], 255);
}

TEST(LungField, AnEmptyMaskFallsBackToTheCentralBoxAndIsFlagged) {
  const std::vector<uint8_t> none(static_cast<size_t>(N) * N, 0);
  const auto img = gradient_image();
  const auto lf = xr::lung_field(img, none.data());
  EXPECT_EQ(lf.reason, "lungs_small");
  EXPECT_FALSE(lf.message.empty());
  EXPECT_EQ(lf.box.x, xr::kInputOffset);
  EXPECT_EQ(lf.box.width, xr::kInputSize);
  // no masking: the input is the central 224 of the canonical image, as in contract v1
  EXPECT_EQ(lf.input[0], img.pixels[static_cast<size_t>(xr::kInputOffset) * N + xr::kInputOffset]);
}

TEST(LungField, OneLungIsFlagged) {
  EXPECT_EQ(xr::lung_field(gradient_image(), mask_of({kRight}).data()).reason, "lungs_one_side");
}

TEST(LungField, TwoRegionsNotSideBySideAreFlagged) {
  // a lung and, lower down to its side, a dark corner taken for lung: their heights overlap by 41% of the shorter
  const auto lf = xr::lung_field(gradient_image(), mask_of({{88, 90, 34, 50}, {200, 150, 34, 50}}).data());
  EXPECT_EQ(lf.reason, "lungs_unpaired");
  EXPECT_FALSE(lf.message.empty());
  // lungs of unequal height that overlap well are a pair
  EXPECT_EQ(xr::lung_field(gradient_image(), mask_of({kRight, {168, 110, 34, 55}}).data()).reason, "");
}

TEST(LungField, LungsInACornerAreFlagged) {
  const auto lf = xr::lung_field(gradient_image(), mask_of({{35, 45, 22, 38}, {87, 45, 22, 38}}).data());
  EXPECT_EQ(lf.reason, "lungs_off_centre");
}

TEST(LungField, AMaskCoveringAlmostEverythingIsFlagged) {
  const std::vector<uint8_t> all(static_cast<size_t>(N) * N, 255);
  EXPECT_EQ(xr::lung_field(gradient_image(), all.data()).reason, "lungs_large");
}

TEST(LungField, RegionMapsTheBoxThroughTheCentralSquare) {
  const auto r = xr::lung_field_region(1000, 800, {32, 16, 128, 128});
  // square 800 px at x 100; scale 800/256 = 3.125
  EXPECT_DOUBLE_EQ(r.x, 100 + 32 * 3.125);
  EXPECT_DOUBLE_EQ(r.y, 16 * 3.125);
  EXPECT_DOUBLE_EQ(r.width, 400);
}

}  // namespace
