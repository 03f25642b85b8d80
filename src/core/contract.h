// The model contract shared by the page, the headless predictor and the training cache.
// See docs/PREPROCESSING.md. Change it only in one step on both sides, with the version raised.
#pragma once
#include <cstddef>

namespace xr {

constexpr int kContractVersion = 1;
constexpr int kCanonicalSize = 256;  // the canonical image: central square, area-averaged to 256x256, 8-bit
constexpr int kInputSize = 224;      // the model input: the central 224x224 of the canonical image
constexpr int kInputOffset = (kCanonicalSize - kInputSize) / 2;

// Refused before any pixel buffer is allocated.
constexpr long long kMaxPixels = 60'000'000;
constexpr int kMaxSide = 16384;

}  // namespace xr
