#include "decode.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "contract.h"
#include "decode_common.h"
#include "decoders.h"
#include "file_layout.h"
#include "stb_alloc.h"
#include "stb_config.h"

namespace xr {
namespace {

using detail::megabytes;
using detail::size_error;
using detail::too_large_message;

bool starts_with(const uint8_t* d, size_t n, const char* magic, size_t m) {
  return n >= m && std::memcmp(d, magic, m) == 0;
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

// A TGA file has no signature: its header must be one stb_image reads (colour-mapped, true-colour or gray,
// uncompressed or RLE, a plausible depth, a size) with an unused colour-map spec zeroed.
bool tga_header(const uint8_t* d, size_t n) {
  if (n < 18) return false;
  const unsigned cm = d[1], type = d[2], bpp = d[16];
  if (cm > 1 || !(type == 1 || type == 2 || type == 3 || type == 9 || type == 10 || type == 11)) return false;
  if ((type == 1 || type == 9) != (cm == 1)) return false;
  if (cm == 0 && (d[3] | d[4] | d[5] | d[6] | d[7]) != 0) return false;
  if (cm == 1 && !(d[7] == 15 || d[7] == 16 || d[7] == 24 || d[7] == 32)) return false;
  const bool depth = cm == 1 ? (bpp == 8 || bpp == 16) : (bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32);
  return depth && (d[12] | d[13]) != 0 && (d[14] | d[15]) != 0 && (d[17] & 0xC0) == 0;
}

// A BMP: "BM", then an info header of a size stb_image knows.
bool bmp_header(const uint8_t* d, size_t n) {
  if (!starts_with(d, n, "BM", 2) || n < 18) return false;
  const uint32_t hs = static_cast<uint32_t>(d[14]) | d[15] << 8 | d[16] << 16 | static_cast<uint32_t>(d[17]) << 24;
  return hs == 12 || hs == 40 || hs == 56 || hs == 108 || hs == 124;
}

// The parts of a decode every stb_image format shares; `frame`: keep a JPEG's stored values (decode_frame).
DecodeResult decode_with_stb(const uint8_t* data, size_t size, long long memory_budget, const std::string& format,
                             bool frame);

// More than 8 bits a sample (16-bit PNG, PNM and TIFF, 12-bit JPEG): the full range of the values as a
// window onto 0..65535, as for a DICOM file without one (window.h).
void full_range(DecodeResult& out) {
  out.image.max_value = 65535;
  out.window = full_range_window(out.image);
  apply_window(out.image, out.window);
}

DecodeResult decode(const uint8_t* data, size_t size, long long memory_budget, bool frame) {
  DecodeResult out;
  if (data == nullptr || size == 0) {
    out.error = "The file is empty.";
    return out;
  }
  out.format = image_format(data, size);
  if (out.format.empty()) {
    out.error = "Not a readable image: the file is none of PNG, JPEG, WebP, TIFF, BMP, GIF, PNM, TGA or DICOM.";
    return out;
  }
  out.error = detail::file_size_error(static_cast<double>(size));
  if (!out.error.empty()) return out;
  if (out.format == "WebP") return detail::decode_webp(data, size, memory_budget);
  if (out.format == "TIFF") {
    out = detail::decode_tiff(data, size, memory_budget);
    if (out.ok() && out.bit_depth > 8) full_range(out);
    return out;
  }
  return decode_with_stb(data, size, memory_budget, out.format, frame);
}

DecodeResult decode_with_stb(const uint8_t* data, size_t size, long long memory_budget, const std::string& format,
                             bool frame) {
  DecodeResult out;
  out.format = format;
  const bool png = format == "PNG", jpeg = format == "JPEG";
  int len = static_cast<int>(size);
  // before stb_image reads even the header: its header parser builds the Huffman tables it meets
  const Layout layout = png ? png_layout(data, size) : jpeg ? jpeg_layout(data, size) : format == "BMP" ? bmp_layout(data, size)
                        : format == "GIF" ? gif_layout(data, size) : format == "PNM" ? pnm_layout(data, size)
                                                                     : tga_layout(data, size);
  if (!layout.corrupt.empty()) {
    out.error = "Not a readable " + format + " image (corrupt: " + layout.corrupt + ").";
    return out;
  }
  if (jpeg && layout.jpeg_precision > 8) {
    out = detail::decode_jpeg12(data, size, memory_budget, layout);
    if (out.ok() && !frame) full_range(out);
    return out;
  }

  // stb_image refuses some huge PNG headers as "unknown image type", and overflows on a PNM size past an int
  if (layout.width > kMaxSide || layout.height > kMaxSide || layout.width * layout.height > kMaxPixels) {
    out.error = too_large_message(layout.width, layout.height);
    return out;
  }
  if (png && layout.png_ihdr && layout.width * layout.height == 0) {
    out.error = "The image has no pixels.";
    return out;
  }

  int w = 0, h = 0, comp = 0;
  stb_forget_failure();
  if (!stbi_info_from_memory(data, len, &w, &h, &comp)) {
    out.error = failure("Not a readable " + format + " image", memory_budget, layout.complete);
    return out;
  }
  if (format == "BMP") h = std::abs(h);  // stb_image 2.27 gives a top-down BMP's height negative here
  out.error = size_error(w, h);
  if (!out.error.empty()) return out;
  if (layout.data_truncated) {  // after the size: a huge header on a small file is "too large"
    out.error = "Not a readable " + format + " image: the file appears truncated (its pixel data ends early).";
    return out;
  }
  const long long peak = decode_peak_bytes(layout, format, w, h, size);
  out.error = detail::budget_error(w, h, peak, memory_budget);
  if (!out.error.empty()) return out;
  // A colour JPEG as RGBA, where the budget has room for the fourth channel: stb_image converts YCbCr to
  // RGB with SIMD only into four channels (the same values as its scalar path into three; opaque alpha).
  const bool rgba = jpeg && comp == 3 && peak + static_cast<long long>(w) * h <= memory_budget;
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
  // samples: the channels of `pixels` (stb_image's output), which a requested count sets
  const auto convert = [&](const auto* pixels, int samples, int max_value) {
    if (pixels == nullptr) {
      out.error = failure("Could not decode the " + format + " image", memory_budget, layout.complete);
    } else if (w != info_w || h != info_h || channels < 1 || channels > 4) {
      out.error = "Not a readable " + format + " image (its header and its data disagree).";
    } else {
      detail::to_gray(pixels, samples, count, max_value, out);
    }
  };
  stb_forget_failure();
  const bool pnm = format == "PNM";
  if (sixteen) {
    std::unique_ptr<stbi_us, void (*)(void*)> buf(stbi_load_16_from_memory(data, len, &w, &h, &channels, 0),
                                                 stbi_image_free);
    // stb_image 2.27 leaves a 16-bit PNM's samples in the file's byte order (big-endian); 2.28 swaps them
    if (pnm && buf && w == info_w && h == info_h && channels >= 1 && channels <= 4)
      for (size_t i = 0; i < count * static_cast<size_t>(channels); ++i)
        buf.get()[i] = static_cast<stbi_us>(buf.get()[i] >> 8 | buf.get()[i] << 8);
    convert(buf.get(), channels, 65535);
  } else {
    const int wanted = rgba ? 4 : 0;
    std::unique_ptr<stbi_uc, void (*)(void*)> buf(stbi_load_from_memory(data, len, &w, &h, &channels, wanted),
                                                 stbi_image_free);
    convert(buf.get(), wanted != 0 ? wanted : channels, 255);
    // stb_image ignores a PNM's largest value (below 255, say 100): the samples are 0..maxval
    if (pnm && out.ok() && layout.pnm_maxval < 255) {
      out.image.max_value = std::max(1, layout.pnm_maxval);
      for (auto& p : out.image.pixels) p = std::min<uint16_t>(p, static_cast<uint16_t>(out.image.max_value));
    }
  }
  if (!out.ok()) return out;
  out.channels = channels;
  out.image.width = w;
  out.image.height = h;
  if (sixteen) full_range(out);
  if (!layout.complete) {
    out.warning = "The file appears truncated (no end-of-image marker); the result may be unreliable.";
  } else if (jpeg && layout.jpeg_entropy_bytes * 8 < layout.jpeg_blocks) {
    // every block takes at least one bit (its first DC code); stb_image fills the rest with gray
    out.warning = "The file appears truncated (its image data is too short for " + std::to_string(w) + " x " +
                  std::to_string(h) + " pixels); the result may be unreliable.";
  }
  return out;
}

}  // namespace

std::string image_format(const uint8_t* data, size_t size) {
  if (data == nullptr) return "";
  // DICOM first: its 128-byte preamble may hold anything, a TIFF header included (dual-format files)
  if (size >= 132 && std::memcmp(data + 128, "DICM", 4) == 0) return "";
  if (starts_with(data, size, "\x89PNG\r\n\x1a\n", 8)) return "PNG";
  if (starts_with(data, size, "\xFF\xD8\xFF", 3)) return "JPEG";
  if (size >= 12 && starts_with(data, size, "RIFF", 4) && std::memcmp(data + 8, "WEBP", 4) == 0) return "WebP";
  if (starts_with(data, size, "II*\0", 4) || starts_with(data, size, "MM\0*", 4) || starts_with(data, size, "II+\0", 4) ||
      starts_with(data, size, "MM\0+", 4))
    return "TIFF";
  if (starts_with(data, size, "GIF87a", 6) || starts_with(data, size, "GIF89a", 6)) return "GIF";
  if (bmp_header(data, size)) return "BMP";
  if (size >= 3 && data[0] == 'P' && (data[1] == '5' || data[1] == '6') && std::isspace(data[2])) return "PNM";
  if (tga_header(data, size)) return "TGA";
  return "";
}

DecodeResult decode_image(const uint8_t* data, size_t size) { return decode(data, size, kMaxDecodeBytes, false); }

DecodeResult decode_image(const uint8_t* data, size_t size, long long memory_budget) {
  return decode(data, size, memory_budget, false);
}

DecodeResult decode_frame(const uint8_t* data, size_t size) { return decode(data, size, kMaxDecodeBytes, true); }

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
  detail::to_gray(samples, channels, pixels, max_value, out);
  return out;
}

}  // namespace xr
