// What JS hands to the wasm module (file bytes, decoded DICOM samples) and the study's description it
// gets back; shared by the core API (core_api.cpp) and the analysis API (analysis_api.cpp).
#pragma once
#include <emscripten/val.h>

#include <cstdint>
#include <string>
#include <vector>

#include "lung_field.h"
#include "study.h"

namespace xrweb {

// The bytes of the file to open, written by JS through fileBuffer(); taken (and freed) by take_file.
emscripten::val file_buffer(double size);
std::vector<uint8_t> take_file();
// Decoded samples (DICOM) to open, written by JS through samplesBuffer().
emscripten::val samples_buffer(double count);
std::vector<uint16_t> take_samples();
// DICOM's stored values (after the modality rescale), written by JS through valuesBuffer(); window_values
// turns them into the samples above through the file's VOI window or, without one (width NaN or < 1),
// the full range: { center, width, source: 'file' | 'full range' }.
emscripten::val values_buffer(double count);
emscripten::val window_values(int max_value, bool invert, double center, double width);

// ok, error, warning, format, size, depth, channels, colour, window and the gate's rule result.
emscripten::val study_info(const xr::Study& study);

// reason, message, areaFraction, lungs, box, and where the lung field (region) and the canonical mask
// (maskRegion) lie on a width x height image: [x, y, width, height] in image pixels.
emscripten::val lung_field_info(const xr::LungField& lungs, int width, int height);

}  // namespace xrweb
