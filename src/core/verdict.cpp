#include "verdict.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace xr {

Verdict verdict_for(double p_covid, double threshold) {
  return p_covid >= threshold ? Verdict::Positive : Verdict::Negative;
}

bool in_inconclusive_zone(double p_covid, double low, double high) { return p_covid >= low && p_covid < high; }

OperatingPoint operating_point(double card_threshold, double band_low, double band_high, std::optional<double> site_threshold) {
  if (site_threshold && *site_threshold >= 0 && *site_threshold <= 1)
    return {*site_threshold, *site_threshold, *site_threshold, true};
  return {card_threshold, band_low, band_high, false};
}

std::string site_threshold_note(double threshold, int n, const std::string& date) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "site threshold %.2f, from %d of your X-rays, %s", threshold, n, date.c_str());
  return buf;
}

double bar_position(double p, double threshold) {
  p = std::clamp(p, 0.0, 1.0);
  if (threshold <= 0 || threshold >= 1) return p;
  return p < threshold ? 0.5 * p / threshold : 0.5 + 0.5 * (p - threshold) / (1 - threshold);
}

void scale_cam_to_max(std::vector<float>& cam) {
  float max = 0;
  for (float v : cam) max = std::max(max, v);
  if (max > 0)
    for (float& v : cam) v /= max;
}

const char* verdict_word(Verdict v) { return v == Verdict::Positive ? "POSITIVE" : "NEGATIVE"; }

int whole_percent(double p) {
  if (!(p >= 0)) return 0;  // NaN too
  if (p > 1) return 100;
  return static_cast<int>(std::floor(p * 100.0 + 0.5));
}

std::string percent_one_decimal(double p) {
  if (!(p >= 0)) p = 0;
  if (p > 1) p = 1;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", p * 100.0);
  return buf;
}

std::string labelled_copy_name(Verdict v, double p_covid, const std::string& original_name) {
  std::string stem = original_name;
  const auto slash = stem.find_last_of("/\\");
  if (slash != std::string::npos) stem = stem.substr(slash + 1);
  const auto dot = stem.find_last_of('.');
  if (dot != std::string::npos) stem = stem.substr(0, dot);
  for (char& c : stem) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.';
    if (!safe) c = '_';
  }
  if (stem.empty()) stem = "image";
  return std::string(verdict_word(v)) + "_Prob_" + std::to_string(whole_percent(p_covid)) + "_Name_" + stem + ".png";
}

}  // namespace xr
