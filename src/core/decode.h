// Decoding PNG and JPEG bytes (stb_image) into a GrayImage, with size checks before allocation.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "gray_image.h"
#include "window.h"

namespace xr {

struct DecodeResult {
  GrayImage image;
  std::string error;    // empty on success; a message a person can read otherwise
  std::string warning;  // e.g. a missing end-of-image marker: decoded, but the result may be unreliable
  std::string format;   // "PNG" or "JPEG"
  int channels = 0;     // channels in the file: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
  int bit_depth = 8;
  // A 16-bit PNG's values are mapped through the full range of its gray values (window.h) onto
  // 0..65535, as a DICOM file without a window is; `window` says which (width 0: none applied).
  Window window;
  // Share of pixels whose colour departs from the image's gray-to-colour curve: 0 for gray and for
  // uniformly tinted images, high for photographs and colour graphics (decode.cpp).
  double colour_fraction = 0.0;

  bool ok() const { return error.empty(); }
};

// "PNG" or "JPEG" by the file's signature (its first 8 bytes suffice), "" for anything else: the formats
// decode_image takes.
std::string image_format(const uint8_t* data, size_t size);

// RGB to gray uses Rec. 601 luma; alpha is composited on black. A file whose decode would need more
// than kMaxDecodeBytes (contract.h), estimated from its header, is refused before any pixel buffer is
// allocated, and stb_image cannot take more than that while it decodes (stb_alloc.h).
DecodeResult decode_image(const uint8_t* data, size_t size);
// The same with another memory budget in bytes (tests).
DecodeResult decode_image(const uint8_t* data, size_t size, long long memory_budget);

// Samples decoded elsewhere (DICOM, parsed in web/dicom.js): `channels` 1 (gray) or 3 (RGB, interleaved),
// each 0..max_value (1..65535), `count` = width * height * channels. The same size limits, RGB-to-gray
// conversion and colour measure as decode_image; `format` and `bit_depth` describe the source.
DecodeResult decode_samples(const uint16_t* samples, size_t count, int width, int height, int channels, int max_value,
                            const std::string& format, int bit_depth);

}  // namespace xr
