// Hostile and broken files (issue 9): memory caps before allocation, the allowance on stb_image's
// allocations, the structural end-marker check, and one regression test per fuzzing finding.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "contract.h"
#include "decode.h"
#include "labelled_copy.h"
#include "png_fixture.h"
#include "stb_alloc.h"
#include "study.h"

#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>

namespace {

std::vector<uint8_t> jpeg_of(int w, int h, int comp, const std::vector<uint8_t>& px) {
  std::vector<uint8_t> out;
  stbi_write_jpg_to_func(
      [](void* ctx, void* data, int n) {
        auto* v = static_cast<std::vector<uint8_t>*>(ctx);
        v->insert(v->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + n);
      },
      &out, w, h, comp, px.data(), 90);
  return out;
}

std::vector<uint8_t> ramp(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 7 + i / 64);
  return v;
}

// A JPEG segment: marker, big-endian length (including itself), payload.
std::vector<uint8_t> segment(uint8_t marker, const std::vector<uint8_t>& payload) {
  const size_t len = payload.size() + 2;
  std::vector<uint8_t> s(payload.size() + 4);
  s[0] = 0xFF;
  s[1] = marker;
  s[2] = static_cast<uint8_t>(len >> 8);
  s[3] = static_cast<uint8_t>(len & 0xFF);
  std::copy(payload.begin(), payload.end(), s.begin() + 4);
  return s;
}

// The offset of the first FF `marker` after the SOI (0 if none): enough for stb_image_write's files.
size_t find_marker(const std::vector<uint8_t>& jpg, uint8_t marker) {
  for (size_t i = 2; i + 1 < jpg.size(); ++i)
    if (jpg[i] == 0xFF && jpg[i + 1] == marker) return i;
  return 0;
}

// A zlib stream that inflates to `bytes` zeros in a few bytes per 258: fixed-Huffman matches of
// length 258 at distance 1 (13 bits each), after one literal zero.
std::vector<uint8_t> zlib_zeros(size_t bytes) {
  std::vector<uint8_t> out = {0x78, 0x01};
  uint32_t acc = 0;
  int nbits = 0;
  auto put = [&](uint32_t v, int n) {  // LSB first
    acc |= v << nbits;
    nbits += n;
    while (nbits >= 8) {
      out.push_back(static_cast<uint8_t>(acc & 0xFF));
      acc >>= 8;
      nbits -= 8;
    }
  };
  auto put_code = [&](uint32_t code, int n) {  // Huffman codes go MSB first
    for (int i = n - 1; i >= 0; --i) put((code >> i) & 1u, 1);
  };
  put(1, 1);                 // BFINAL
  put(1, 2);                 // BTYPE = fixed Huffman
  put_code(0x30, 8);         // literal 0
  for (size_t done = 1; done + 258 <= bytes; done += 258) {
    put_code(0xC5, 8);       // length code 285 (258)
    put_code(0, 5);          // distance code 0 (1)
  }
  put_code(0, 7);            // end of block (256)
  if (nbits > 0) put(0, 8 - nbits);
  for (int i = 0; i < 4; ++i) out.push_back(0);  // Adler-32 (stb_image does not check it)
  return out;
}

TEST(Robustness, MemoryEstimateRefusesBeforeAllocating) {
  // 7700 x 7700 = 59.3 MP passes the pixel limit, but RGBA at 16 bits needs ~1.4 GB to decode.
  const auto png = fixture::make_png(7700, 7700, 6, 16, {}, /*write_pixels=*/false);
  const auto r = xr::decode_image(png.data(), png.size());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.find("Image too large"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("of memory (the limit is 800 MB)"), std::string::npos) << r.error;
  EXPECT_EQ(xr::StbAllowance::in_use(), 0u);
}

TEST(Robustness, TheSameImageFitsALargerBudgetOnlyByTheEstimate) {
  const auto png = fixture::make_png(64, 64, 6, 16, std::vector<uint16_t>(64 * 64 * 4, 4000));
  EXPECT_TRUE(xr::decode_image(png.data(), png.size()).ok());
  // 64 x 64 x 8 bytes, twice, plus the gray image: about 74 KB; 50 KB is too little
  const auto r = xr::decode_image(png.data(), png.size(), 50'000);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.find("Image too large"), std::string::npos) << r.error;
}

TEST(Robustness, ZipBombStopsAtTheAllowance) {
  // A 1 x 1 PNG whose data inflates to 4 MB: the header's estimate passes, inflating does not.
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<uint8_t> ihdr;
  fixture::put32(ihdr, 1);
  fixture::put32(ihdr, 1);
  ihdr.insert(ihdr.end(), {8, 0, 0, 0, 0});
  fixture::chunk(png, "IHDR", ihdr);
  fixture::chunk(png, "IDAT", zlib_zeros(4'000'000));
  fixture::chunk(png, "IEND", {});
  ASSERT_LT(png.size(), 60'000u);
  const auto r = xr::decode_image(png.data(), png.size(), 1'000'000);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.find("Image too large"), std::string::npos) << r.error;
  EXPECT_EQ(xr::StbAllowance::in_use(), 0u);  // every block stb took was given back
  // with room to inflate, stb_image reads the first row and ignores the rest
  EXPECT_TRUE(xr::decode_image(png.data(), png.size(), 100'000'000).ok());
}

TEST(Robustness, AllowanceIsScopedAndNested) {
  {
    const xr::StbAllowance outer(1000);
    {
      const xr::StbAllowance inner(10);
      const auto png = fixture::make_png(4, 4, 0, 8, std::vector<uint16_t>(16, 9));
      // decode_image sets its own allowance for the call and restores this one afterwards
      EXPECT_TRUE(xr::decode_image(png.data(), png.size()).ok());
    }
  }
  EXPECT_EQ(xr::StbAllowance::in_use(), 0u);
}

TEST(Robustness, FileSizeLimit) {
  // The size is checked right after the 8-byte signature, before any other byte is read, so a short
  // buffer stands in for a 256 MB file.
  const uint8_t sig[16] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  const auto r = xr::decode_image(sig, static_cast<size_t>(xr::kMaxFileBytes) + 1);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.find("File too large"), std::string::npos) << r.error;
}

// Fuzzing finding (fuzz_open_study, stb_image 2.27): a DHT segment whose 16 code counts add up to
// more than 256 overflowed stb's Huffman arrays (heap overflow; UBSan: index 257 out of bounds).
TEST(Robustness, HuffmanTableWithTooManyCodesIsRefused) {
  const auto good = jpeg_of(16, 16, 1, ramp(256));
  std::vector<uint8_t> dht = {0x00};  // DC table 0
  for (int i = 0; i < 16; ++i) dht.push_back(17);  // 272 codes
  dht.insert(dht.end(), 272, 0x01);
  for (const bool before_sof : {true, false}) {
    std::vector<uint8_t> bad(good.begin(), good.begin() + 2);  // SOI
    const auto seg = segment(0xC4, dht);
    if (before_sof) {
      bad.insert(bad.end(), seg.begin(), seg.end());  // stbi_info's header pass meets it
      bad.insert(bad.end(), good.begin() + 2, good.end());
    } else {
      bad.insert(bad.end(), good.begin() + 2, good.end() - 2);  // just before EOI (a later scan's table)
      bad.insert(bad.end(), seg.begin(), seg.end());
      bad.insert(bad.end(), {0xFF, 0xD9});
    }
    const auto r = xr::open_study(bad.data(), bad.size());
    ASSERT_FALSE(r.ok()) << before_sof;
    EXPECT_NE(r.decoded.error.find("Huffman table"), std::string::npos) << r.decoded.error;
  }
}

// Fuzzing finding (fuzz_open_study): a DC Huffman table whose symbols go over 15 made stb_image
// 2.27 receive that many bits (UBSan: shift exponent 32 is too large; stbi__bmask[n] read past its
// 17 entries).
TEST(Robustness, DcSymbolOver15IsRefused) {
  auto jpg = jpeg_of(16, 16, 1, ramp(256));
  // stb_image_write's first DHT table is DC 0: class/id, 16 counts, then its 12 symbols 0..11
  const size_t dht = find_marker(jpg, 0xC4);
  ASSERT_GT(dht, 0u);
  ASSERT_EQ(jpg[dht + 4], 0x00);
  const size_t symbols = dht + 5 + 16;
  ASSERT_EQ(jpg[symbols + 3], 3);
  jpg[symbols + 3] = 38;
  const auto r = xr::open_study(jpg.data(), jpg.size());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.decoded.error.find("DC Huffman table has a symbol over 15"), std::string::npos) << r.decoded.error;
  jpg[symbols + 3] = 15;  // 15 is allowed (stb_image 2.28 draws the line there too)
  EXPECT_EQ(xr::open_study(jpg.data(), jpg.size()).decoded.error.find("symbol over 15"), std::string::npos);
}

// Fuzzing finding (fuzz_open_study): a scan that uses a Huffman table no DHT segment defined made
// stb_image 2.27 decode with uninitialised tables: reads out of bounds in stbi__jpeg_huff_decode
// (UBSan: index -444 out of bounds for 'stbi_uc[256]'; index 18 out of bounds for 'unsigned int[18]').
TEST(Robustness, ScanWithUndefinedHuffmanTableIsRefused) {
  auto jpg = jpeg_of(16, 16, 1, ramp(256));
  // stb_image_write defines DC/AC tables 0 and 1 (for Y and for Cb, Cr); point Y at AC table 3
  const size_t sos = find_marker(jpg, 0xDA);
  ASSERT_GT(sos, 0u);
  ASSERT_EQ(jpg[sos + 5], 1);  // the first component is Y
  jpg[sos + 6] = 0x03;         // DC table 0, AC table 3
  const auto r = xr::open_study(jpg.data(), jpg.size());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.decoded.error.find("does not define"), std::string::npos) << r.decoded.error;
  jpg[sos + 6] = 0x30;  // DC table 3
  EXPECT_FALSE(xr::open_study(jpg.data(), jpg.size()).ok());
  jpg[sos + 6] = 0x00;
  EXPECT_TRUE(xr::open_study(jpg.data(), jpg.size()).ok());
}

// Found while checking the bad-input corpus: stb_image 2.27 keeps the palette in an uninitialised
// stack array, so an index past a short palette gave whatever was on the stack. Now: black, always.
TEST(Robustness, IndexPastAShortPaletteIsBlack) {
  std::vector<uint16_t> indices(16 * 4);
  for (size_t i = 0; i < indices.size(); ++i) indices[i] = static_cast<uint16_t>(i * 4);  // 0..252
  auto png = fixture::make_png(16, 4, 0, 8, indices);  // 8-bit gray rows are 8-bit palette rows too
  png[25] = 3;                                          // colour type: palette (stb ignores the CRC)
  std::vector<uint8_t> with_plte(png.begin(), png.begin() + 33);  // signature + IHDR
  fixture::chunk(with_plte, "PLTE", {200, 200, 200, 100, 100, 100});  // two entries
  with_plte.insert(with_plte.end(), png.begin() + 33, png.end());
  const auto a = xr::decode_image(with_plte.data(), with_plte.size());
  ASSERT_TRUE(a.ok()) << a.error;
  EXPECT_EQ(a.image.pixels[0], 200);  // index 0
  for (size_t i = 1; i < a.image.pixels.size(); ++i) EXPECT_EQ(a.image.pixels[i], 0) << i;  // 4, 8, ... 252
  const auto b = xr::decode_image(with_plte.data(), with_plte.size());
  EXPECT_EQ(a.image.pixels, b.image.pixels);
  // a second palette is not allowed
  std::vector<uint8_t> two(with_plte.begin(), with_plte.begin() + 33);
  fixture::chunk(two, "PLTE", {1, 2, 3});
  two.insert(two.end(), with_plte.begin() + 33, with_plte.end());
  EXPECT_FALSE(xr::decode_image(two.data(), two.size()).ok());
}

// Fuzzing finding (fuzz_open_study): an empty IDAT chunk before the first one with data made
// stb_image 2.27 memcpy 0 bytes to a null buffer (UBSan: null pointer passed as argument 1).
TEST(Robustness, EmptyIdatFirstIsLeftOut) {
  const auto png = fixture::make_png(8, 8, 0, 8, std::vector<uint16_t>(64, 123));
  std::vector<uint8_t> with_empty(png.begin(), png.begin() + 33);  // signature + IHDR
  fixture::chunk(with_empty, "IDAT", {});
  fixture::chunk(with_empty, "IDAT", {});
  with_empty.insert(with_empty.end(), png.begin() + 33, png.end());
  const auto r = xr::decode_image(with_empty.data(), with_empty.size());
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.warning.empty()) << r.warning;
  EXPECT_EQ(r.image.pixels, std::vector<uint16_t>(64, 123));
}

TEST(Robustness, HugePngHeaderSaysTooLarge) {
  for (const auto& [w, h] : {std::pair{20000, 20000}, std::pair{65000, 65000}, std::pair{60000, 1}, std::pair{1, 60000}}) {
    const auto png = fixture::make_png(w, h, 6, 16, {}, false);
    const auto r = xr::decode_image(png.data(), png.size());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error.find("Image too large: " + std::to_string(w) + " x " + std::to_string(h)), std::string::npos)
        << r.error;
  }
  const auto empty = fixture::make_png(0, 0, 0, 8, {}, false);
  EXPECT_NE(xr::decode_image(empty.data(), empty.size()).error.find("no pixels"), std::string::npos);
}

TEST(Robustness, CutFilesSaySo) {
  std::vector<uint16_t> px(32 * 32, 77);
  auto png = fixture::make_png(32, 32, 0, 8, px);
  png.resize(png.size() - 12);  // without IEND: stb_image fails with an empty reason
  const auto r = xr::decode_image(png.data(), png.size());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.find("appears truncated"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("()"), std::string::npos) << r.error;
}

// A JPEG whose SOF claims far more pixels than its scan codes (a "bomb" within the limits, or a cut
// file with its EOI put back): stb_image fills the missing blocks silently; each block needs a bit.
TEST(Robustness, JpegDataTooShortForItsSizeWarns) {
  auto jpg = jpeg_of(16, 16, 1, ramp(256));
  EXPECT_TRUE(xr::decode_image(jpg.data(), jpg.size()).warning.empty());
  const size_t sof = find_marker(jpg, 0xC0);
  ASSERT_GT(sof, 0u);
  jpg[sof + 5] = 2000 >> 8;  // height
  jpg[sof + 6] = 2000 & 0xFF;
  jpg[sof + 7] = 1500 >> 8;  // width
  jpg[sof + 8] = 1500 & 0xFF;
  const auto r = xr::decode_image(jpg.data(), jpg.size());
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.image.width, 1500);
  EXPECT_NE(r.warning.find("too short for 1500 x 2000 pixels"), std::string::npos) << r.warning;
}

// Fuzzing finding (fuzz_labelled_copy): stb_easy_font indexes its glyph table with `c - 32`, so a
// file name in UTF-8 ("röntgen.png") read outside the table (UBSan: index -93 out of bounds for
// 'stb_easy_font_info_struct[96]'), and newlines in a name moved the text down over the image.
TEST(Robustness, LabelledCopyTakesAnyFileName) {
  xr::Gray8 img;
  img.width = 300;
  img.height = 40;
  img.pixels.assign(300 * 40, 77);
  const std::string names[] = {"plain.png", "r\xC3\xB6ntgen_\xE2\x9C\x93.png", "a\nb\nc\nd\ne\nf.png",
                               std::string("\x01\x7F\xFF\x80\0z", 6)};
  int band = -1;
  for (const auto& name : names) {
    const auto copy = xr::labelled_copy(img, {"NEGATIVE", 0.2, 0.5, "Model 1", "2026-11-26", name});
    ASSERT_EQ(copy.width, 300);
    if (band < 0) band = copy.height - 40;
    EXPECT_EQ(copy.height - 40, band) << name;  // the same band, whatever the name
    // the image below the band is untouched
    EXPECT_TRUE(std::all_of(copy.pixels.begin() + static_cast<std::ptrdiff_t>(band) * 300, copy.pixels.end(),
                            [](uint8_t v) { return v == 77; }))
        << name;
  }
}

// The end-of-image check walks the file's structure: an EOI inside a segment (an EXIF thumbnail's)
// does not make a cut file whole. The old check only looked for FF D9 in the last 64 bytes.
TEST(Robustness, EoiInsideASegmentDoesNotCount) {
  auto jpg = jpeg_of(64, 64, 1, ramp(64 * 64));
  jpg.resize(jpg.size() * 2 / 3);  // cut inside the scan
  const auto app = segment(0xE1, {'E', 'x', 'i', 'f', 0, 0, 0xFF, 0xD8, 0xFF, 0xD9});
  jpg.insert(jpg.end(), app.begin(), app.end());
  const auto r = xr::decode_image(jpg.data(), jpg.size());
  EXPECT_TRUE(!r.ok() || r.warning.find("truncated") != std::string::npos) << r.error;
}

TEST(Robustness, JpegCutAtEveryOffsetIsNeverASilentSuccess) {
  const auto jpg = jpeg_of(48, 40, 3, ramp(48 * 40 * 3));
  for (size_t keep = 1; keep < jpg.size(); ++keep) {
    const auto r = xr::open_study(jpg.data(), keep);
    EXPECT_TRUE(!r.ok() || r.decoded.warning.find("truncated") != std::string::npos) << keep;
  }
  const auto whole = xr::decode_image(jpg.data(), jpg.size());
  ASSERT_TRUE(whole.ok());
  EXPECT_TRUE(whole.warning.empty());
  // bytes after the EOI (some cameras pad their files) are not a truncation
  auto padded = jpg;
  padded.insert(padded.end(), 300, 0x00);
  EXPECT_TRUE(xr::decode_image(padded.data(), padded.size()).warning.empty());
}

TEST(Robustness, PngCutAtEveryOffsetIsNeverASilentSuccess) {
  std::vector<uint16_t> px(20 * 12);
  for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint16_t>(i * 271);
  const auto png = fixture::make_png(20, 12, 0, 16, px);
  for (size_t keep = 1; keep < png.size(); ++keep) {
    const auto r = xr::open_study(png.data(), keep);
    EXPECT_TRUE(!r.ok() || r.decoded.warning.find("truncated") != std::string::npos) << keep;
  }
}

}  // namespace
