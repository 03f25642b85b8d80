// Colours of the interface. Colour never carries meaning alone: every coloured state also has words.
#pragma once
#include <imgui.h>

namespace app::theme {

inline const ImVec4 kPositive(0.95f, 0.45f, 0.35f, 1.0f);
inline const ImVec4 kNegative(0.45f, 0.80f, 0.95f, 1.0f);
inline const ImVec4 kInconclusive(0.95f, 0.80f, 0.35f, 1.0f);
inline const ImVec4 kError(1.0f, 0.45f, 0.40f, 1.0f);
inline const ImVec4 kMuted(0.65f, 0.65f, 0.65f, 1.0f);
inline const ImVec4 kNegativeBar(0.20f, 0.40f, 0.55f, 1.0f);
inline const ImVec4 kInconclusiveBar(0.45f, 0.45f, 0.45f, 1.0f);
inline const ImVec4 kPositiveBar(0.60f, 0.28f, 0.22f, 1.0f);
inline const ImVec4 kBanner(0.55f, 0.08f, 0.08f, 1.0f);

}  // namespace app::theme
