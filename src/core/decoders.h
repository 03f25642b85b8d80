// The decoders decode.cpp hands a format to when stb_image does not read it (cmake/third_party.cmake).
// Each checks the header's size against contract.h and the memory budget before it allocates pixels,
// and returns the samples as decode_image does (the caller applies the full-range window past 8 bits).
#pragma once
#include <cstddef>
#include <cstdint>

#include "decode.h"
#include "file_layout.h"

namespace xr::detail {

DecodeResult decode_webp(const uint8_t* data, size_t size, long long memory_budget);    // decode_webp.cpp
DecodeResult decode_tiff(const uint8_t* data, size_t size, long long memory_budget);    // decode_tiff.cpp
// A JPEG whose SOF gives 12 bits a sample: the stored values, max_value 4095 (decode_jpeg12.cpp).
DecodeResult decode_jpeg12(const uint8_t* data, size_t size, long long memory_budget, const Layout& layout);

}  // namespace xr::detail
