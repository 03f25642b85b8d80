#include "app/result_view.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "app/theme.h"

namespace app {
namespace {

// Position on the bar: piecewise linear so that the threshold sits in the middle (as Chester does),
// whatever its value; 0 and 1 stay at the ends.
float bar_position(double p, double threshold) {
  p = std::clamp(p, 0.0, 1.0);
  if (threshold <= 0 || threshold >= 1) return static_cast<float>(p);
  return static_cast<float>(p < threshold ? 0.5 * p / threshold : 0.5 + 0.5 * (p - threshold) / (1 - threshold));
}

void draw_bar(AppState& s, const Result& r, const char* id) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float width = std::max(120.0f, ImGui::GetContentRegionAvail().x - 8);
  const float height = 18.0f;
  const ImVec2 o = ImGui::GetCursorScreenPos();
  auto x_at = [&](double p) { return o.x + width * bar_position(p, r.threshold); };
  const float lo = x_at(r.band_low), hi = x_at(r.band_high), thr = x_at(r.threshold);

  // likely negative | inconclusive (hatched) | likely positive
  dl->AddRectFilled(o, ImVec2(lo, o.y + height), ImGui::GetColorU32(theme::kNegativeBar));
  dl->AddRectFilled(ImVec2(lo, o.y), ImVec2(hi, o.y + height), ImGui::GetColorU32(theme::kInconclusiveBar));
  for (float x = lo; x < hi; x += 6) dl->AddLine(ImVec2(x, o.y + height), ImVec2(std::min(x + height, hi), o.y), IM_COL32(255, 255, 255, 60));
  dl->AddRectFilled(ImVec2(hi, o.y), ImVec2(o.x + width, o.y + height), ImGui::GetColorU32(theme::kPositiveBar));
  dl->AddRect(o, ImVec2(o.x + width, o.y + height), IM_COL32(200, 200, 200, 160));
  // threshold: a white line through the bar
  dl->AddLine(ImVec2(thr, o.y - 3), ImVec2(thr, o.y + height + 3), IM_COL32(255, 255, 255, 255), 2.0f);
  // the probability: a triangle marker above the bar with its value
  const float px = x_at(r.p_covid);
  dl->AddTriangleFilled(ImVec2(px - 7, o.y - 9), ImVec2(px + 7, o.y - 9), ImVec2(px, o.y + 2), IM_COL32(255, 255, 255, 255));
  dl->AddTriangle(ImVec2(px - 7, o.y - 9), ImVec2(px + 7, o.y - 9), ImVec2(px, o.y + 2), IM_COL32(0, 0, 0, 255));
  ImGui::Dummy(ImVec2(width, height));
  track(s, std::string("bar-") + id);
  // labels under the bar, in words
  const float y = ImGui::GetCursorScreenPos().y;
  dl->AddText(ImVec2(o.x, y), ImGui::GetColorU32(theme::kMuted), "likely negative");
  const char* right = "likely positive";
  dl->AddText(ImVec2(o.x + width - ImGui::CalcTextSize(right).x, y), ImGui::GetColorU32(theme::kMuted), right);
  char thr_label[48];
  std::snprintf(thr_label, sizeof thr_label, "| threshold %s", r.threshold_text.c_str());
  dl->AddText(ImVec2(std::clamp(thr - 4, o.x + 110, o.x + width - 230), y + ImGui::GetTextLineHeight()),
              ImGui::GetColorU32(theme::kMuted), thr_label);
  ImGui::Dummy(ImVec2(width, 2 * ImGui::GetTextLineHeight() + 2));
}

}  // namespace

void draw_result(AppState& s, const Result& r, const char* id) {
  const bool positive = r.verdict == "POSITIVE";
  ImGui::PushFont(ImGui::GetIO().Fonts->Fonts.back());
  ImGui::TextColored(positive ? theme::kPositive : theme::kNegative, "%s", r.verdict.c_str());
  ImGui::PopFont();
  if (r.inconclusive()) {
    ImGui::TextColored(theme::kInconclusive, "INCONCLUSIVE: close to the threshold");
  } else {
    ImGui::TextUnformatted(positive ? "Likely positive: above the threshold" : "Likely negative: below the threshold");
  }
  if (r.out_of_scope) ImGui::TextColored(theme::kError, "OUTSIDE THE MODEL'S SCOPE (analysed anyway)");
  ImGui::Spacing();
  ImGui::Dummy(ImVec2(0, 8));
  draw_bar(s, r, id);
  ImGui::Text("P(COVID-19): %s", r.p_text.c_str());
  ImGui::Text("Threshold:   %s", r.threshold_text.c_str());
  ImGui::Text("Model:       %s", r.model_title.c_str());
  ImGui::Text("Time:        %s", r.timing.c_str());
  if (!r.warning.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, theme::kError);
    ImGui::TextWrapped("Warning: %s", r.warning.c_str());
    ImGui::PopStyleColor();
  }
}

}  // namespace app
