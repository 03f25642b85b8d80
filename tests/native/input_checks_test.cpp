#include "input_checks.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>

namespace {

xr::Gray8 canonical_of(const std::function<uint8_t(int, int)>& f) {
  xr::Gray8 g;
  g.width = g.height = 256;
  g.pixels.resize(256 * 256);
  for (int y = 0; y < 256; ++y)
    for (int x = 0; x < 256; ++x) g.pixels[y * 256 + x] = f(x, y);
  return g;
}

TEST(InputChecks, SmoothImageWithContrastPasses) {
  const auto c = canonical_of([](int x, int y) { return static_cast<uint8_t>(40 + (x + y) / 3); });
  xr::DecodeResult d;
  EXPECT_TRUE(xr::check_input(d, c).ok());
  const auto s = xr::image_stats(c);
  EXPECT_GT(s.stddev, 20);
  EXPECT_LT(s.roughness, 0.1);
}

TEST(InputChecks, BlankNoiseAndColourAreRefused) {
  xr::DecodeResult d;
  EXPECT_EQ(xr::check_input(d, canonical_of([](int, int) { return uint8_t{128}; })).reason, "blank");
  std::mt19937 rng(1);
  EXPECT_EQ(xr::check_input(d, canonical_of([&](int, int) { return static_cast<uint8_t>(rng() & 0xFF); })).reason, "noise");
  d.colour_fraction = 0.3;
  const auto r = xr::check_input(d, canonical_of([](int x, int) { return static_cast<uint8_t>(x); }));
  EXPECT_EQ(r.reason, "colour");
  EXPECT_NE(r.message.find("30%"), std::string::npos);
}

}  // namespace
