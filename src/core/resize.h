// Area-averaging resize: each output pixel is the exact area-weighted mean of the source pixels it covers.
#pragma once
#include <vector>

#include "gray_image.h"

namespace xr {

struct Rect {
  int x = 0, y = 0, width = 0, height = 0;
};

// Resamples `region` of `src` to out_w x out_h; values are scaled from 0..max_value to 0..255 and
// rounded to the nearest integer.
Gray8 area_resize(const GrayImage& src, Rect region, int out_w, int out_h);

}  // namespace xr
