// What every decoder of the core shares (decode.cpp, decode_webp.cpp, decode_tiff.cpp, decode_jpeg12.cpp):
// the size limits of contract.h in words, and samples to gray (Rec. 601 luma, alpha on black, colour measure).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "decode.h"

namespace xr::detail {

std::string megabytes(long long bytes);
std::string too_large_message(long long w, long long h);
// "the limit is 60 megapixels and 16384 pixels a side", from contract.h.
std::string pixel_limits();
// The pixel-count and side limits of contract.h, checked on a header's size before any allocation; "" if within.
std::string size_error(long long w, long long h);
// "Image too large: decoding W x H pixels would need about N MB ..." when `peak` exceeds `budget`, else "".
std::string budget_error(long long w, long long h, long long peak, long long budget);
// "File too large" past kMaxFileBytes, else "". A double, so that any size JS hands over fits.
std::string file_size_error(double size);

// Interleaved samples (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA), each 0..max_value, into out.image.pixels
// (resized to `count`) and out.colour_fraction.
void to_gray(const uint8_t* src, int channels, size_t count, int max_value, DecodeResult& out);
void to_gray(const uint16_t* src, int channels, size_t count, int max_value, DecodeResult& out);

}  // namespace xr::detail
