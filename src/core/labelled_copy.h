// The labelled copy: the image with a band above it that states verdict, probability, model and date.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "gray_image.h"

namespace xr {

struct CopyLabel {
  std::string verdict;  // "POSITIVE" / "NEGATIVE"
  double p_covid = 0;
  double threshold = 0.5;
  std::string model;  // e.g. "Model 1: COVID-19 vs Normal"
  std::string date;   // as the caller formats it (the page passes an ISO date)
  std::string file;   // original file name
  std::string threshold_note;  // an adopted site threshold (verdict.h site_threshold_note), else empty
};

// The image is never covered: the text goes into a black band added above it.
Gray8 labelled_copy(const Gray8& image, const CopyLabel& label);

// 8-bit gray PNG bytes.
std::vector<uint8_t> encode_png(const Gray8& image);

}  // namespace xr
