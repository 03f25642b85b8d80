// Headers of BMP, GIF, PNM and TGA files the core does not accept (issue 27) are refused by its own walk
// (raster_layout.cpp) with the reason, so stb_image 2.27 never parses them: it reads a PNM header's
// numbers into an int and overflows on a long one. tests/fuzz/regressions/pnm_* are fuzz_raster's finds.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "decode.h"
#include "file_layout.h"

namespace {

using Bytes = std::vector<uint8_t>;

std::string error_of(const std::string& file) {
  return xr::decode_image(reinterpret_cast<const uint8_t*>(file.data()), file.size()).error;
}

std::string corrupt(const std::string& format, const std::string& reason) {
  return "Not a readable " + format + " image (corrupt: " + reason + ").";
}

void put32(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>(v >> (8 * i) & 0xFF);
}

// A BMP with a 40-byte info header and 256 bytes of pixel data after it.
std::string bmp(int32_t w, int32_t h, int bpp) {
  std::string s(54 + 256, '\0');
  s[0] = 'B';
  s[1] = 'M';
  put32(s, 2, static_cast<uint32_t>(s.size()));
  put32(s, 10, 54);
  put32(s, 14, 40);
  put32(s, 18, static_cast<uint32_t>(w));
  put32(s, 22, static_cast<uint32_t>(h));
  s[26] = 1;
  s[28] = static_cast<char>(bpp);
  return s;
}

TEST(RasterHeaders, PnmNumbersTheCoreDoesNotAcceptAreCorrupt) {
  const std::string pixels(6000, '%');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"P5\n72 72\n4000000000" + pixels, "its largest value 4000000000 is not in 1..65535"},
      {"P5\n72 72\n" + std::string(40, '0') + pixels, "its largest value 0 is not in 1..65535"},
      {"P5\n72 72\n" + std::string(30, '0') + "99999999999999\n" + pixels, "its largest value has more digits than fit"},
      {"P5\n72 72\n65536\n" + pixels, "its largest value 65536 is not in 1..65535"},
      {"P6\n0 72\n255\n" + pixels, "its width is 0"},
      {"P5\n72 00\n255\n" + pixels, "its height is 0"},
      {"P5\n99999999999999999999 72\n255\n" + pixels, "its width has more digits than fit"},
      {"P5\n72 #x\n x\n255\n" + pixels, "no height in its header"},
      {"P5\n72 72\n999999999999999", "its largest value has more digits than fit"},  // cut inside the number
      {"P5\n72 72 ", "the file ends inside its header"},
  };
  for (const auto& [file, reason] : cases) EXPECT_EQ(error_of(file), corrupt("PNM", reason)) << file.substr(0, 40);
}

TEST(RasterHeaders, PnmSizeOverAnIntIsTooLargeBeforeStb) {
  const std::string e = error_of("P5\n4000000000 72\n255\n" + std::string(100, '\0'));
  EXPECT_NE(e.find("too large: 4000000000 x 72"), std::string::npos) << e;
}

TEST(RasterHeaders, FuzzFindsAreRefusedByTheCore) {
  int found = 0;
  for (const auto& entry : std::filesystem::directory_iterator(XR_FUZZ_REGRESSIONS)) {
    if (entry.path().filename().string().rfind("pnm_", 0) != 0) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string e = error_of(file);
    EXPECT_EQ(e.rfind("Not a readable PNM image (corrupt: its ", 0), 0u) << entry.path() << ": " << e;
    ++found;
  }
  EXPECT_GE(found, 3);
}

TEST(RasterHeaders, BmpSizesAndDepthsTheCoreDoesNotAcceptAreCorrupt) {
  EXPECT_EQ(error_of(bmp(0, 8, 8)), corrupt("BMP", "its size is 0 x 8"));
  EXPECT_EQ(error_of(bmp(-8, 8, 24)), corrupt("BMP", "its size is -8 x 8"));
  EXPECT_EQ(error_of(bmp(8, 0, 24)), corrupt("BMP", "its size is 8 x 0"));
  EXPECT_EQ(error_of(bmp(8, 8, 7)), corrupt("BMP", "7 bits a pixel, none of 1, 4, 8, 16, 24 and 32"));
  // stb_image would take abs() of the smallest int
  const std::string e = error_of(bmp(8, INT32_MIN, 24));
  EXPECT_NE(e.find("too large: 8 x 2147483648"), std::string::npos) << e;
}

TEST(RasterHeaders, TopDownBmpIsReadInItsOrder) {
  std::string down = bmp(1, -2, 24), up = bmp(1, 2, 24);
  down[54] = down[55] = down[56] = 10;  // first row: the top one
  down[58] = down[59] = down[60] = 200;
  up[54] = up[55] = up[56] = 200;  // first row: the bottom one
  up[58] = up[59] = up[60] = 10;
  for (const std::string& file : {down, up}) {
    const auto r = xr::decode_image(reinterpret_cast<const uint8_t*>(file.data()), file.size());
    ASSERT_TRUE(r.ok()) << r.error;
    ASSERT_EQ(r.image.height, 2);
    EXPECT_LT(r.image.pixels[0], r.image.pixels[1]);
  }
}

TEST(RasterHeaders, GifWithoutAnImageBlockIsCorrupt) {
  std::string gif = "GIF89a";
  gif += std::string("\x02\x00\x02\x00\x00\x00\x00", 7);  // 2 x 2, no palette
  gif += "\x7Fxxxx";
  EXPECT_EQ(error_of(gif), corrupt("GIF", "a block that is none of GIF's before its first image"));
}

TEST(RasterHeaders, TgaOfNoPixelsIsCorrupt) {
  // not reachable through decode_image (image_format wants a size and a depth), but refused all the same
  Bytes tga(18 + 8, 0);
  tga[2] = 3;
  tga[12] = 2;
  tga[16] = 8;
  EXPECT_EQ(xr::tga_layout(tga.data(), tga.size()).corrupt, "its size is 2 x 0, 8 bits a pixel");
}

}  // namespace
