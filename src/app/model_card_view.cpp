#include "app/model_card_view.h"

#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/theme.h"
#include "app/ui_scale.h"

namespace app {

void draw_model_card(AppState& s) {
  if (s.card_open < 0 || s.card_open >= kModelCount) return;
  const ModelStatus& m = s.models[static_cast<size_t>(s.card_open)];
  bool open = true;
  const ImVec2 size = ImGui::GetMainViewport()->WorkSize;
  ImGui::SetNextWindowSize(ImVec2(std::min(em(42), size.x - em(2.7f)), size.y * 0.8f), ImGuiCond_Appearing);
  ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  const std::string title = "Model card: " + m.title + "###modelcard";
  if (ImGui::Begin(title.c_str(), &open, ImGuiWindowFlags_NoCollapse)) {
    track(s, "model-card");
    if (m.card.empty()) {
      ImGui::TextColored(theme::kError, "No model card: %s", m.detail.c_str());
    } else {
      // (split by hand: <sstream> would add ~150 KB of iostreams to the wasm)
      for (size_t start = 0; start < m.card.size();) {
        size_t end = m.card.find('\n', start);
        if (end == std::string::npos) end = m.card.size();
        const std::string line = m.card.substr(start, end - start);
        start = end + 1;
        if (line.rfind("# ", 0) == 0) {
          ImGui::Spacing();
          ImGui::TextColored(theme::kInconclusive, "%s", line.c_str() + 2);
          ImGui::Separator();
        } else {
          ImGui::TextWrapped("%s", line.c_str());
        }
      }
    }
  }
  ImGui::End();
  if (!open) s.card_open = -1;
}

}  // namespace app
