// Invariants every fuzz target checks on an opened study: a failure is a crash that libFuzzer reports.
#pragma once
#include <algorithm>
#include <cstdio>
#include <iterator>
#include <cstdlib>

#include "contract.h"
#include "study.h"

#define FUZZ_CHECK(cond)                                                        \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                             \
    }                                                                           \
  } while (0)

namespace fuzz {

inline void check_study(const xr::Study& s) {
  if (!s.ok()) {
    FUZZ_CHECK(!s.decoded.error.empty());
    FUZZ_CHECK(s.input.empty());
    return;
  }
  const auto& img = s.decoded.image;
  FUZZ_CHECK(img.width > 0 && img.height > 0);
  FUZZ_CHECK(img.width <= xr::kMaxSide && img.height <= xr::kMaxSide);
  FUZZ_CHECK(img.pixels.size() == static_cast<size_t>(img.width) * img.height);
  // 255 or 65535; a PNM whose largest value is under 255 keeps it (decode.cpp)
  FUZZ_CHECK(img.max_value == 255 || img.max_value == 65535 || (s.decoded.format == "PNM" && img.max_value >= 1 && img.max_value < 255));
  for (uint16_t v : img.pixels) FUZZ_CHECK(v <= img.max_value);
  FUZZ_CHECK(s.decoded.channels >= 1 && s.decoded.channels <= 4);
  static const char* const kFormats[] = {"PNG", "JPEG", "WebP", "TIFF", "BMP", "GIF", "PNM", "TGA"};
  FUZZ_CHECK(std::find(std::begin(kFormats), std::end(kFormats), s.decoded.format) != std::end(kFormats));
  FUZZ_CHECK(s.decoded.colour_fraction >= 0.0 && s.decoded.colour_fraction <= 1.0);
  FUZZ_CHECK(s.canonical.width == xr::kCanonicalSize && s.canonical.height == xr::kCanonicalSize);
  FUZZ_CHECK(s.canonical.pixels.size() == static_cast<size_t>(xr::kCanonicalSize) * xr::kCanonicalSize);
  FUZZ_CHECK(s.input.size() == static_cast<size_t>(xr::kInputSize) * xr::kInputSize);
  for (float v : s.input) FUZZ_CHECK(v >= 0.0f && v <= 255.0f);
  FUZZ_CHECK(s.check.reason.empty() == s.check.message.empty());
}

}  // namespace fuzz
