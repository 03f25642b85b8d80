#include "gate_rules.h"

#include <cstdio>

namespace xr {

bool is_lateral_view(const std::string& v) { return v == "LL" || v == "RL" || v == "LATERAL" || v == "LAT"; }

std::string lateral_message(const std::string& view_position) {
  return "the DICOM file says this is a lateral view (View Position " + view_position +
         "); the models read frontal chest X-rays only.";
}

std::string gate_refusal_message(double score, double threshold) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "gate score %.1f%%, threshold %.1f%%", score * 100.0, threshold * 100.0);
  return std::string("this does not look like a frontal chest X-ray (") + buf +
         "). Lateral views, photographs, documents and screenshots are outside the models' scope.";
}

}  // namespace xr
