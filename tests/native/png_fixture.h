// Minimal PNG writer for tests: gray or RGB(A), 8 or 16 bits, stored (uncompressed) deflate blocks.
// Lets tests build exact inputs that stb_image_write cannot (16-bit) and lying headers (size bombs).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fixture {

inline uint32_t crc32(const uint8_t* d, size_t n, uint32_t c = 0xFFFFFFFFu) {
  for (size_t i = 0; i < n; ++i) {
    c ^= d[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return c;
}

inline void put32(std::vector<uint8_t>& v, uint32_t x) {
  for (int s = 24; s >= 0; s -= 8) v.push_back(static_cast<uint8_t>(x >> s));
}

inline void chunk(std::vector<uint8_t>& png, const char* type, const std::vector<uint8_t>& data) {
  put32(png, static_cast<uint32_t>(data.size()));
  std::vector<uint8_t> body(type, type + 4);
  body.insert(body.end(), data.begin(), data.end());
  png.insert(png.end(), body.begin(), body.end());
  put32(png, crc32(body.data(), body.size()) ^ 0xFFFFFFFFu);
}

// colour_type: 0 gray, 2 RGB, 4 gray+alpha, 6 RGBA. samples: row-major, channels interleaved.
inline std::vector<uint8_t> make_png(int w, int h, int colour_type, int bit_depth, const std::vector<uint16_t>& samples,
                                     bool write_pixels = true) {
  const int channels = colour_type == 0 ? 1 : colour_type == 2 ? 3 : colour_type == 4 ? 2 : 4;
  const int bytes = bit_depth / 8;
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<uint8_t> ihdr;
  put32(ihdr, static_cast<uint32_t>(w));
  put32(ihdr, static_cast<uint32_t>(h));
  ihdr.insert(ihdr.end(), {static_cast<uint8_t>(bit_depth), static_cast<uint8_t>(colour_type), 0, 0, 0});
  chunk(png, "IHDR", ihdr);
  std::vector<uint8_t> raw;
  if (write_pixels) {
    for (int y = 0; y < h; ++y) {
      raw.push_back(0);  // filter: none
      for (int i = 0; i < w * channels; ++i) {
        const uint16_t s = samples[static_cast<size_t>(y) * w * channels + i];
        if (bytes == 2) raw.push_back(static_cast<uint8_t>(s >> 8));
        raw.push_back(static_cast<uint8_t>(s & 0xFF));
      }
    }
  }
  std::vector<uint8_t> z = {0x78, 0x01};
  size_t pos = 0;
  do {
    const size_t n = std::min<size_t>(65535, raw.size() - pos);
    const bool last = pos + n == raw.size();
    z.push_back(last ? 1 : 0);
    z.push_back(static_cast<uint8_t>(n & 0xFF));
    z.push_back(static_cast<uint8_t>(n >> 8));
    z.push_back(static_cast<uint8_t>(~n & 0xFF));
    z.push_back(static_cast<uint8_t>((~n >> 8) & 0xFF));
    z.insert(z.end(), raw.begin() + static_cast<std::ptrdiff_t>(pos), raw.begin() + static_cast<std::ptrdiff_t>(pos + n));
    pos += n;
  } while (pos < raw.size());
  uint32_t a = 1, b = 0;
  for (uint8_t c : raw) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  put32(z, (b << 16) | a);
  chunk(png, "IDAT", z);
  chunk(png, "IEND", {});
  return png;
}

}  // namespace fixture
