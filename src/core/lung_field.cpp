#include "lung_field.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "contract.h"

namespace xr {
namespace {

constexpr int N = kCanonicalSize;
constexpr double kMinArea = 0.06;    // a pair of adult or child lungs covers 12-45% of the canonical image
constexpr double kMaxArea = 0.70;
constexpr double kSecondLung = 0.15; // a second component counts as a lung from this share of the first
// Two lungs lie side by side: their heights overlap by at least this share of the shorter one. On val
// every pair below 0.66 was a dark image border or corner taken for a lung; good pairs start near 0.69
// (lung model 1.0.0; with 1.1.0 the lowest pairs of train are the same failure).
constexpr double kSideBySide = 0.6;
constexpr double kMargin = 0.08;     // box margin per side, as a share of the lungs' larger extent
constexpr int kDilate = 10;          // input pixels kept around the lung mask (consolidation at its edge)
constexpr int kFeather = 8;          // then a linear ramp to the fill value over this many pixels

struct Component {
  int area = 0, x0 = N, y0 = N, x1 = -1, y1 = -1;
  int label = 0;
};

// 8-connected components of `on` (N x N); labels[i] = component index + 1, or 0.
std::vector<Component> components(const std::vector<uint8_t>& on, std::vector<int>& labels) {
  labels.assign(on.size(), 0);
  std::vector<Component> comps;
  std::vector<int> stack;
  for (int start = 0; start < N * N; ++start) {
    if (!on[start] || labels[start]) continue;
    Component c;
    c.label = static_cast<int>(comps.size()) + 1;
    labels[start] = c.label;
    stack.assign(1, start);
    while (!stack.empty()) {
      const int i = stack.back();
      stack.pop_back();
      const int x = i % N, y = i / N;
      ++c.area;
      c.x0 = std::min(c.x0, x), c.x1 = std::max(c.x1, x), c.y0 = std::min(c.y0, y), c.y1 = std::max(c.y1, y);
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          const int nx = x + dx, ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= N || ny >= N) continue;
          const int j = ny * N + nx;
          if (on[j] && !labels[j]) labels[j] = c.label, stack.push_back(j);
        }
    }
    comps.push_back(c);
  }
  return comps;
}

// The kept components' joint bounding box, inclusive: {x0, y0, x1, y1}.
std::array<int, 4> bounds(const std::vector<Component>& kept) {
  std::array<int, 4> b{N, N, -1, -1};
  for (const auto& c : kept)
    b = {std::min(b[0], c.x0), std::min(b[1], c.y0), std::max(b[2], c.x1), std::max(b[3], c.y1)};
  return b;
}

std::string percent(double f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f%%", f * 100);
  return buf;
}

void judge(LungField& lf, const std::vector<Component>& kept) {
  if (lf.area_fraction < kMinArea) {
    lf.reason = "lungs_small";
    lf.message = "no plausible lung fields were found (the lung outline covers " + percent(lf.area_fraction) +
                 " of the image); the models read frontal chest X-rays with both lungs in view.";
    return;
  }
  if (lf.area_fraction > kMaxArea) {
    lf.reason = "lungs_large";
    lf.message = "the lung outline covers " + percent(lf.area_fraction) +
                 " of the image, more than lungs can; this does not look like a frontal chest X-ray.";
    return;
  }
  const Component& a = kept[0];
  if (kept.size() == 1 && (a.x1 - a.x0 + 1) < N * 0.35) {
    lf.reason = "lungs_one_side";
    lf.message = "only one lung was found; the models need both lungs in view.";
    return;
  }
  if (kept.size() == 2) {
    const Component& b = kept[1];
    const int overlap = std::min(a.y1, b.y1) - std::max(a.y0, b.y0) + 1;
    if (overlap < kSideBySide * std::min(a.y1 - a.y0 + 1, b.y1 - b.y0 + 1)) {
      lf.reason = "lungs_unpaired";
      lf.message = "the two regions taken for lungs do not lie side by side (one may be a dark border of the "
                   "image), so the lung outline cannot be trusted here.";
      return;
    }
  }
  const auto [x0, y0, x1, y1] = bounds(kept);
  const double cx = (x0 + x1 + 1) / 2.0 / N, cy = (y0 + y1 + 1) / 2.0 / N;
  if (std::abs(cx - 0.5) > 0.25 || std::abs(cy - 0.5) > 0.27) {
    lf.reason = "lungs_off_centre";
    lf.message = "the lungs found lie far from the centre of the image; the models read frontal chest X-rays "
                 "with the chest in the middle.";
  }
}

Rect square_box(const std::vector<Component>& kept) {
  const auto [x0, y0, x1, y1] = bounds(kept);
  const int w = x1 - x0 + 1, h = y1 - y0 + 1;
  const int side = std::min(N, static_cast<int>(std::lround(std::max(w, h) * (1 + 2 * kMargin))));
  const auto place = [side](int lo, int extent) { return std::clamp(lo + extent / 2 - side / 2, 0, N - side); };
  return {place(x0, w), place(y0, h), side, side};
}

// Chamfer (3-4) distance to the nearest mask pixel, in thirds of a pixel, on an n x n grid.
std::vector<int> distance_to(const std::vector<uint8_t>& on, int n) {
  const int far = 1 << 28;
  std::vector<int> d(on.size());
  for (size_t i = 0; i < on.size(); ++i) d[i] = on[i] ? 0 : far;
  auto relax = [&](int x, int y, int dx, int dy, int cost) {
    const int nx = x + dx, ny = y + dy;
    if (nx >= 0 && ny >= 0 && nx < n && ny < n) d[y * n + x] = std::min(d[y * n + x], d[ny * n + nx] + cost);
  };
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) relax(x, y, -1, 0, 3), relax(x, y, 0, -1, 3), relax(x, y, -1, -1, 4), relax(x, y, 1, -1, 4);
  for (int y = n - 1; y >= 0; --y)
    for (int x = n - 1; x >= 0; --x) relax(x, y, 1, 0, 3), relax(x, y, 0, 1, 3), relax(x, y, 1, 1, 4), relax(x, y, -1, 1, 4);
  return d;
}

// Bilinear sample of the canonical image at (sx, sy) in pixel-centre coordinates, edges clamped.
double sample(const Gray8& img, double sx, double sy) {
  const double fx = std::clamp(sx, 0.0, N - 1.0), fy = std::clamp(sy, 0.0, N - 1.0);
  const int x0 = static_cast<int>(fx), y0 = static_cast<int>(fy);
  const int x1 = std::min(x0 + 1, N - 1), y1 = std::min(y0 + 1, N - 1);
  const double ax = fx - x0, ay = fy - y0;
  const auto p = [&img](int x, int y) { return static_cast<double>(img.pixels[static_cast<size_t>(y) * N + x]); };
  return (p(x0, y0) * (1 - ax) + p(x1, y0) * ax) * (1 - ay) + (p(x0, y1) * (1 - ax) + p(x1, y1) * ax) * ay;
}

}  // namespace

Rect fallback_box() { return {kInputOffset, kInputOffset, kInputSize, kInputSize}; }

RegionF lung_field_region(int width, int height, const Rect& box) {
  const int side = std::min(width, height);
  const double scale = static_cast<double>(side) / N;
  return {(width - side) / 2 + box.x * scale, (height - side) / 2 + box.y * scale, box.width * scale,
          box.height * scale};
}

LungField lung_field(const Gray8& canonical, const uint8_t* mask) {
  LungField lf;
  std::vector<uint8_t> on(static_cast<size_t>(N) * N);
  for (size_t i = 0; i < on.size(); ++i) on[i] = mask[i] >= 128;
  std::vector<int> labels;
  std::vector<Component> comps = components(on, labels);
  std::stable_sort(comps.begin(), comps.end(), [](const Component& a, const Component& b) { return a.area > b.area; });
  std::vector<Component> kept;
  for (const auto& c : comps)
    if (kept.size() < 2 && (kept.empty() || c.area >= kSecondLung * kept[0].area)) kept.push_back(c);

  lf.mask = {N, N, std::vector<uint8_t>(static_cast<size_t>(N) * N, 0)};
  for (size_t i = 0; i < on.size(); ++i)
    for (const auto& c : kept)
      if (labels[i] == c.label) lf.mask.pixels[i] = 255;
  int area = 0;
  for (const auto& c : kept) area += c.area;
  lf.lungs = static_cast<int>(kept.size());
  lf.area_fraction = static_cast<double>(area) / (N * N);
  const bool usable = lf.area_fraction >= 0.005;
  lf.box = usable ? square_box(kept) : fallback_box();
  if (usable) judge(lf, kept);
  else judge(lf, {Component{}});

  // Resample the box to the input grid; the mask by nearest pixel, the image bilinearly.
  const int n = kInputSize;
  const double step = static_cast<double>(lf.box.width) / n;
  std::vector<double> pix(static_cast<size_t>(n) * n);
  std::vector<uint8_t> lung(pix.size());
  for (int v = 0; v < n; ++v)
    for (int u = 0; u < n; ++u) {
      const double sx = lf.box.x + (u + 0.5) * step - 0.5, sy = lf.box.y + (v + 0.5) * step - 0.5;
      const size_t i = static_cast<size_t>(v) * n + u;
      pix[i] = sample(canonical, sx, sy);
      const int mx = std::clamp(static_cast<int>(std::floor(sx + 0.5)), 0, N - 1);
      const int my = std::clamp(static_cast<int>(std::floor(sy + 0.5)), 0, N - 1);
      lung[i] = !usable || lf.mask.pixels[static_cast<size_t>(my) * N + mx];
    }
  double sum = 0;
  long count = 0;
  for (size_t i = 0; i < pix.size(); ++i)
    if (lung[i]) sum += pix[i], ++count;
  const double fill = count ? sum / count : 0;
  const std::vector<int> dist = distance_to(lung, n);
  lf.input.resize(pix.size());
  lf.weight.resize(pix.size());
  for (size_t i = 0; i < pix.size(); ++i) {
    const double d = dist[i] / 3.0;  // pixels
    const double w = d <= kDilate ? 1.0 : std::max(0.0, 1.0 - (d - kDilate) / kFeather);
    lf.input[i] = static_cast<uint8_t>(std::clamp(std::lround(w * pix[i] + (1 - w) * fill), 0L, 255L));
    lf.weight[i] = static_cast<uint8_t>(std::lround(w * 255));
  }
  return lf;
}

}  // namespace xr
