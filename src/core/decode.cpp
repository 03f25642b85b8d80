#include "decode.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

#include "contract.h"
#include "stb_config.h"

namespace xr {
namespace {

bool starts_with(const uint8_t* d, size_t n, const char* magic, size_t m) {
  return n >= m && std::memcmp(d, magic, m) == 0;
}

// stb_image decodes a truncated JPEG silently (the missing part is gray); look for the end markers.
bool has_end_marker(const uint8_t* d, size_t n, bool png) {
  const size_t tail = n < 64 ? n : 64;
  for (size_t i = n - tail; i + 1 < n; ++i) {
    if (png) {
      if (i + 4 <= n && std::memcmp(d + i, "IEND", 4) == 0) return true;
    } else if (d[i] == 0xFF && d[i + 1] == 0xD9) {
      return true;
    }
  }
  return false;
}

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
void to_gray(const T* src, int channels, size_t count, int max_value, DecodeResult& out) {
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

DecodeResult decode_image(const uint8_t* data, size_t size) {
  DecodeResult out;
  if (data == nullptr || size == 0) {
    out.error = "The file is empty.";
    return out;
  }
  const bool png = starts_with(data, size, "\x89PNG\r\n\x1a\n", 8);
  const bool jpeg = starts_with(data, size, "\xFF\xD8\xFF", 3);
  if (!png && !jpeg) {
    out.error = "Not a readable image: the file is neither PNG nor JPEG.";
    return out;
  }
  out.format = png ? "PNG" : "JPEG";
  if (size > static_cast<size_t>(INT32_MAX)) {
    out.error = "The file is too large to read.";
    return out;
  }
  const int len = static_cast<int>(size);

  int w = 0, h = 0, comp = 0;
  if (!stbi_info_from_memory(data, len, &w, &h, &comp)) {
    out.error = std::string("Not a readable ") + out.format + " image (" + stbi_failure_reason() + ").";
    return out;
  }
  if (w <= 0 || h <= 0) {
    out.error = "The image has no pixels.";
    return out;
  }
  if (w > kMaxSide || h > kMaxSide || static_cast<long long>(w) * h > kMaxPixels) {
    out.error = "Image too large: " + std::to_string(w) + " x " + std::to_string(h) +
                " pixels (the limit is 60 megapixels and 16384 pixels a side).";
    return out;
  }
  const bool sixteen = stbi_is_16_bit_from_memory(data, len) != 0;
  out.bit_depth = sixteen ? 16 : 8;
  out.image.max_value = sixteen ? 65535 : 255;

  int channels = 0;
  const size_t count = static_cast<size_t>(w) * static_cast<size_t>(h);
  if (sixteen) {
    std::unique_ptr<stbi_us, void (*)(void*)> buf(stbi_load_16_from_memory(data, len, &w, &h, &channels, 0),
                                                 stbi_image_free);
    if (!buf) {
      out.error = std::string("Could not decode the ") + out.format + " image (" + stbi_failure_reason() + ").";
      return out;
    }
    to_gray(buf.get(), channels, count, 65535, out);
  } else {
    std::unique_ptr<stbi_uc, void (*)(void*)> buf(stbi_load_from_memory(data, len, &w, &h, &channels, 0),
                                                 stbi_image_free);
    if (!buf) {
      out.error = std::string("Could not decode the ") + out.format + " image (" + stbi_failure_reason() + ").";
      return out;
    }
    to_gray(buf.get(), channels, count, 255, out);
  }
  out.channels = channels;
  out.image.width = w;
  out.image.height = h;
  if (!has_end_marker(data, size, png)) {
    out.warning = "The file appears truncated (no end-of-image marker); the result may be unreliable.";
  }
  return out;
}

}  // namespace xr
