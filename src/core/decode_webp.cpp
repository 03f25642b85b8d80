// WebP, lossy (VP8) and lossless (VP8L), with or without alpha, by libwebp's decoder (Debian's source
// package, cmake/third_party.cmake). libwebp writes into our buffer; its own working memory is at most a
// few rows (lossy) or about two images of 32-bit pixels (lossless), counted in the estimate below.
#include <string>
#include <vector>

#include <webp/decode.h>

#include "decode_common.h"
#include "decoders.h"

namespace xr::detail {
namespace {

std::string status_words(VP8StatusCode s) {
  switch (s) {
    case VP8_STATUS_OUT_OF_MEMORY: return "out of memory";
    case VP8_STATUS_INVALID_PARAM: return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR: return "its data is corrupt";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "it uses a feature libwebp cannot decode";
    case VP8_STATUS_SUSPENDED: return "decoding was suspended";
    case VP8_STATUS_USER_ABORT: return "decoding was aborted";
    case VP8_STATUS_NOT_ENOUGH_DATA: return "the file appears truncated";
    default: return "unknown error";
  }
}

}  // namespace

DecodeResult decode_webp(const uint8_t* data, size_t size, long long memory_budget) {
  DecodeResult out;
  out.format = "WebP";
  WebPBitstreamFeatures f;
  const VP8StatusCode head = WebPGetFeatures(data, size, &f);
  if (head != VP8_STATUS_OK) {
    out.error = "Not a readable WebP image (" + status_words(head) + ").";
    return out;
  }
  if (f.has_animation) {
    out.error = "This WebP image is animated; only still WebP images can be read.";
    return out;
  }
  out.error = size_error(f.width, f.height);
  if (!out.error.empty()) return out;
  const long long px = static_cast<long long>(f.width) * f.height;
  const int channels = f.has_alpha ? 4 : 3;
  // the file, the RGB(A) output, libwebp's planes or 32-bit pixels (twice, lossless), our 16-bit gray
  const long long peak = static_cast<long long>(size) + px * channels + px * 8 + px * 2;
  out.error = budget_error(f.width, f.height, peak, memory_budget);
  if (!out.error.empty()) return out;

  WebPDecoderConfig config;
  if (!WebPInitDecoderConfig(&config)) {
    out.error = "Not a readable WebP image (libwebp's version does not match).";
    return out;
  }
  std::vector<uint8_t> rgb(static_cast<size_t>(px) * channels);
  config.output.colorspace = f.has_alpha ? MODE_RGBA : MODE_RGB;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = rgb.data();
  config.output.u.RGBA.stride = f.width * channels;
  config.output.u.RGBA.size = rgb.size();
  const VP8StatusCode s = WebPDecode(data, size, &config);
  WebPFreeDecBuffer(&config.output);
  if (s != VP8_STATUS_OK) {
    out.error = "Could not decode the WebP image (" + status_words(s) + ").";
    return out;
  }
  out.channels = channels;
  out.bit_depth = 8;
  out.image.width = f.width;
  out.image.height = f.height;
  out.image.max_value = 255;
  to_gray(rgb.data(), channels, static_cast<size_t>(px), 255, out);
  return out;
}

}  // namespace xr::detail
