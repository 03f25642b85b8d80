// Fuzz target focused on PNG, 16-bit above all: the input is either a whole PNG file, or (any other
// input) a small header that picks size, colour type, bit depth and interlacing, followed by the
// image data before compression, which this target wraps into a PNG (stored deflate blocks). So the
// fuzzer reaches filters, sample values and short or long pixel data without having to learn zlib.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz_checks.h"
#include "png_fixture.h"

namespace {

std::vector<uint8_t> wrap_png(const uint8_t* data, size_t size) {
  // header: width (1..256), height (1..256), colour type, bit depth, interlace
  uint8_t h[5] = {0, 0, 0, 0, 0};
  std::memcpy(h, data, size < 5 ? size : 5);
  const size_t skip = size < 5 ? size : 5;
  static const uint8_t kColour[] = {0, 2, 3, 4, 6};
  static const uint8_t kDepth[] = {16, 16, 16, 8, 1, 2, 4, 16};
  const uint32_t w = 1u + h[0], ht = 1u + h[1];
  const uint8_t colour = kColour[h[2] % 5];
  uint8_t depth = kDepth[h[3] % 8];
  if (colour == 3 && depth == 16) depth = 8;          // palette: 1..8 bits
  if ((colour == 2 || colour == 4 || colour == 6) && depth < 8) depth = 16;
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<uint8_t> ihdr;
  fixture::put32(ihdr, w);
  fixture::put32(ihdr, ht);
  ihdr.insert(ihdr.end(), {depth, colour, 0, 0, static_cast<uint8_t>(h[4] & 1)});
  fixture::chunk(png, "IHDR", ihdr);
  if (colour == 3) {
    std::vector<uint8_t> plte;
    for (int i = 0; i < 256; ++i) plte.insert(plte.end(), {static_cast<uint8_t>(i), static_cast<uint8_t>(i * 7), static_cast<uint8_t>(255 - i)});
    fixture::chunk(png, "PLTE", plte);
    if (h[4] & 2) fixture::chunk(png, "tRNS", std::vector<uint8_t>(16, 0x80));
  }
  const uint8_t* raw = data + skip;
  const size_t n = size - skip;
  std::vector<uint8_t> z = {0x78, 0x01};
  size_t pos = 0;
  do {
    const size_t len = std::min<size_t>(65535, n - pos);
    z.push_back(pos + len == n ? 1 : 0);
    z.insert(z.end(), {static_cast<uint8_t>(len & 0xFF), static_cast<uint8_t>(len >> 8),
                       static_cast<uint8_t>(~len & 0xFF), static_cast<uint8_t>((~len >> 8) & 0xFF)});
    z.insert(z.end(), raw + pos, raw + pos + len);
    pos += len;
  } while (pos < n);
  uint32_t a = 1, b = 0;
  for (size_t i = 0; i < n; ++i) {
    a = (a + raw[i]) % 65521;
    b = (b + a) % 65521;
  }
  fixture::put32(z, (b << 16) | a);
  fixture::chunk(png, "IDAT", z);
  if (!(h[4] & 4)) fixture::chunk(png, "IEND", {});
  return png;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 8 && std::memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0) {
    fuzz::check_study(xr::open_study(data, size));
    return 0;
  }
  const std::vector<uint8_t> png = wrap_png(data, size);
  const xr::Study s = xr::open_study(png.data(), png.size());
  fuzz::check_study(s);
  if (s.ok()) FUZZ_CHECK(s.decoded.format == "PNG");
  return 0;
}
