#include "decode_common.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "contract.h"

namespace xr::detail {
namespace {

// Share of pixels whose colour departs from the image's own gray-to-colour curve: the mean colour of
// all pixels of the same luma. Gray images and uniformly tinted ones (duotone figures from papers)
// score ~0; photographs, colour diagrams and screenshots score high; a few coloured arrows stay small.
// A pixel departs when a channel is more than max_value / 16 from its bin's mean (|v - mean| in double,
// as the rule is written); that test is turned into each bin's range of values that do not depart, found
// with the same double test, so that the pass over the pixels compares integers only.
template <typename T>
double colour_departure(const T* src, int channels, const std::vector<uint16_t>& luma, int max_value) {
  constexpr int kBins = 256;
  const int shift = max_value > 255 ? 8 : 0;
  // per bin: the sums of R, G and B (exact: at most 65535 x 60 megapixels) and the pixel count
  std::vector<uint64_t> sum(kBins * 4, 0);
  for (size_t i = 0; i < luma.size(); ++i) {
    const T* p = src + i * channels;
    uint64_t* s = &sum[static_cast<size_t>(luma[i] >> shift) * 4];
    s[0] += p[0];
    s[1] += p[1];
    s[2] += p[2];
    ++s[3];
  }
  const double tolerance = max_value / 16.0;  // JPEG chroma noise on gray images stays below this
  const auto departs = [tolerance](long v, double mean) { return std::abs(static_cast<double>(v) - mean) > tolerance; };
  std::vector<long> lo(kBins * 3), hi(kBins * 3);  // the values v with departs(v, mean) false: [lo, hi]
  constexpr long kTop = 65535;  // the largest sample
  for (int k = 0; k < kBins * 3; ++k) {
    const uint32_t count = static_cast<uint32_t>(sum[k / 3 * 4 + 3]);
    const double mean = static_cast<double>(sum[k / 3 * 4 + k % 3]) / std::max<uint32_t>(1, count);
    // departs(v) is false on one run of values around the mean (none when max_value < 16 leaves no
    // integer close enough) and true on both sides of it
    const long c0 = static_cast<long>(mean);
    const long c = !departs(c0, mean) ? c0 : !departs(c0 + 1, mean) ? c0 + 1 : -1;
    if (c < 0) {  // every value departs
      lo[k] = 1;
      hi[k] = 0;
      continue;
    }
    long a = -1, b = c;  // the lowest value that does not depart is in (a, b]
    while (b - a > 1) {
      const long m = a + (b - a) / 2;
      (departs(m, mean) ? a : b) = m;
    }
    lo[k] = b;
    a = c;  // the highest is in [a, b)
    b = kTop + 1;
    while (b - a > 1) {
      const long m = a + (b - a) / 2;
      (departs(m, mean) ? b : a) = m;
    }
    hi[k] = a;
  }
  size_t departing = 0;
  for (size_t i = 0; i < luma.size(); ++i) {
    const T* p = src + i * channels;
    const size_t k = static_cast<size_t>(luma[i] >> shift) * 3;
    departing += (p[0] < lo[k] || p[0] > hi[k] || p[1] < lo[k + 1] || p[1] > hi[k + 1] || p[2] < lo[k + 2] || p[2] > hi[k + 2]);
  }
  return luma.empty() ? 0.0 : static_cast<double>(departing) / static_cast<double>(luma.size());
}

// Rec. 601 luma, rounded: (299 R + 587 G + 114 B) / 1000; alpha blends onto black. Samples are at most
// 65535, so every sum and product here fits in 32 bits.
template <int C, typename T>
void gray_pixels(const T* src, size_t count, uint32_t max, uint16_t* px) {
  for (size_t i = 0; i < count; ++i, src += C) {
    uint32_t y = C <= 2 ? src[0] : (299u * src[0] + 587u * src[1] + 114u * src[2] + 500u) / 1000u;
    if constexpr (C == 2 || C == 4) {
      const uint32_t alpha = src[C - 1];
      if (alpha != max) y = (y * alpha + max / 2) / max;
    }
    px[i] = static_cast<uint16_t>(y);
  }
}

// Whether every pixel has R = G = B and is opaque. Most colour files of X-rays are: a JPEG's neutral
// chroma decodes to equal channels exactly, and gray PNGs are often saved as RGB or RGBA.
template <int C, typename T>
bool all_gray(const T* src, size_t count, uint32_t max) {
  constexpr size_t kBlock = 4096;  // pixels checked without a branch, then a photograph stops early
  for (size_t at = 0; at < count; at += kBlock) {
    const size_t end = std::min(count, at + kBlock);
    bool gray = true;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if constexpr (C == 4 && sizeof(T) == 1) {  // 8-bit RGBA (a colour JPEG): a pixel a word, R its low byte
      uint32_t diff = max == 255 ? 0 : 1;
      for (size_t i = at; i < end; ++i) {
        uint32_t w;
        std::memcpy(&w, src + i * 4, 4);
        diff |= w ^ (0xFF000000u | (w & 0xFFu) * 0x010101u);
      }
      gray = diff == 0;
    } else
#endif
    {
      for (size_t i = at; i < end; ++i) {
        const T* p = src + i * C;
        gray &= (p[0] == p[1]) & (p[1] == p[2]);
        if constexpr (C == 4) gray &= p[3] == max;
      }
    }
    if (!gray) return false;
  }
  return true;
}

// Gray pixels (R = G = B, opaque): the luma of each is its value.
template <int C, typename T>
void gray_of_gray(const T* src, size_t count, uint16_t* px) {
  for (size_t i = 0; i < count; ++i) px[i] = src[i * C];
}

template <typename T>
void gray_of(const T* src, int channels, size_t count, int max_value, DecodeResult& out) {
  auto& px = out.image.pixels;
  px.resize(count);
  const auto max = static_cast<uint32_t>(max_value);
  const bool gray = channels == 3 ? all_gray<3>(src, count, max) : channels == 4 && all_gray<4>(src, count, max);
  if (gray) {
    channels == 3 ? gray_of_gray<3>(src, count, px.data()) : gray_of_gray<4>(src, count, px.data());
  } else {
    switch (channels) {
      case 1: gray_pixels<1>(src, count, max, px.data()); break;
      case 2: gray_pixels<2>(src, count, max, px.data()); break;
      case 3: gray_pixels<3>(src, count, max, px.data()); break;
      default: gray_pixels<4>(src, count, max, px.data()); break;
    }
  }
  // Gray pixels: a luma bin holds values at most (bin width - 1) apart, so none is more than the tolerance
  // (max / 16) from its bin's mean and the colour measure is 0 without its two passes, unless a bin is
  // 256 values wide and max is below 4080.
  const int bin_width = max_value > 255 ? 256 : 1;  // as colour_departure bins
  const bool no_departure = gray && max_value / 16.0 >= bin_width - 1;
  out.colour_fraction = channels < 3 || no_departure ? 0.0 : colour_departure(src, channels, px, max_value);
}

}  // namespace

std::string megabytes(long long bytes) { return std::to_string((bytes + 500'000) / 1'000'000) + " MB"; }

std::string pixel_limits() {
  return "the limit is " + std::to_string(kMaxPixels / 1'000'000) + " megapixels and " + std::to_string(kMaxSide) +
         " pixels a side";
}

std::string too_large_message(long long w, long long h) {
  return "Image too large: " + std::to_string(w) + " x " + std::to_string(h) + " pixels (" + pixel_limits() + ").";
}

std::string size_error(long long w, long long h) {
  if (w <= 0 || h <= 0) return "The image has no pixels.";
  if (w > kMaxSide || h > kMaxSide || w * h > kMaxPixels) return too_large_message(w, h);
  return "";
}

std::string budget_error(long long w, long long h, long long peak, long long budget) {
  if (peak <= budget) return "";
  return "Image too large: decoding " + std::to_string(w) + " x " + std::to_string(h) + " pixels would need about " +
         megabytes(peak) + " of memory (the limit is " + megabytes(budget) + ").";
}

std::string file_size_error(double size) {
  if (!(size > static_cast<double>(kMaxFileBytes))) return "";
  return "File too large: " + megabytes(static_cast<long long>(std::min(size, 1e18))) + " (the limit is " +
         megabytes(kMaxFileBytes) + ").";
}

void to_gray(const uint8_t* src, int channels, size_t count, int max_value, DecodeResult& out) {
  gray_of(src, channels, count, max_value, out);
}
void to_gray(const uint16_t* src, int channels, size_t count, int max_value, DecodeResult& out) {
  gray_of(src, channels, count, max_value, out);
}

}  // namespace xr::detail
