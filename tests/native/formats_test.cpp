// The formats beside PNG and JPEG (issue 20): recognised by content, decoded to the same gray values, and a
// file cut short or claiming a huge size refused with a message. BMP and TGA are written by stb_image_write,
// PNM, GIF and TIFF by hand below; WebP, LZW/Deflate TIFF and 12-bit JPEG come from PIL and dcmtk in the
// Node tests (tests/node/formats.test.mjs, tests/node/dicom.test.mjs).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "decode.h"
#include "stb_alloc.h"

#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>

namespace {

using Bytes = std::vector<uint8_t>;

void append(void* ctx, void* data, int n) {
  auto* v = static_cast<Bytes*>(ctx);
  v->insert(v->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + n);
}

Bytes gradient(int w, int h, int comp) {
  Bytes px(static_cast<size_t>(w) * h * comp);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < comp; ++c) px[(static_cast<size_t>(y) * w + x) * comp + c] = static_cast<uint8_t>((x * 9 + y * 4) & 255);
  return px;
}

std::vector<uint16_t> gray_of(const Bytes& px) { return std::vector<uint16_t>(px.begin(), px.end()); }

Bytes bmp(int w, int h, int comp) {
  Bytes out;
  const Bytes px = gradient(w, h, comp);
  stbi_write_bmp_to_func(append, &out, w, h, comp, px.data());
  return out;
}

Bytes tga(int w, int h, int comp, bool rle) {
  Bytes out;
  const Bytes px = gradient(w, h, comp);
  stbi_write_tga_with_rle = rle ? 1 : 0;
  stbi_write_tga_to_func(append, &out, w, h, comp, px.data());
  stbi_write_tga_with_rle = 1;
  return out;
}

Bytes pgm(int w, int h, int maxval, const std::vector<uint16_t>& v) {
  const std::string head = "P5\n# a comment\n" + std::to_string(w) + " " + std::to_string(h) + "\n" + std::to_string(maxval) + "\n";
  Bytes out(head.begin(), head.end());
  for (uint16_t s : v) {
    if (maxval > 255) out.push_back(static_cast<uint8_t>(s >> 8));
    out.push_back(static_cast<uint8_t>(s));
  }
  return out;
}

// A 1 x 1 GIF (one white pixel), and the same with its trailer cut or its frame cut.
const Bytes kGif = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0xFF, 0xFF, 0xFF, 0, 0, 0, ',', 0, 0, 0, 0,
                    1,   0,   1,   0,   0,   2,   2, 'D', 1, 0, ';'};

void le16(Bytes& b, unsigned v) {
  b.push_back(static_cast<uint8_t>(v));
  b.push_back(static_cast<uint8_t>(v >> 8));
}
void le32(Bytes& b, uint32_t v) {
  le16(b, v & 0xFFFF);
  le16(b, v >> 16);
}

// An uncompressed little-endian TIFF, one strip: `w` x `h` samples of `bps` bits, `spp` a pixel; the
// directory first, then the pixels (so that a cut file loses pixels).
Bytes tiff(uint32_t w, uint32_t h, int bps, int spp, const std::vector<uint16_t>& samples, int photometric = 1) {
  Bytes data;
  for (uint16_t s : samples) {
    if (bps == 16) le16(data, s);
    else data.push_back(static_cast<uint8_t>(s));
  }
  struct Tag { unsigned tag, type; uint32_t value; };
  const uint32_t data_at = 8 + 2 + 9 * 12 + 4;
  const std::vector<Tag> tags = {{256, 4, w}, {257, 4, h}, {258, 3, static_cast<uint32_t>(bps)}, {259, 3, 1},
                                 {262, 3, static_cast<uint32_t>(photometric)}, {273, 4, data_at},
                                 {277, 3, static_cast<uint32_t>(spp)}, {278, 4, h},
                                 {279, 4, static_cast<uint32_t>(data.size())}};
  Bytes b = {'I', 'I', 42, 0};
  le32(b, 8);
  le16(b, static_cast<unsigned>(tags.size()));
  for (const Tag& t : tags) {
    le16(b, t.tag);
    le16(b, t.type);
    le32(b, 1);
    if (t.type == 3) {
      le16(b, t.value);
      le16(b, 0);
    } else {
      le32(b, t.value);
    }
  }
  le32(b, 0);
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

xr::DecodeResult decode(const Bytes& b) { return xr::decode_image(b.data(), b.size()); }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(Formats, RecognisedByContent) {
  EXPECT_EQ(xr::image_format(bmp(3, 2, 1).data(), 18), "BMP");
  EXPECT_EQ(xr::image_format(tga(3, 2, 1, false).data(), 18), "TGA");
  EXPECT_EQ(xr::image_format(kGif.data(), kGif.size()), "GIF");
  const Bytes p = pgm(2, 2, 255, {1, 2, 3, 4});
  EXPECT_EQ(xr::image_format(p.data(), p.size()), "PNM");
  const Bytes t = tiff(2, 1, 8, 1, {5, 6});
  EXPECT_EQ(xr::image_format(t.data(), t.size()), "TIFF");
  const Bytes big = {'M', 'M', 0, 42, 0, 0, 0, 8};
  EXPECT_EQ(xr::image_format(big.data(), big.size()), "TIFF");
  const std::string webp = std::string("RIFF\x10\0\0\0WEBPVP8L", 16);
  EXPECT_EQ(xr::image_format(reinterpret_cast<const uint8_t*>(webp.data()), webp.size()), "WebP");
  // a DICOM file whose preamble is a TIFF header (dual-format files) is DICOM, not TIFF
  Bytes dual(132, 0);
  std::copy(t.begin(), t.begin() + 8, dual.begin());
  dual[128] = 'D', dual[129] = 'I', dual[130] = 'C', dual[131] = 'M';
  EXPECT_EQ(xr::image_format(dual.data(), dual.size()), "");
  // text is none of them, whatever its name; "BM" alone is not a BMP
  const std::string text = "BM is a text that starts like a BMP and is not one.";
  EXPECT_EQ(xr::image_format(reinterpret_cast<const uint8_t*>(text.data()), text.size()), "");
  const auto r = xr::decode_image(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  EXPECT_TRUE(has(r.error, "none of PNG, JPEG, WebP, TIFF, BMP, GIF, PNM, TGA or DICOM")) << r.error;
}

TEST(Formats, BmpTgaPnmTiffGiveTheSamplesBack) {
  const Bytes px = gradient(13, 7, 1);
  for (const Bytes& file : {bmp(13, 7, 1), bmp(13, 7, 3), tga(13, 7, 1, false), tga(13, 7, 3, true),
                            pgm(13, 7, 255, gray_of(px)), tiff(13, 7, 8, 1, gray_of(px))}) {
    const auto r = decode(file);
    ASSERT_TRUE(r.ok()) << xr::image_format(file.data(), file.size()) << ": " << r.error;
    EXPECT_EQ(r.image.width, 13);
    EXPECT_EQ(r.image.height, 7);
    EXPECT_EQ(r.image.max_value, 255);
    EXPECT_EQ(r.image.pixels, gray_of(px)) << r.format;
    EXPECT_TRUE(r.warning.empty()) << r.format << ": " << r.warning;
  }
}

TEST(Formats, SixteenBitPnmAndTiffTakeTheFullRangeAsWindow) {
  const std::vector<uint16_t> v = {1000, 1000 + 200 * 128, 1000 + 200 * 255, 1000};
  for (const Bytes& file : {pgm(2, 2, 65535, v), tiff(2, 2, 16, 1, v)}) {
    const auto r = decode(file);
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.bit_depth, 16);
    EXPECT_EQ(r.image.max_value, 65535);
    EXPECT_EQ(r.image.pixels.front(), 0);
    EXPECT_EQ(r.image.pixels[2], 65535);
    EXPECT_GT(r.window.width, 0);
  }
}

TEST(Formats, PnmSamplesAreRelativeToItsLargestValue) {
  const Bytes p = pgm(3, 1, 100, {0, 50, 100});
  const auto r = decode(p);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.image.max_value, 100);
  EXPECT_EQ(r.image.pixels, (std::vector<uint16_t>{0, 50, 100}));
}

TEST(Formats, TiffMinIsWhiteIsInvertedAndRgbIsRec601) {
  const auto w = decode(tiff(2, 1, 8, 1, {0, 200}, 0));
  ASSERT_TRUE(w.ok()) << w.error;
  EXPECT_EQ(w.image.pixels, (std::vector<uint16_t>{255, 55}));
  const auto rgb = decode(tiff(2, 1, 8, 3, {255, 0, 0, 0, 0, 255}, 2));
  ASSERT_TRUE(rgb.ok()) << rgb.error;
  EXPECT_EQ(rgb.image.pixels, (std::vector<uint16_t>{76, 29}));
  EXPECT_EQ(rgb.channels, 3);
}

TEST(Formats, GifFirstFrame) {
  const auto r = decode(kGif);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.format, "GIF");
  EXPECT_EQ(r.image.pixels, (std::vector<uint16_t>{255}));
  EXPECT_TRUE(r.warning.empty());
  const Bytes no_trailer(kGif.begin(), kGif.end() - 1);
  const auto w = decode(no_trailer);
  ASSERT_TRUE(w.ok()) << w.error;
  EXPECT_TRUE(has(w.warning, "truncated")) << w.warning;
  const Bytes cut(kGif.begin(), kGif.end() - 4);  // inside the frame's data
  EXPECT_TRUE(has(decode(cut).error, "truncated")) << decode(cut).error;
}

TEST(Formats, CutFilesAreRefusedNotFilledWithBlack) {
  const Bytes px = gradient(40, 30, 1);
  for (const Bytes& whole : {bmp(40, 30, 1), bmp(40, 30, 3), tga(40, 30, 1, false), tga(40, 30, 3, true),
                             pgm(40, 30, 255, gray_of(px)), pgm(40, 30, 65535, gray_of(px)), tiff(40, 30, 8, 1, gray_of(px))}) {
    for (const size_t keep : {whole.size() - 1, whole.size() / 2, size_t{20}, size_t{10}}) {
      const Bytes cut(whole.begin(), whole.begin() + static_cast<long>(keep));
      const auto r = decode(cut);
      EXPECT_FALSE(r.ok()) << xr::image_format(whole.data(), whole.size()) << " cut to " << keep;
      EXPECT_FALSE(r.error.empty());
    }
  }
}

TEST(Formats, HugeHeadersAreRefusedBeforeAllocation) {
  // a TIFF claiming 100000 x 100000 pixels with two bytes of data; a TGA claiming 65535 x 65535
  const auto t = decode(tiff(100000, 100000, 8, 1, {1, 2}));
  EXPECT_TRUE(has(t.error, "too large: 100000 x 100000")) << t.error;
  Bytes big = tga(2, 2, 1, false);
  big[12] = big[13] = big[14] = big[15] = 0xFF;
  EXPECT_TRUE(has(decode(big).error, "too large") || has(decode(big).error, "truncated")) << decode(big).error;
  const auto p = decode(pgm(20000, 20000, 255, {}));
  EXPECT_TRUE(has(p.error, "too large") || has(p.error, "truncated")) << p.error;
  EXPECT_EQ(xr::StbAllowance::in_use(), 0u);
}

TEST(Formats, TiffWithinSizeLimitsButOverTheMemoryBudget) {
  const Bytes px = gradient(300, 200, 1);
  const Bytes t = tiff(300, 200, 8, 1, gray_of(px));
  const auto r = xr::decode_image(t.data(), t.size(), 200'000);
  EXPECT_TRUE(has(r.error, "Image too large")) << r.error;
  EXPECT_EQ(xr::StbAllowance::in_use(), 0u);  // libtiff gave back all it took
  EXPECT_TRUE(xr::decode_image(t.data(), t.size()).ok());
}

TEST(Formats, UnsupportedTiffKindsSayWhat) {
  const auto cmyk = decode(tiff(1, 1, 8, 4, {0, 1, 2, 3}, 5));
  EXPECT_TRUE(has(cmyk.error, "This TIFF image is CMYK; gray and RGB TIFF")) << cmyk.error;
  const auto two = decode(tiff(1, 1, 8, 5, {0, 1, 2, 3, 4}, 2));
  EXPECT_TRUE(has(two.error, "5 samples a pixel")) << two.error;
  const auto four_bit = decode(tiff(2, 1, 4, 1, {0x12}, 1));
  EXPECT_TRUE(has(four_bit.error, "4-bit samples")) << four_bit.error;
  Bytes lzma = tiff(2, 1, 8, 1, {0, 1});
  // compression tag (259) value 34925 (LZMA): not built in
  for (size_t i = 0; i + 12 <= lzma.size(); ++i)
    if (lzma[i] == 0x03 && lzma[i + 1] == 0x01 && lzma[i + 2] == 3 && lzma[i + 3] == 0) {
      lzma[i + 8] = 34925 & 0xFF;
      lzma[i + 9] = 34925 >> 8;
      break;
    }
  const auto r = decode(lzma);
  EXPECT_TRUE(has(r.error, "LZMA")) << r.error;
}
