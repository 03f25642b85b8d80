// The model contract shared by the page, the headless predictor and the training cache.
// See docs/PREPROCESSING.md. Change it only in one step on both sides, with the version raised.
#pragma once
#include <cstddef>

namespace xr {

// v2: the classifiers read the lung field (lung_field.h) made from the canonical image and the lung
// model's mask; the input gate still reads the central 224x224 (v1's input).
// v3: every image is first brought to one effective resolution (kEffectiveSize) before the canonical
// image, so that sharpness no longer tells a 224 px archive from a 2048 px one.
constexpr int kContractVersion = 3;
constexpr int kCanonicalSize = 256;  // the canonical image: central square, area-averaged to 256x256, 8-bit
// The central square is area-averaged to kEffectiveSize^2 first, then enlarged to kCanonicalSize by the
// same area rule: the resolution of the pool's lowest-resolution sources (crd_partial, kermany_224).
constexpr int kEffectiveSize = 224;
constexpr int kInputSize = 224;      // the model input: 224x224 (the lung field; the gate: the central 224x224)
constexpr int kInputOffset = (kCanonicalSize - kInputSize) / 2;

// Refused before any pixel buffer is allocated.
constexpr long long kMaxPixels = 60'000'000;
constexpr int kMaxSide = 16384;
// The most memory one decode may need at once (stb_image's buffers and ours, with the file's bytes),
// estimated from the header before decoding and enforced on stb_image's allocations (stb_alloc.h).
// Far below the wasm core's 2 GB maximum, which also holds the previous image while a new one opens.
constexpr long long kMaxDecodeBytes = 800'000'000;
constexpr long long kMaxFileBytes = 256'000'000;

}  // namespace xr
