// Walks over BMP, GIF, PNM and TGA files (file_layout.h): stb_image 2.27 reads past the end of a cut
// file as zeros and returns an image with a black or gray part and no error, so the core checks that
// the pixel data the header declares is there before it decodes.
#include <cctype>
#include <cstring>
#include <string>

#include "file_layout.h"

namespace xr {
namespace {

unsigned le16(const uint8_t* p) { return static_cast<unsigned>(p[0]) | static_cast<unsigned>(p[1]) << 8; }
uint32_t le32(const uint8_t* p) { return le16(p) | static_cast<uint32_t>(le16(p + 2)) << 16; }

constexpr long long kLargestSide = 1 << 20;  // larger headers are refused by size; no byte count needed

// The data needs `need` bytes from the file's start.
void require(Layout& l, size_t n, long long need) {
  l.data_truncated = need > static_cast<long long>(n);
  l.complete = !l.data_truncated;
}

// Past a GIF's data sub-blocks (a size byte, then that many bytes, to a size of 0); false if cut.
bool skip_sub_blocks(const uint8_t* d, size_t n, size_t& pos) {
  while (pos < n) {
    const size_t len = d[pos];
    pos += 1 + len;
    if (len == 0) return pos <= n;
  }
  return false;
}

constexpr long long kPnmTooLong = -2;

// The next number of a PNM header, past white space and # comments: -1 if there is none, kPnmTooLong if
// it has more digits than fit (stb_image 2.27 reads it into an int and overflows).
long long pnm_number(const uint8_t* d, size_t n, size_t& pos) {
  while (pos < n && (std::isspace(d[pos]) || d[pos] == '#')) {
    if (d[pos] == '#')
      while (pos < n && d[pos] != '\n' && d[pos] != '\r') ++pos;
    else
      ++pos;
  }
  if (pos >= n || !std::isdigit(d[pos])) return -1;
  long long v = 0;
  for (; pos < n && std::isdigit(d[pos]); ++pos)
    if (v >= 0) v = v > (1ll << 40) ? kPnmTooLong : v * 10 + (d[pos] - '0');
  return v;
}

}  // namespace

// Uncompressed BMP (BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS): the bitmap starts at the header's offset
// and holds |height| rows padded to 4 bytes. stb_image refuses the compressed kinds (RLE, JPEG, PNG) itself.
Layout bmp_layout(const uint8_t* d, size_t n) {
  Layout l;
  l.complete = true;
  if (n < 26) {
    l.data_truncated = true;
    l.complete = false;
    return l;
  }
  const long long offset = le32(d + 10);
  const uint32_t header = le32(d + 14);
  long long w, h, bpp, compression = 0;
  if (header == 12) {
    w = le16(d + 18);
    h = le16(d + 20);
    bpp = le16(d + 24);
  } else {
    if (n < 34) {
      require(l, n, 34);
      return l;
    }
    w = static_cast<int32_t>(le32(d + 18));
    h = static_cast<int32_t>(le32(d + 22));
    bpp = le16(d + 28);
    compression = le32(d + 30);
  }
  if (w <= 0 || h == 0) {
    l.corrupt = "its size is " + std::to_string(w) + " x " + std::to_string(h);
    return l;
  }
  if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32) {
    l.corrupt = std::to_string(bpp) + " bits a pixel, none of 1, 4, 8, 16, 24 and 32";
    return l;
  }
  if (h < 0) h = -h;  // rows top to bottom
  l.width = w;
  l.height = h;
  if (w > kLargestSide || h > kLargestSide) return l;  // refused as too large by its size
  if (compression == 0 || compression == 3 || compression == 6) require(l, n, offset + (w * bpp + 31) / 32 * 4 * h);
  return l;
}

// The GIF header, the global palette, then block by block: extensions are skipped, the first image
// (the frame decoded) must be whole, and the file should end with its trailer (0x3B).
Layout gif_layout(const uint8_t* d, size_t n) {
  Layout l;
  if (n < 13) {
    l.data_truncated = true;
    return l;
  }
  size_t pos = 13;
  if (d[10] & 0x80) pos += 3u << ((d[10] & 7) + 1);
  bool frame = false;
  while (true) {
    if (pos >= n) {
      l.data_truncated = !frame;
      return l;
    }
    const uint8_t block = d[pos];
    if (block == 0x3B) {
      l.complete = true;
      return l;
    }
    if (block == 0x21) {
      pos += 2;
      if (!skip_sub_blocks(d, n, pos)) {
        l.data_truncated = !frame;
        return l;
      }
    } else if (block == 0x2C) {
      if (n - pos < 11) {
        l.data_truncated = !frame;
        return l;
      }
      const uint8_t flags = d[pos + 9];
      pos += 10;
      if (flags & 0x80) pos += 3u << ((flags & 7) + 1);
      ++pos;  // LZW minimum code size
      if (!skip_sub_blocks(d, n, pos)) {
        l.data_truncated = !frame;
        return l;
      }
      frame = true;
    } else {
      if (!frame) l.corrupt = "a block that is none of GIF's before its first image";
      return l;
    }
  }
}

// "P5"/"P6", width, height and the largest value as text, one white-space byte, then the samples
// (two bytes each, big-endian, when the largest value is over 255). A header the core does not accept
// is corrupt here: stb_image 2.27 would parse it again and overflow on long numbers.
Layout pnm_layout(const uint8_t* d, size_t n) {
  Layout l;
  l.complete = true;
  size_t pos = 2;
  long long v[3];
  const char* const names[] = {"width", "height", "largest value"};
  for (int i = 0; i < 3; ++i) {
    v[i] = pnm_number(d, n, pos);
    const std::string what = names[i];
    if (v[i] == -1) l.corrupt = pos >= n ? "the file ends inside its header" : "no " + what + " in its header";
    if (v[i] == kPnmTooLong) l.corrupt = "its " + what + " has more digits than fit";
    if (v[i] == 0 && i < 2) l.corrupt = "its " + what + " is 0";
    if (!l.corrupt.empty()) return l;
  }
  const long long w = v[0], h = v[1], maxval = v[2];
  if (maxval < 1 || maxval > 65535) {
    l.corrupt = "its largest value " + std::to_string(maxval) + " is not in 1..65535";
    return l;
  }
  l.width = w;
  l.height = h;
  l.pnm_maxval = static_cast<int>(maxval);
  if (w > kLargestSide || h > kLargestSide) return l;  // refused as too large by its size
  const long long channels = d[1] == '6' ? 3 : 1, bytes = maxval > 255 ? 2 : 1;
  require(l, n, static_cast<long long>(pos) + 1 + w * h * channels * bytes);
  return l;
}

// An 18-byte header, an image ID, a colour map, then the pixels: uncompressed (types 1-3) or run-length
// packets (types 9-11), each a count byte and one pixel (a run) or `count` pixels (raw).
Layout tga_layout(const uint8_t* d, size_t n) {
  Layout l;
  l.complete = true;
  if (n < 18) {
    require(l, n, 18);
    return l;
  }
  const long long w = le16(d + 12), h = le16(d + 14), bytes = (d[16] + 7) / 8;
  size_t pos = 18 + d[0];
  if (d[1] == 1) pos += le16(d + 5) * ((d[7] + 7) / 8);
  if (w == 0 || h == 0 || bytes == 0) {
    l.corrupt = "its size is " + std::to_string(w) + " x " + std::to_string(h) + ", " + std::to_string(d[16]) +
                " bits a pixel";
    return l;
  }
  l.width = w;
  l.height = h;
  if (d[2] < 8) {
    require(l, n, static_cast<long long>(pos) + w * h * bytes);
    return l;
  }
  long long pixels = 0;
  while (pixels < w * h) {  // each packet takes at least one byte, so this ends within the file
    if (pos >= n) {
      require(l, n, static_cast<long long>(n) + 1);
      return l;
    }
    const uint8_t c = d[pos++];
    const long long count = (c & 0x7F) + 1;
    pos += static_cast<size_t>((c & 0x80) ? bytes : count * bytes);
    pixels += count;
  }
  require(l, n, static_cast<long long>(pos));
  return l;
}

}  // namespace xr
