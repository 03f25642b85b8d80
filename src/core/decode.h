// Decoding image files into a GrayImage, with size checks before allocation: PNG, JPEG (8-bit), BMP, GIF
// (its first frame), PNM (P5/P6) and TGA by stb_image; WebP by libwebp; TIFF by libtiff; 12-bit JPEG by
// libjpeg-turbo's 12-bit build. Recognised by content (image_format), never by a file name.
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
  std::string format;   // image_format's name: "PNG", "JPEG", "WebP", "TIFF", "BMP", "GIF", "PNM", "TGA"
  int channels = 0;     // channels in the file: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
  int bit_depth = 8;
  // More than 8 bits a sample (16-bit PNG, PNM, TIFF; 12-bit JPEG): the values are mapped through the full
  // range of their gray values (window.h) onto 0..65535, as a DICOM file without a window is; `window`
  // says which (width 0: none applied).
  Window window;
  // Share of pixels whose colour departs from the image's gray-to-colour curve: 0 for gray and for
  // uniformly tinted images, high for photographs and colour graphics (decode.cpp).
  double colour_fraction = 0.0;

  bool ok() const { return error.empty(); }
};

// The format decode_image takes, by the file's content (its first 18 bytes suffice; 132 to tell a DICOM
// file, whose preamble may look like anything, for which this says ""), "" for anything else.
std::string image_format(const uint8_t* data, size_t size);

// RGB to gray uses Rec. 601 luma; alpha is composited on black. A file whose decode would need more
// than kMaxDecodeBytes (contract.h), estimated from its header, is refused before any pixel buffer is
// allocated, and stb_image cannot take more than that while it decodes (stb_alloc.h).
DecodeResult decode_image(const uint8_t* data, size_t size);
// The same with another memory budget in bytes (tests).
DecodeResult decode_image(const uint8_t* data, size_t size, long long memory_budget);
// A DICOM frame stored as a JPEG: as decode_image, except that a 12-bit JPEG keeps its stored values
// (max_value 4095, no window) for web/dicom.js to rescale and window.
DecodeResult decode_frame(const uint8_t* data, size_t size);

// Samples decoded elsewhere (DICOM, parsed in web/dicom.js): `channels` 1 (gray) or 3 (RGB, interleaved),
// each 0..max_value (1..65535), `count` = width * height * channels. The same size limits, RGB-to-gray
// conversion and colour measure as decode_image; `format` and `bit_depth` describe the source.
DecodeResult decode_samples(const uint16_t* samples, size_t count, int width, int height, int channels, int max_value,
                            const std::string& format, int bit_depth);

}  // namespace xr
