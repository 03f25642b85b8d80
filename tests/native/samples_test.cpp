// decode_samples and open_decoded_study: the entry for images decoded outside the core (DICOM).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "decode.h"
#include "decode_common.h"
#include "study.h"

namespace {

TEST(DecodeSamples, GrayKeepsSamplesAndScale) {
  const std::vector<uint16_t> s = {0, 1000, 65535, 32768};
  const xr::DecodeResult d = xr::decode_samples(s.data(), s.size(), 2, 2, 1, 65535, "DICOM", 16);
  ASSERT_TRUE(d.ok()) << d.error;
  EXPECT_EQ(d.image.pixels, s);
  EXPECT_EQ(d.image.max_value, 65535);
  EXPECT_EQ(d.format, "DICOM");
  EXPECT_EQ(d.bit_depth, 16);
  EXPECT_EQ(d.colour_fraction, 0.0);
}

TEST(DecodeSamples, RgbUsesRec601) {
  const std::vector<uint16_t> s = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 10, 10};
  const xr::DecodeResult d = xr::decode_samples(s.data(), s.size(), 2, 2, 3, 255, "DICOM", 8);
  ASSERT_TRUE(d.ok()) << d.error;
  EXPECT_EQ(d.image.pixels, (std::vector<uint16_t>{76, 150, 29, 10}));
  EXPECT_EQ(d.channels, 3);
}

TEST(DecodeSamples, ColourMeasureAtEveryScale) {
  // 16-bit: three gray pixels and a red one of the same luma (3887); the red one is more than 65535 / 16
  // from their mean colour
  const std::vector<uint16_t> wide = {3887, 3887, 3887, 3887, 3887, 3887, 3887, 3887, 3887, 13000, 0, 0};
  EXPECT_DOUBLE_EQ(xr::decode_samples(wide.data(), wide.size(), 2, 2, 3, 65535, "DICOM", 16).colour_fraction, 0.25);
  // 1-bit colour: (1,0,0) and (0,0,0) share luma 0, whose mean red 0.5 is more than 1/16 from both; no
  // integer lies close enough to the mean, so every pixel of the bin departs
  const std::vector<uint16_t> tiny = {1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
  EXPECT_DOUBLE_EQ(xr::decode_samples(tiny.data(), tiny.size(), 2, 2, 3, 1, "DICOM", 1).colour_fraction, 0.5);
}

// The rule of decode_common.cpp's colour measure, written plainly: bin the pixels by luma (the top 8 bits
// past 8-bit samples), and count those with a channel more than max / 16 from its bin's mean.
double colour_rule(const std::vector<uint16_t>& rgb, const std::vector<uint16_t>& luma, int max) {
  const int shift = max > 255 ? 8 : 0;
  std::vector<double> sum(256 * 3, 0.0), n(256, 0.0);
  for (size_t i = 0; i < luma.size(); ++i) {
    for (int c = 0; c < 3; ++c) sum[(luma[i] >> shift) * 3 + c] += rgb[i * 3 + c];
    n[luma[i] >> shift] += 1;
  }
  size_t departing = 0;
  for (size_t i = 0; i < luma.size(); ++i) {
    bool departs = false;
    for (int c = 0; c < 3; ++c)
      departs |= std::abs(rgb[i * 3 + c] - sum[(luma[i] >> shift) * 3 + c] / n[luma[i] >> shift]) > max / 16.0;
    departing += departs;
  }
  return static_cast<double>(departing) / static_cast<double>(luma.size());
}

TEST(DecodeSamples, ColourMeasureIsTheRuleAsWritten) {
  std::mt19937 rng(7);
  // noise 0: gray pixels (R = G = B), which may skip the measure's passes; at 300 and 1023 a luma bin
  // (256 values wide) is wider than the tolerance, so gray pixels depart there as the rule is written
  for (const int max : {1, 15, 255, 300, 1023, 4095, 65535}) {
    for (const int noise : {0, 3, 40}) {
      const int w = 97, h = 61;  // odd sizes: the pass over alternate pixels ends on either
      std::vector<uint16_t> rgb(static_cast<size_t>(w) * h * 3), luma(static_cast<size_t>(w) * h);
      for (size_t i = 0; i < luma.size(); ++i) {
        const int base = static_cast<int>(rng() % (max + 1));
        for (int c = 0; c < 3; ++c) {
          const int jitter = noise == 0 ? 0 : static_cast<int>(rng() % (2 * noise * (max / 255 + 1) + 1)) - noise * (max / 255 + 1);
          rgb[i * 3 + c] = static_cast<uint16_t>(std::clamp(base + jitter, 0, max));
        }
        luma[i] = static_cast<uint16_t>((299u * rgb[i * 3] + 587u * rgb[i * 3 + 1] + 114u * rgb[i * 3 + 2] + 500u) / 1000u);
      }
      const xr::DecodeResult d = xr::decode_samples(rgb.data(), rgb.size(), w, h, 3, max, "DICOM", 16);
      ASSERT_TRUE(d.ok()) << d.error;
      EXPECT_EQ(d.image.pixels, luma) << max;
      EXPECT_DOUBLE_EQ(d.colour_fraction, colour_rule(rgb, luma, max)) << "max " << max << " noise " << noise;
    }
  }
}

// RGBA: gray and opaque skips the measure (0); gray with some alpha is measured on the blended luma.
TEST(DecodeSamples, ColourMeasureOfGrayWithAlpha) {
  std::mt19937 rng(11);
  const size_t n = 5000;
  std::vector<uint8_t> rgba(n * 4);
  std::vector<uint16_t> rgb(n * 3), luma(n);
  for (const bool opaque : {true, false}) {
    for (size_t i = 0; i < n; ++i) {
      const auto v = static_cast<uint8_t>(rng() % 256);
      const auto a = static_cast<uint8_t>(opaque || i % 3 ? 255 : rng() % 256);
      rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = v;
      rgba[i * 4 + 3] = a;
      rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = v;
      luma[i] = static_cast<uint16_t>((v * a + 127) / 255);
    }
    xr::DecodeResult d;
    xr::detail::to_gray(rgba.data(), 4, n, 255, d);
    EXPECT_EQ(d.image.pixels, luma);
    EXPECT_DOUBLE_EQ(d.colour_fraction, colour_rule(rgb, luma, 255)) << "opaque " << opaque;
    if (!opaque) EXPECT_GT(d.colour_fraction, 0.05);  // a gray of any alpha shares a bin with brighter grays
  }
  // opaque and gray but for one channel of one pixel, far from its bin's mean: that pixel departs
  for (size_t i = 0; i < n; ++i) rgba[i * 4 + 3] = 255;
  for (const int channel : {0, 1, 2}) {
    std::vector<uint8_t> one = rgba;
    one[2345 * 4 + static_cast<size_t>(channel)] ^= 0x80;
    xr::DecodeResult d;
    xr::detail::to_gray(one.data(), 4, n, 255, d);
    EXPECT_GT(d.colour_fraction, 0.0) << channel;
  }
}

TEST(DecodeSamples, RefusesWrongCountsAndSizes) {
  const std::vector<uint16_t> s(4, 0);
  EXPECT_FALSE(xr::decode_samples(s.data(), s.size(), 2, 3, 1, 255, "DICOM", 8).ok());
  EXPECT_FALSE(xr::decode_samples(s.data(), s.size(), 2, 2, 2, 255, "DICOM", 8).ok());
  EXPECT_FALSE(xr::decode_samples(s.data(), s.size(), 2, 2, 1, 0, "DICOM", 8).ok());
  EXPECT_FALSE(xr::decode_samples(nullptr, 0, 0, 2, 1, 255, "DICOM", 8).ok());
  const xr::DecodeResult big = xr::decode_samples(s.data(), s.size(), 20000, 20000, 1, 255, "DICOM", 8);
  EXPECT_NE(big.error.find("too large"), std::string::npos) << big.error;
}

TEST(OpenDecodedStudy, SameAsOpenStudyAfterDecode) {
  std::vector<uint16_t> s(300 * 200);
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<uint16_t>((i * 37) % 256);
  const xr::Study st = xr::open_decoded_study(xr::decode_samples(s.data(), s.size(), 300, 200, 1, 255, "DICOM", 8));
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st.canonical.width, 256);
  EXPECT_EQ(st.input.size(), 224u * 224u);
  const xr::Study bad = xr::open_decoded_study(xr::decode_samples(s.data(), 3, 300, 200, 1, 255, "DICOM", 8));
  EXPECT_FALSE(bad.ok());
  EXPECT_TRUE(bad.input.empty());
}

}  // namespace
