#include "resize.h"

#include <cmath>

namespace xr {
namespace {

struct Tap {
  int index;
  double weight;
};

// For each output cell i, the source cells that [i*scale, (i+1)*scale) overlaps, weighted by overlap / scale.
std::vector<std::vector<Tap>> area_taps(int src_len, int dst_len) {
  std::vector<std::vector<Tap>> taps(static_cast<size_t>(dst_len));
  const double scale = static_cast<double>(src_len) / dst_len;
  for (int i = 0; i < dst_len; ++i) {
    const double lo = i * scale;
    const double hi = (i + 1) * scale;
    for (int s = static_cast<int>(std::floor(lo)); s < src_len && s < hi; ++s) {
      const double overlap = std::fmin(hi, s + 1.0) - std::fmax(lo, static_cast<double>(s));
      if (overlap > 0) taps[static_cast<size_t>(i)].push_back({s, overlap / scale});
    }
  }
  return taps;
}

}  // namespace

Gray8 area_resize(const GrayImage& src, Rect region, int out_w, int out_h) {
  Gray8 out;
  out.width = out_w;
  out.height = out_h;
  out.pixels.assign(static_cast<size_t>(out_w) * out_h, 0);
  if (src.empty() || region.width <= 0 || region.height <= 0 || out_w <= 0 || out_h <= 0) return out;

  const auto xtaps = area_taps(region.width, out_w);
  const auto ytaps = area_taps(region.height, out_h);

  // Horizontal pass over the rows of the region, then vertical; doubles keep native and wasm identical.
  std::vector<double> rows(static_cast<size_t>(region.height) * out_w);
  for (int y = 0; y < region.height; ++y) {
    const uint16_t* row = src.pixels.data() + static_cast<size_t>(region.y + y) * src.width + region.x;
    double* dst = rows.data() + static_cast<size_t>(y) * out_w;
    for (int x = 0; x < out_w; ++x) {
      double acc = 0;
      for (const Tap& t : xtaps[static_cast<size_t>(x)]) acc += t.weight * row[t.index];
      dst[x] = acc;
    }
  }
  const double to8 = 255.0 / src.max_value;
  for (int y = 0; y < out_h; ++y) {
    for (int x = 0; x < out_w; ++x) {
      double acc = 0;
      for (const Tap& t : ytaps[static_cast<size_t>(y)]) acc += t.weight * rows[static_cast<size_t>(t.index) * out_w + x];
      const double v = std::floor(acc * to8 + 0.5);
      out.pixels[static_cast<size_t>(y) * out_w + x] = static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
    }
  }
  return out;
}

}  // namespace xr
