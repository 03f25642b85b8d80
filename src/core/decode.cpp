#include "decode.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "contract.h"
#include "file_layout.h"
#include "stb_alloc.h"
#include "stb_config.h"

namespace xr {
namespace {

bool starts_with(const uint8_t* d, size_t n, const char* magic, size_t m) {
  return n >= m && std::memcmp(d, magic, m) == 0;
}

std::string megabytes(long long bytes) { return std::to_string((bytes + 500'000) / 1'000'000) + " MB"; }

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

std::string too_large_message(long long w, long long h) {
  return "Image too large: " + std::to_string(w) + " x " + std::to_string(h) +
         " pixels (the limit is 60 megapixels and 16384 pixels a side).";
}

// The pixel-count and side limits of contract.h, checked on a header's size before any allocation.
std::string size_error(long long w, long long h) {
  if (w <= 0 || h <= 0) return "The image has no pixels.";
  if (w > kMaxSide || h > kMaxSide || w * h > kMaxPixels) return too_large_message(w, h);
  return "";
}

// stb_image's reason for a failure, in words, after `what` ("Could not decode the PNG image");
// running out of the allowance is "too large".
std::string failure(const std::string& what, long long budget, bool complete) {
  std::string reason = stbi_failure_reason() ? stbi_failure_reason() : "";
  if (reason == "outofmem")
    return "Image too large: decoding it would need more than " + megabytes(budget) +
           " of memory (the limit), or its data is corrupt.";
  if (reason.empty()) reason = "corrupt data";
  if (!complete) return what + ": the file appears truncated (" + reason + ").";
  return what + " (" + reason + ").";
}

}  // namespace

std::string image_format(const uint8_t* data, size_t size) {
  if (data == nullptr) return "";
  if (starts_with(data, size, "\x89PNG\r\n\x1a\n", 8)) return "PNG";
  if (starts_with(data, size, "\xFF\xD8\xFF", 3)) return "JPEG";
  return "";
}

DecodeResult decode_image(const uint8_t* data, size_t size) { return decode_image(data, size, kMaxDecodeBytes); }

DecodeResult decode_image(const uint8_t* data, size_t size, long long memory_budget) {
  DecodeResult out;
  if (data == nullptr || size == 0) {
    out.error = "The file is empty.";
    return out;
  }
  out.format = image_format(data, size);
  if (out.format.empty()) {
    out.error = "Not a readable image: the file is neither PNG nor JPEG.";
    return out;
  }
  const bool png = out.format == "PNG";
  if (size > static_cast<size_t>(kMaxFileBytes)) {
    out.error = "File too large: " + megabytes(static_cast<long long>(size)) + " (the limit is " +
                megabytes(kMaxFileBytes) + ").";
    return out;
  }
  int len = static_cast<int>(size);
  // before stb_image reads even the header: its header parser builds the Huffman tables it meets
  const Layout layout = png ? png_layout(data, size) : jpeg_layout(data, size);
  if (!layout.corrupt.empty()) {
    out.error = "Not a readable " + out.format + " image (corrupt: " + layout.corrupt + ").";
    return out;
  }

  // stb_image refuses some huge PNG headers as "unknown image type"; say what is wrong
  if (png && (layout.png_width > kMaxSide || layout.png_height > kMaxSide ||
              layout.png_width * layout.png_height > kMaxPixels)) {
    out.error = too_large_message(layout.png_width, layout.png_height);
    return out;
  }
  if (png && layout.png_ihdr && layout.png_width * layout.png_height == 0) {
    out.error = "The image has no pixels.";
    return out;
  }

  int w = 0, h = 0, comp = 0;
  stb_forget_failure();
  if (!stbi_info_from_memory(data, len, &w, &h, &comp)) {
    out.error = failure("Not a readable " + out.format + " image", memory_budget, layout.complete);
    return out;
  }
  out.error = size_error(w, h);
  if (!out.error.empty()) return out;
  const long long peak = decode_peak_bytes(layout, png, w, h, size);
  if (peak > memory_budget) {
    out.error = "Image too large: decoding " + std::to_string(w) + " x " + std::to_string(h) + " pixels would need about " +
                megabytes(peak) + " of memory (the limit is " + megabytes(memory_budget) + ").";
    return out;
  }
  // stb_image may use what the budget leaves beside the file, and no more (a zip bomb inflates past it).
  const StbAllowance allowance(static_cast<size_t>(memory_budget - static_cast<long long>(size)));
  std::vector<uint8_t> repaired;
  if (png && png_needs_repair(layout)) {
    repaired = png_repaired(data, size, layout);
    data = repaired.data();
    len = static_cast<int>(repaired.size());
  }
  const bool sixteen = stbi_is_16_bit_from_memory(data, len) != 0;
  out.bit_depth = sixteen ? 16 : 8;
  out.image.max_value = sixteen ? 65535 : 255;

  int channels = 0;
  const int info_w = w, info_h = h;
  const size_t count = static_cast<size_t>(w) * static_cast<size_t>(h);
  const auto convert = [&](const auto* pixels, int max_value) {
    if (pixels == nullptr) {
      out.error = failure("Could not decode the " + out.format + " image", memory_budget, layout.complete);
    } else if (w != info_w || h != info_h || channels < 1 || channels > 4) {
      out.error = "Not a readable " + out.format + " image (its header and its data disagree).";
    } else {
      to_gray(pixels, channels, count, max_value, out);
    }
  };
  stb_forget_failure();
  if (sixteen) {
    std::unique_ptr<stbi_us, void (*)(void*)> buf(stbi_load_16_from_memory(data, len, &w, &h, &channels, 0),
                                                 stbi_image_free);
    convert(buf.get(), 65535);
  } else {
    std::unique_ptr<stbi_uc, void (*)(void*)> buf(stbi_load_from_memory(data, len, &w, &h, &channels, 0),
                                                 stbi_image_free);
    convert(buf.get(), 255);
  }
  if (!out.ok()) return out;
  out.channels = channels;
  out.image.width = w;
  out.image.height = h;
  if (sixteen) {
    out.window = full_range_window(out.image);
    apply_window(out.image, out.window);
  }
  if (!layout.complete) {
    out.warning = "The file appears truncated (no end-of-image marker); the result may be unreliable.";
  } else if (!png && layout.jpeg_entropy_bytes * 8 < layout.jpeg_blocks) {
    // every block takes at least one bit (its first DC code); stb_image fills the rest with gray
    out.warning = "The file appears truncated (its image data is too short for " + std::to_string(w) + " x " +
                  std::to_string(h) + " pixels); the result may be unreliable.";
  }
  return out;
}

DecodeResult decode_samples(const uint16_t* samples, size_t count, int width, int height, int channels, int max_value,
                            const std::string& format, int bit_depth) {
  DecodeResult out;
  out.format = format;
  out.bit_depth = bit_depth;
  out.error = size_error(width, height);
  if (!out.error.empty()) return out;
  const size_t pixels = static_cast<size_t>(width) * static_cast<size_t>(height);
  if ((channels != 1 && channels != 3) || max_value < 1 || max_value > 65535 || samples == nullptr ||
      count != pixels * static_cast<size_t>(channels)) {
    out.error = "Not a readable " + format + " image (its samples do not match its size).";
    return out;
  }
  out.channels = channels;
  out.image.width = width;
  out.image.height = height;
  out.image.max_value = max_value;
  to_gray(samples, channels, pixels, max_value, out);
  return out;
}

}  // namespace xr
