// The input gate's rules that need no pixels: which DICOM view positions are lateral, and the words
// the page shows for each refusal. The page, the workers and the predictor get them through analyse().
#pragma once
#include <string>

namespace xr {

// The reason the learned gate gives (models/gate.json says the same in "reject_reason").
inline const char* const kGateRejectReason = "not_a_frontal_chest_xray";

// DICOM View Position (0018,5101) values that mean a lateral view: LL, RL, LATERAL, LAT.
bool is_lateral_view(const std::string& view_position);
std::string lateral_message(const std::string& view_position);

// The learned gate's refusal: the score and threshold in percent with one decimal.
std::string gate_refusal_message(double score, double threshold);

}  // namespace xr
