#include "decode_common.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "contract.h"

namespace xr::detail {
namespace {

// Share of pixels whose colour departs from the image's own gray-to-colour curve: the mean colour of
// all pixels of the same luma. Gray images and uniformly tinted ones (duotone figures from papers)
// score ~0; photographs, colour diagrams and screenshots score high; a few coloured arrows stay small.
template <typename T>
double colour_departure(const T* src, int channels, const std::vector<uint16_t>& luma, int max_value) {
  constexpr int kBins = 256;
  const int shift = max_value > 255 ? 8 : 0;
  std::vector<double> sum(kBins * 3, 0.0);
  std::vector<uint32_t> count(kBins, 0);
  for (size_t i = 0; i < luma.size(); ++i) {
    const T* p = src + i * channels;
    const int bin = luma[i] >> shift;
    for (int c = 0; c < 3; ++c) sum[bin * 3 + c] += p[c];
    ++count[bin];
  }
  for (int b = 0; b < kBins; ++b)
    for (int c = 0; c < 3; ++c) sum[b * 3 + c] /= std::max<uint32_t>(1, count[b]);
  const double tolerance = max_value / 16.0;  // JPEG chroma noise on gray images stays below this
  size_t departing = 0;
  for (size_t i = 0; i < luma.size(); ++i) {
    const T* p = src + i * channels;
    const double* mean = &sum[(luma[i] >> shift) * 3];
    double dev = 0;
    for (int c = 0; c < 3; ++c) dev = std::max(dev, std::abs(p[c] - mean[c]));
    if (dev > tolerance) ++departing;
  }
  return luma.empty() ? 0.0 : static_cast<double>(departing) / static_cast<double>(luma.size());
}

template <typename T>
void gray_of(const T* src, int channels, size_t count, int max_value, DecodeResult& out) {
  auto& px = out.image.pixels;
  px.resize(count);
  for (size_t i = 0; i < count; ++i) {
    const T* p = src + i * channels;
    uint32_t y;
    uint32_t alpha = static_cast<uint32_t>(max_value);
    if (channels <= 2) {
      y = p[0];
      if (channels == 2) alpha = p[1];
    } else {
      // Rec. 601 luma, rounded: (299 R + 587 G + 114 B) / 1000
      y = static_cast<uint32_t>((299ull * p[0] + 587ull * p[1] + 114ull * p[2] + 500) / 1000);
      if (channels == 4) alpha = p[3];
    }
    if (alpha != static_cast<uint32_t>(max_value)) {
      y = static_cast<uint32_t>((static_cast<uint64_t>(y) * alpha + max_value / 2) / max_value);
    }
    px[i] = static_cast<uint16_t>(y);
  }
  out.colour_fraction = channels >= 3 ? colour_departure(src, channels, px, max_value) : 0.0;
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

std::string file_size_error(size_t size) {
  if (size <= static_cast<size_t>(kMaxFileBytes)) return "";
  return "File too large: " + megabytes(static_cast<long long>(size)) + " (the limit is " + megabytes(kMaxFileBytes) +
         ").";
}

void to_gray(const uint8_t* src, int channels, size_t count, int max_value, DecodeResult& out) {
  gray_of(src, channels, count, max_value, out);
}
void to_gray(const uint16_t* src, int channels, size_t count, int max_value, DecodeResult& out) {
  gray_of(src, channels, count, max_value, out);
}

}  // namespace xr::detail
