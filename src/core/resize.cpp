#include "resize.h"

#include <algorithm>
#include <cmath>

namespace xr {
namespace {

// For each output cell i, the source cells that [i*scale, (i+1)*scale) overlaps, weighted by overlap / scale:
// cell i's taps are index[k], weight[k] for k in [first[i], first[i + 1]).
struct Taps {
  std::vector<int> first, index;
  std::vector<double> weight;
};

Taps area_taps(int src_len, int dst_len) {
  Taps taps;
  taps.first.reserve(static_cast<size_t>(dst_len) + 1);
  const double scale = static_cast<double>(src_len) / dst_len;
  for (int i = 0; i < dst_len; ++i) {
    taps.first.push_back(static_cast<int>(taps.index.size()));
    const double lo = i * scale;
    const double hi = (i + 1) * scale;
    for (int s = static_cast<int>(std::floor(lo)); s < src_len && s < hi; ++s) {
      const double overlap = std::fmin(hi, s + 1.0) - std::fmax(lo, static_cast<double>(s));
      if (overlap > 0) {
        taps.index.push_back(s);
        taps.weight.push_back(overlap / scale);
      }
    }
  }
  taps.first.push_back(static_cast<int>(taps.index.size()));
  return taps;
}

// The horizontal pass of rows r0 and r1 together (each value its taps' products summed in tap order from
// 0, as for one row: two lanes of the same arithmetic, which the compiler may run as one SIMD pair).
void horizontal_pair(const uint16_t* r0, const uint16_t* r1, const Taps& t, int out_w, double* d0, double* d1) {
  for (int x = 0; x < out_w; ++x) {
    double a0 = 0, a1 = 0;
    for (int k = t.first[x]; k < t.first[x + 1]; ++k) {
      const double w = t.weight[k];
      a0 += w * r0[t.index[k]];
      a1 += w * r1[t.index[k]];
    }
    d0[x] = a0;
    d1[x] = a1;
  }
}

}  // namespace

Gray8 area_resize(const GrayImage& src, Rect region, int out_w, int out_h) {
  Gray8 out;
  out.width = out_w;
  out.height = out_h;
  out.pixels.assign(static_cast<size_t>(out_w) * out_h, 0);
  if (src.empty() || region.width <= 0 || region.height <= 0 || out_w <= 0 || out_h <= 0) return out;

  const Taps xt = area_taps(region.width, out_w);
  const Taps yt = area_taps(region.height, out_h);

  // Horizontal pass over the rows of the region, then vertical; doubles keep native and wasm identical.
  std::vector<double> rows(static_cast<size_t>(region.height) * out_w);
  const auto row_of = [&](int y) {
    return src.pixels.data() + static_cast<size_t>(region.y + y) * src.width + region.x;
  };
  for (int y = 0; y < region.height; y += 2) {
    const int y1 = std::min(y + 1, region.height - 1);  // an odd last row is done twice, the same way
    horizontal_pair(row_of(y), row_of(y1), xt, out_w, rows.data() + static_cast<size_t>(y) * out_w,
                    rows.data() + static_cast<size_t>(y1) * out_w);
  }
  // Vertical: each pixel's taps in order from 0 as before, a tap at a time over a whole output row.
  std::vector<double> acc(static_cast<size_t>(out_w));
  const double to8 = 255.0 / src.max_value;
  for (int y = 0; y < out_h; ++y) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int k = yt.first[y]; k < yt.first[y + 1]; ++k) {
      const double w = yt.weight[k];
      const double* r = rows.data() + static_cast<size_t>(yt.index[k]) * out_w;
      for (int x = 0; x < out_w; ++x) acc[x] += w * r[x];
    }
    uint8_t* o = out.pixels.data() + static_cast<size_t>(y) * out_w;
    for (int x = 0; x < out_w; ++x) {
      const double v = std::floor(acc[x] * to8 + 0.5);
      o[x] = static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
    }
  }
  return out;
}

}  // namespace xr
