// decode_samples and open_decoded_study: the entry for images decoded outside the core (DICOM).
#include <gtest/gtest.h>

#include <vector>

#include "decode.h"
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
