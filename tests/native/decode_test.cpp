#include "decode.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "file_layout.h"
#include "png_fixture.h"

#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>

namespace {

// samples: gray (comp 1) or RGB (comp 3)
std::vector<uint8_t> jpeg_of(int w, int h, const std::vector<uint8_t>& samples, int comp = 1, int quality = 95) {
  std::vector<uint8_t> out;
  stbi_write_jpg_to_func(
      [](void* ctx, void* data, int n) {
        auto* v = static_cast<std::vector<uint8_t>*>(ctx);
        v->insert(v->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + n);
      },
      &out, w, h, comp, samples.data(), quality);
  return out;
}

TEST(Decode, EmptyFileIsAnError) {
  const auto r = xr::decode_image(nullptr, 0);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("empty"), std::string::npos);
}

TEST(Decode, TextIsNotAnImage) {
  const std::string html = "<html><body>not an image</body></html>";
  const auto r = xr::decode_image(reinterpret_cast<const uint8_t*>(html.data()), html.size());
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("none of PNG, JPEG"), std::string::npos);
}

TEST(Decode, FormatIsTheSignatureDecodeTakes) {
  const auto png = fixture::make_png(2, 2, 0, 8, {0, 1, 2, 3});
  EXPECT_EQ(xr::image_format(png.data(), png.size()), "PNG");
  EXPECT_EQ(xr::image_format(png.data(), 8), "PNG");
  EXPECT_EQ(xr::image_format(png.data(), 7), "");  // a truncated signature is not enough
  const uint8_t jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0};
  EXPECT_EQ(xr::image_format(jpeg, sizeof jpeg), "JPEG");
  const std::string dicom(132, '\0');
  EXPECT_EQ(xr::image_format(reinterpret_cast<const uint8_t*>(dicom.data()), dicom.size()), "");
  EXPECT_EQ(xr::image_format(nullptr, 0), "");
}

TEST(Decode, RgbToGrayIsRec601Luma) {
  // red, green, blue, white: 0.299*255 = 76.2, 0.587*255 = 149.7, 0.114*255 = 29.1
  const auto png = fixture::make_png(4, 1, 2, 8, {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255});
  const auto r = xr::decode_image(png.data(), png.size());
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.channels, 3);
  EXPECT_EQ(r.image.pixels, (std::vector<uint16_t>{76, 150, 29, 255}));
}

TEST(Decode, ColourIsMeasuredAgainstTheImagesOwnTint) {
  // A purple-tinted gray ramp (a duotone figure) is not a colour image...
  std::vector<uint16_t> tinted;
  for (int i = 0; i < 256; ++i) tinted.insert(tinted.end(), {static_cast<uint16_t>(i * 3 / 4), static_cast<uint16_t>(i / 2),
                                                               static_cast<uint16_t>(std::min(255, i * 5 / 4))});
  auto png = fixture::make_png(256, 1, 2, 8, tinted);
  EXPECT_LT(xr::decode_image(png.data(), png.size()).colour_fraction, 0.01);
  // ...but pure red beside gray of the same luma (76) is: every pixel departs from their mean colour.
  std::vector<uint16_t> mixed;
  for (int i = 0; i < 32; ++i) mixed.insert(mixed.end(), {255, 0, 0, 76, 76, 76});
  png = fixture::make_png(64, 1, 2, 8, mixed);
  const auto r = xr::decode_image(png.data(), png.size());
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r.colour_fraction, 1.0);
}

TEST(Decode, AlphaIsCompositedOnBlack) {
  const auto png = fixture::make_png(2, 1, 6, 8, {200, 200, 200, 255, 200, 200, 200, 128});
  const auto r = xr::decode_image(png.data(), png.size());
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.image.pixels[0], 200);
  EXPECT_EQ(r.image.pixels[1], 100);  // 200 * 128 / 255 = 100.4
  EXPECT_EQ(r.colour_fraction, 0.0);
}

TEST(Decode, GrayAlpha) {
  const auto png = fixture::make_png(1, 1, 4, 8, {255, 51});
  const auto r = xr::decode_image(png.data(), png.size());
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.image.pixels[0], 51);
}

TEST(Decode, SixteenBitKeepsFullPrecision) {
  const auto png = fixture::make_png(3, 1, 0, 16, {0, 1000, 65535});
  const auto r = xr::decode_image(png.data(), png.size());
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.bit_depth, 16);
  EXPECT_EQ(r.image.max_value, 65535);
  EXPECT_EQ(r.image.pixels, (std::vector<uint16_t>{0, 1000, 65535}));
}

TEST(Decode, SixteenBitTakesItsFullRangeAsWindow) {
  // as a DICOM file without a window: the lowest value to 0, the highest to 65535 (web/dicom.js)
  const auto png = fixture::make_png(4, 1, 0, 16, {1000, 2000, 3000, 1001});
  const auto r = xr::decode_image(png.data(), png.size());
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.image.pixels, (std::vector<uint16_t>{0, 32768, 65535, 33}));
  EXPECT_DOUBLE_EQ(r.window.center, 2000.5);
  EXPECT_DOUBLE_EQ(r.window.width, 2001);
  const auto eight = fixture::make_png(2, 1, 0, 8, {10, 20});
  const auto e = xr::decode_image(eight.data(), eight.size());
  EXPECT_EQ(e.image.pixels, (std::vector<uint16_t>{10, 20}));  // 8-bit files keep their values
  EXPECT_EQ(e.window.width, 0);
}

TEST(Decode, OversizedHeaderIsRefusedBeforeDecoding) {
  // A "bomb": the header claims 20000 x 20000 but the file is tiny.
  const auto png = fixture::make_png(20000, 20000, 0, 8, {}, /*write_pixels=*/false);
  const auto r = xr::decode_image(png.data(), png.size());
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("too large"), std::string::npos) << r.error;
}

TEST(Decode, SixtyMegapixelLimit) {
  const auto png = fixture::make_png(10000, 7000, 0, 8, {}, false);  // 70 MP, both sides < 16384
  const auto r = xr::decode_image(png.data(), png.size());
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("60 megapixels"), std::string::npos) << r.error;
}

TEST(Decode, JpegGrayRoundTrip) {
  std::vector<uint8_t> gray(64 * 64, 128);
  const auto jpg = jpeg_of(64, 64, gray);
  const auto r = xr::decode_image(jpg.data(), jpg.size());
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.format, "JPEG");
  EXPECT_EQ(r.image.width, 64);
  EXPECT_NEAR(r.image.at(10, 10), 128, 2);
  EXPECT_TRUE(r.warning.empty());
}

// A colour JPEG is read as RGBA where the budget has room for the fourth channel, else as RGB: the same
// answer either way, and no file the budget allowed before is refused for the fourth channel.
TEST(Decode, ColourJpegAtTheEdgeOfTheBudget) {
  const int w = 1001, h = 701;
  std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>((i * 37 + i / 3 * 11) % 256);
  const std::vector<uint8_t> jpg = jpeg_of(w, h, rgb, 3, 90);
  const auto roomy = xr::decode_image(jpg.data(), jpg.size());
  ASSERT_TRUE(roomy.ok()) << roomy.error;
  EXPECT_EQ(roomy.channels, 3);
  EXPECT_GT(roomy.colour_fraction, 0.1);
  const long long peak = xr::decode_peak_bytes(xr::jpeg_layout(jpg.data(), jpg.size()), "JPEG", w, h, jpg.size());
  const long long px = static_cast<long long>(w) * h;
  for (const long long budget : {peak + px, peak + px - 1}) {  // RGBA just fits; RGB
    const auto d = xr::decode_image(jpg.data(), jpg.size(), budget);
    ASSERT_TRUE(d.ok()) << d.error << " budget " << budget - peak << " over the RGB estimate";
    EXPECT_EQ(d.image.pixels, roomy.image.pixels);
    EXPECT_EQ(d.colour_fraction, roomy.colour_fraction);
    EXPECT_EQ(d.channels, 3);
  }
  EXPECT_FALSE(xr::decode_image(jpg.data(), jpg.size(), peak - 1).ok());
}

TEST(Decode, TruncatedJpegWarns) {
  std::vector<uint8_t> gray(64 * 64);
  for (size_t i = 0; i < gray.size(); ++i) gray[i] = static_cast<uint8_t>(i * 7);
  auto jpg = jpeg_of(64, 64, gray);
  for (size_t keep : {jpg.size() - 2, jpg.size() * 2 / 3, jpg.size() / 3}) {
    const auto r = xr::decode_image(jpg.data(), keep);
    // never a silent success: either an error, or decoded with the truncation warning
    EXPECT_TRUE(!r.ok() || r.warning.find("truncated") != std::string::npos) << keep;
  }
}

TEST(Decode, TruncatedPngIsAnError) {
  std::vector<uint16_t> px(32 * 32, 77);
  auto png = fixture::make_png(32, 32, 0, 8, px);
  png.resize(png.size() / 2);
  const auto r = xr::decode_image(png.data(), png.size());
  EXPECT_FALSE(r.ok());
}

}  // namespace
