#include "app/result_view.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "app/theme.h"
#include "app/ui_scale.h"
#include "verdict.h"

namespace app {
namespace {

void draw_bar(AppState& s, const Result& r, const char* id) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float width = std::max(em(8), ImGui::GetContentRegionAvail().x - em(0.5f));
  const float height = em(1.2f);
  const float tick = em(0.2f), marker = em(0.47f), line = std::max(1.0f, em(0.13f));
  const ImVec2 o = ImGui::GetCursorScreenPos();
  auto x_at = [&](double p) { return o.x + width * static_cast<float>(xr::bar_position(p, r.threshold)); };
  const float lo = x_at(r.band_low), hi = x_at(r.band_high), thr = x_at(r.threshold);

  // likely negative | inconclusive (hatched) | likely positive
  dl->AddRectFilled(o, ImVec2(lo, o.y + height), ImGui::GetColorU32(theme::kNegativeBar));
  dl->AddRectFilled(ImVec2(lo, o.y), ImVec2(hi, o.y + height), ImGui::GetColorU32(theme::kInconclusiveBar));
  for (float x = lo; x < hi; x += em(0.4f)) dl->AddLine(ImVec2(x, o.y + height), ImVec2(std::min(x + height, hi), o.y), IM_COL32(255, 255, 255, 60));
  dl->AddRectFilled(ImVec2(hi, o.y), ImVec2(o.x + width, o.y + height), ImGui::GetColorU32(theme::kPositiveBar));
  dl->AddRect(o, ImVec2(o.x + width, o.y + height), IM_COL32(200, 200, 200, 160));
  // threshold: a white line through the bar
  dl->AddLine(ImVec2(thr, o.y - tick), ImVec2(thr, o.y + height + tick), IM_COL32(255, 255, 255, 255), line);
  // the probability: a triangle marker above the bar with its value
  const float px = x_at(r.p_covid);
  const ImVec2 a(px - marker, o.y - 1.3f * marker), b(px + marker, o.y - 1.3f * marker), c(px, o.y + tick);
  dl->AddTriangleFilled(a, b, c, IM_COL32(255, 255, 255, 255));
  dl->AddTriangle(a, b, c, IM_COL32(0, 0, 0, 255), line / 2);
  ImGui::Dummy(ImVec2(width, height));
  track(s, std::string("bar-") + id);
  // labels under the bar, in words
  const float y = ImGui::GetCursorScreenPos().y;
  dl->AddText(ImVec2(o.x, y), ImGui::GetColorU32(theme::kMuted), "likely negative");
  const char* right = "likely positive";
  dl->AddText(ImVec2(o.x + width - ImGui::CalcTextSize(right).x, y), ImGui::GetColorU32(theme::kMuted), right);
  char thr_label[48];
  std::snprintf(thr_label, sizeof thr_label, "| %sthreshold %s", r.threshold_note.empty() ? "" : "site ", r.threshold_text.c_str());
  dl->AddText(ImVec2(std::clamp(thr - em(0.27f), o.x + em(7.3f), o.x + width - em(15.3f)), y + ImGui::GetTextLineHeight()),
              ImGui::GetColorU32(theme::kMuted), thr_label);
  ImGui::Dummy(ImVec2(width, 2 * ImGui::GetTextLineHeight() + em(0.13f)));
}

}  // namespace

void draw_result(AppState& s, const Result& r, const char* id) {
  const bool positive = r.verdict == "POSITIVE";
  ImGui::PushFont(verdict_font());
  ImGui::TextColored(positive ? theme::kPositive : theme::kNegative, "%s", r.verdict.c_str());
  ImGui::PopFont();
  if (r.inconclusive) {
    ImGui::TextColored(theme::kInconclusive, "INCONCLUSIVE: close to the threshold");
  } else {
    ImGui::TextUnformatted(positive ? "Likely positive: above the threshold" : "Likely negative: below the threshold");
  }
  if (r.out_of_scope) ImGui::TextColored(theme::kError, "OUTSIDE THE MODEL'S SCOPE (analysed anyway)");
  ImGui::Spacing();
  ImGui::Dummy(ImVec2(0, em(0.5f)));
  draw_bar(s, r, id);
  ImGui::Text("P(COVID-19): %s", r.p_text.c_str());
  ImGui::Text("Threshold:   %s", r.threshold_text.c_str());
  if (!r.threshold_note.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, theme::kInconclusive);
    ImGui::TextWrapped("Using a %s (research use; Your data tab)", r.threshold_note.c_str());
    ImGui::PopStyleColor();
  }
  ImGui::Text("Model:       %s", r.model_title.c_str());
  ImGui::Text("Time:        %s", r.timing.c_str());
  if (!r.warning.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, theme::kError);
    ImGui::TextWrapped("Warning: %s", r.warning.c_str());
    ImGui::PopStyleColor();
  }
}

}  // namespace app
