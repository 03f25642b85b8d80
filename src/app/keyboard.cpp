#include "app/keyboard.h"

#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>

namespace app {

void begin_keyboard_frame(AppState& s) {
  ImGuiContext& g = *ImGui::GetCurrentContext();
  s.tab_stops.clear();
  s.tab_step = 0;
  // NewFrame has just turned a Tab press into ImGui's own tabbing request (text inputs only): ours instead
  if (g.NavMoveSubmitted && (g.NavMoveFlags & ImGuiNavMoveFlags_Tabbing) && !(g.NavMoveFlags & ImGuiNavMoveFlags_FocusApi)) {
    s.tab_step = g.IO.KeyShift ? -1 : +1;
    ImGui::NavMoveRequestCancel();
  }
}

void note_tab_stop(AppState& s, const std::string& name) {
  ImGuiContext& g = *ImGui::GetCurrentContext();
  const ImGuiID id = g.LastItemData.ID;
  if (id == 0 || (g.LastItemData.InFlags & (ImGuiItemFlags_Disabled | ImGuiItemFlags_NoNav))) return;
  s.tab_stops.push_back({name, id, g.CurrentWindow});
}

void end_keyboard_frame(AppState& s) {
  if (s.tab_step == 0 || s.tab_stops.empty()) return;
  ImGuiContext& g = *ImGui::GetCurrentContext();
  // behind a modal (the first-start notice) only its own controls take focus
  std::vector<AppState::TabStop> stops;
  ImGuiWindow* modal = ImGui::GetTopMostPopupModal();
  for (const auto& t : s.tab_stops)
    if (!modal || static_cast<ImGuiWindow*>(t.window) == modal) stops.push_back(t);
  if (stops.empty()) return;
  const auto here = std::find_if(stops.begin(), stops.end(), [&](const AppState::TabStop& t) { return t.id == g.NavId; });
  const int n = static_cast<int>(stops.size());
  int next = here == stops.end() ? (s.tab_step > 0 ? 0 : n - 1) : static_cast<int>(here - stops.begin()) + s.tab_step;
  next = (next % n + n) % n;
  auto* window = static_cast<ImGuiWindow*>(stops[static_cast<size_t>(next)].window);
  ImGui::FocusWindow(window);
  ImGui::SetFocusID(stops[static_cast<size_t>(next)].id, window);
  g.NavDisableHighlight = false;
  g.NavDisableMouseHover = g.NavMousePosDirty = true;
  s.tab_step = 0;
}

}  // namespace app
