#include "app/app.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "app/batch_view.h"
#include "app/keyboard.h"
#include "app/model_card_view.h"
#include "app/result_view.h"
#include "app/theme.h"
#include "app/ui_scale.h"
#include "app/your_data_view.h"

namespace app {

void track(AppState& s, const std::string& name) {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  const float css = 1.0f / ui_scale();  // ImGui draws in device pixels
  s.widgets[name] = {a.x * css, a.y * css, (b.x - a.x) * css, (b.y - a.y) * css};
  if (ImGui::IsItemFocused()) s.focused = name;
  note_tab_stop(s, name);
}

namespace {

void draw_toolbar(AppState& s, const Host& host) {
  if (ImGui::Button("Open X-ray...")) host.open_file();
  track(s, "open");
  ImGui::SameLine();
  if (ImGui::Button("Open many...")) host.open_many();
  track(s, "open-many");
  ImGui::SameLine();
  if (ImGui::Button("Open folder...")) host.open_folder();
  track(s, "open-folder");
  ImGui::SameLine(0, em(1.6f));
  const bool can_save = s.results[static_cast<size_t>(s.model)].present;
  if (!can_save) ImGui::BeginDisabled();
  if (ImGui::Button("Save labelled copy")) host.save_copy();
  track(s, "save");
  ImGui::SameLine();
  if (ImGui::Button("Save report")) host.save_report();
  track(s, "report");
  if (!can_save) ImGui::EndDisabled();
  ImGui::TextUnformatted("Model:");
  for (int i = 0; i < kModelCount; ++i) {
    ImGui::SameLine();
    const ModelStatus& m = s.models[static_cast<size_t>(i)];
    const std::string label = (m.title.empty() ? "Model " + std::to_string(i + 1) : m.title) + "##model" + std::to_string(i);
    if (ImGui::RadioButton(label.c_str(), s.model == i) && s.model != i) {
      s.model = i;
      host.select_model(i);
    }
    track(s, "model" + std::to_string(i + 1));
  }
  ImGui::SameLine(0, em(1.1f));
  if (ImGui::Checkbox("Compare both", &s.compare)) host.set_compare(s.compare);
  track(s, "compare");
}

void draw_view_controls(AppState& s) {
  ImGui::Checkbox("Heatmap", &s.display.show_cam);
  track(s, "heatmap");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(em(8));
  ImGui::SliderFloat("opacity", &s.display.cam_opacity, 0.0f, 1.0f, "%.2f");
  track(s, "opacity");
  ImGui::SameLine(0, em(1.1f));
  ImGui::Checkbox("Lung outline", &s.display.show_lungs);
  track(s, "lung-outline");
  ImGui::SameLine();
  ImGui::PushStyleColor(ImGuiCol_Text, theme::kMuted);
  ImGui::TextWrapped("heatmap: where the model's evidence is, within the lungs; not a lesion outline");
  ImGui::PopStyleColor();
  ImGui::Checkbox("Invert", &s.display.invert);
  track(s, "invert");
  ImGui::SameLine();
  if (ImGui::Button("Reset view")) reset_view(s.view, s.display);
  track(s, "reset-view");
  ImGui::SameLine();
  ImGui::Checkbox("Shortcuts", &s.view.show_help);
  track(s, "help");
  ImGui::SameLine();
  ImGui::TextColored(theme::kMuted, "wheel: zoom, drag: pan, right-drag: window/level");
}

void draw_image_panel(AppState& s) {
  if (!s.file_name.empty()) {
    ImGui::Text("File: %s", s.file_name.c_str());
    if (!s.image_info.empty()) {
      ImGui::SameLine();
      ImGui::TextColored(theme::kMuted, "(%s)", s.image_info.c_str());
    }
  }
  if (!s.patient.empty()) {
    ImGui::Checkbox("Show patient data", &s.show_patient);
    track(s, "patient");
    if (s.show_patient) {
      ImGui::SameLine();
      ImGui::TextUnformatted(s.patient.c_str());
    }
  }
  if (s.image.has_image()) draw_view_controls(s);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (!s.image.has_image()) {
    const char* hint = "Open a chest X-ray (PNG, JPEG, WebP, TIFF, BMP, GIF or DICOM), or drop one anywhere on this page.";
    const ImVec2 size = ImGui::CalcTextSize(hint);
    ImGui::SetCursorPos(ImVec2(ImGui::GetCursorPosX() + std::max(0.0f, (avail.x - size.x) / 2),
                               ImGui::GetCursorPosY() + std::max(0.0f, avail.y / 2 - size.y)));
    ImGui::TextColored(theme::kMuted, "%s", hint);
    return;
  }
  const GLuint tex = s.image.texture(s.display);
  const ImVec4 r = draw_viewport(s.view, s.display, tex, s.image.width(), s.image.height(), s.source_width);
  track(s, "viewport");
  s.widgets["image"] = {r.x, r.y, r.z, r.w};
}

void draw_gate(AppState& s, const Host& host) {
  ImGui::PushStyleColor(ImGuiCol_Text, theme::kInconclusive);
  ImGui::TextWrapped("Not analysed: %s", s.gate_message.c_str());
  ImGui::PopStyleColor();
  ImGui::TextWrapped("The models were made for frontal chest X-rays only. A result for this image would be outside their scope.");
  if (ImGui::Button("Analyse anyway")) host.analyse_anyway();
  track(s, "analyse-anyway");
}

void draw_results(AppState& s, const Host& host) {
  ImGui::TextColored(theme::kMuted, "RESULT");
  ImGui::Separator();
  if (!s.gate_message.empty()) {
    draw_gate(s, host);
  } else if (s.compare) {
    if (ImGui::BeginTable("compare", kModelCount, ImGuiTableFlags_BordersInnerV)) {
      for (int i = 0; i < kModelCount; ++i) {
        ImGui::TableNextColumn();
        const Result& r = s.results[static_cast<size_t>(i)];
        if (r.present) draw_result(s, r, i == 0 ? "1" : "2");
        else ImGui::TextColored(theme::kMuted, "%s: no result", s.models[static_cast<size_t>(i)].title.c_str());
      }
      ImGui::EndTable();
    }
  } else if (s.results[static_cast<size_t>(s.model)].present) {
    draw_result(s, s.results[static_cast<size_t>(s.model)], s.model == 0 ? "1" : "2");
  } else {
    ImGui::TextColored(theme::kMuted, "No result yet.");
  }
  if (!s.message.empty()) {
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, s.message_is_error ? theme::kError : theme::kMuted);
    ImGui::TextWrapped("%s%s", s.message_is_error ? "Error: " : "", s.message.c_str());
    ImGui::PopStyleColor();
  }
}

void draw_model_list(AppState& s) {
  ImGui::TextColored(theme::kMuted, "MODELS");
  ImGui::Separator();
  for (int i = 0; i < kModelCount; ++i) {
    const ModelStatus& m = s.models[static_cast<size_t>(i)];
    ImGui::TextWrapped("%s", m.title.c_str());
    ImGui::TextColored(m.available ? theme::kMuted : theme::kError, "  %s", m.detail.c_str());
    const std::string label = "Model card##card" + std::to_string(i);
    ImGui::SameLine();
    if (ImGui::SmallButton(label.c_str())) s.card_open = i;
    track(s, "card" + std::to_string(i + 1));
  }
}

void draw_side_panel(AppState& s, const Host& host) {
  draw_results(s, host);
  ImGui::Spacing();
  ImGui::Spacing();
  draw_model_list(s);
  ImGui::Spacing();
  ImGui::Separator();
  ImGui::PushStyleColor(ImGuiCol_Text, theme::kMuted);
  ImGui::TextWrapped("Runs entirely in your browser: the image never leaves this computer.");
  ImGui::TextWrapped("For research and teaching only. Not a medical device; not for diagnosis.");
  ImGui::PopStyleColor();
}

void draw_banner(AppState& s) {
  if (s.banner.empty()) return;
  ImGui::PushStyleColor(ImGuiCol_ChildBg, theme::kBanner);
  ImGui::BeginChild("banner", ImVec2(0, ImGui::GetTextLineHeightWithSpacing() * 2 + em(0.5f)), true);
  ImGui::TextWrapped("%s", s.banner.c_str());
  ImGui::EndChild();
  ImGui::PopStyleColor();
  track(s, "banner");
}

void draw_notice(AppState& s, const Host& host) {
  if (s.notice_accepted) return;
  ImGui::OpenPopup("Not for medical use");
  ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(em(35), 0));
  if (ImGui::BeginPopupModal("Not for medical use", nullptr, ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove)) {
    ImGui::TextWrapped(
        "XRayLens is a research and teaching tool. Its models were trained on public chest X-ray "
        "collections in which the source hospital is confounded with the diagnosis, and they have not "
        "been validated on external data. Its output is not a diagnosis and must not guide the care of "
        "any patient.");
    ImGui::Spacing();
    ImGui::TextWrapped("Images are analysed on this computer and are never uploaded.");
    ImGui::Spacing();
    if (ImGui::Button("I understand", ImVec2(em(10.5f), 0))) {
      s.notice_accepted = true;
      host.accept_notice();
      ImGui::CloseCurrentPopup();
    }
    track(s, "accept");
    ImGui::EndPopup();
  }
}

// The viewer, and once files are queued in batch mode, a Batch tab beside it; a labelled batch adds Your data.
void draw_main_tabs(AppState& s, const Host& host) {
  if (s.batch.rows.empty()) {
    draw_image_panel(s);
    return;
  }
  if (ImGui::BeginTabBar("tabs")) {
    const bool viewer = ImGui::BeginTabItem("Viewer", nullptr, s.show_viewer ? ImGuiTabItemFlags_SetSelected : 0);
    track(s, "tab-viewer");
    if (viewer) {
      draw_image_panel(s);
      ImGui::EndTabItem();
    }
    char label[64];
    std::snprintf(label, sizeof label, "Batch (%d / %d)###batch", s.batch.done, s.batch.total);
    const bool batch = ImGui::BeginTabItem(label, nullptr, s.batch.show_tab ? ImGuiTabItemFlags_SetSelected : 0);
    track(s, "tab-batch");
    if (batch) {
      draw_batch(s, host);
      ImGui::EndTabItem();
    }
    if (s.your_data.any_labels()) {
      const bool yours = ImGui::BeginTabItem("Your data", nullptr, s.your_data.show_tab ? ImGuiTabItemFlags_SetSelected : 0);
      track(s, "tab-your-data");
      if (yours) {
        draw_your_data(s, host);
        ImGui::EndTabItem();
      }
    }
    ImGui::EndTabBar();
  }
  s.show_viewer = false;
  s.batch.show_tab = false;
  s.your_data.show_tab = false;
}

}  // namespace

void draw_app(AppState& s, const Host& host) {
  begin_keyboard_frame(s);
  ++s.frames;
  s.widgets.clear();
  s.focused.clear();
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->WorkPos);
  ImGui::SetNextWindowSize(vp->WorkSize);
  ImGui::Begin("XRayLens", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoSavedSettings);
  draw_banner(s);
  draw_toolbar(s, host);
  ImGui::Separator();
  const float wanted = em(s.compare ? 42.0f : 25.0f);
  const float right = std::min(wanted, ImGui::GetContentRegionAvail().x * 0.5f);
  ImGui::BeginChild("image", ImVec2(ImGui::GetContentRegionAvail().x - right - em(0.5f), 0));
  draw_main_tabs(s, host);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("side", ImVec2(0, 0));
  draw_side_panel(s, host);
  ImGui::EndChild();
  ImGui::End();
  draw_model_card(s);
  draw_viewport_help(s.view);
  // The notice is a modal of the main window's stack; open it last so it sits above everything.
  ImGui::Begin("XRayLens");
  draw_notice(s, host);
  ImGui::End();
  end_keyboard_frame(s);
}

}  // namespace app
