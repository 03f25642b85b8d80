#include "app/app.h"

#include <imgui.h>

#include <algorithm>

namespace app {
namespace {

const ImVec4 kPositive(0.95f, 0.45f, 0.35f, 1.0f);
const ImVec4 kNegative(0.45f, 0.80f, 0.95f, 1.0f);
const ImVec4 kError(1.0f, 0.45f, 0.40f, 1.0f);
const ImVec4 kMuted(0.65f, 0.65f, 0.65f, 1.0f);

void track(AppState& s, const char* name) {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  s.widgets[name] = {a.x, a.y, b.x - a.x, b.y - a.y};
}

void draw_toolbar(AppState& s, const Host& host) {
  if (ImGui::Button("Open X-ray...")) host.open_file();
  track(s, "open");
  ImGui::SameLine(0, 24);
  ImGui::TextUnformatted("Model:");
  for (int i = 0; i < kModelCount; ++i) {
    ImGui::SameLine();
    const ModelStatus& m = s.models[static_cast<size_t>(i)];
    const std::string label = (m.title.empty() ? "Model " + std::to_string(i + 1) : m.title) + "##model" + std::to_string(i);
    if (ImGui::RadioButton(label.c_str(), s.model == i) && s.model != i) {
      s.model = i;
      host.select_model(i);
    }
    track(s, i == 0 ? "model1" : "model2");
  }
  ImGui::SameLine(0, 24);
  const bool can_save = s.result.present && !s.busy;
  if (!can_save) ImGui::BeginDisabled();
  if (ImGui::Button("Save labelled copy")) host.save_copy();
  if (!can_save) ImGui::EndDisabled();
  track(s, "save");
}

void draw_image_panel(AppState& s) {
  if (!s.file_name.empty()) {
    ImGui::Text("File: %s", s.file_name.c_str());
    if (!s.image_info.empty()) {
      ImGui::SameLine();
      ImGui::TextColored(kMuted, "(%s)", s.image_info.c_str());
    }
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (!s.image.has_image()) {
    const char* hint = "Open a chest X-ray (PNG or JPEG), or drop one anywhere on this page.";
    const ImVec2 size = ImGui::CalcTextSize(hint);
    ImGui::SetCursorPos(ImVec2(ImGui::GetCursorPosX() + std::max(0.0f, (avail.x - size.x) / 2),
                               ImGui::GetCursorPosY() + std::max(0.0f, avail.y / 2 - size.y)));
    ImGui::TextColored(kMuted, "%s", hint);
    return;
  }
  const float scale = std::min(avail.x / s.image.width(), avail.y / s.image.height());
  const ImVec2 size(s.image.width() * scale, s.image.height() * scale);
  ImGui::SetCursorPos(ImVec2(ImGui::GetCursorPosX() + (avail.x - size.x) / 2, ImGui::GetCursorPosY()));
  const GLuint tex = s.image.texture(s.display);
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<uintptr_t>(tex)), size);
  track(s, "image");
}

void draw_result_panel(AppState& s) {
  ImGui::TextColored(kMuted, "RESULT");
  ImGui::Separator();
  if (s.busy) {
    ImGui::TextUnformatted("Analysing...");
  } else if (s.result.present) {
    const Result& r = s.result;
    const bool positive = r.verdict == "POSITIVE";
    ImGui::PushFont(ImGui::GetIO().Fonts->Fonts.back());
    ImGui::TextColored(positive ? kPositive : kNegative, "%s", r.verdict.c_str());
    ImGui::PopFont();
    ImGui::TextWrapped("%s", positive ? "The model's COVID-19 probability is at or above its threshold."
                                      : "The model's COVID-19 probability is below its threshold.");
    ImGui::Spacing();
    ImGui::Text("P(COVID-19): %s", r.p_text.c_str());
    ImGui::Text("Threshold:   %s", r.threshold_text.c_str());
    ImGui::Text("Model:       %s", r.model_title.c_str());
    ImGui::Text("Time:        %s", r.timing.c_str());
    if (!r.warning.empty()) {
      ImGui::Spacing();
      ImGui::PushStyleColor(ImGuiCol_Text, kError);
      ImGui::TextWrapped("Warning: %s", r.warning.c_str());
      ImGui::PopStyleColor();
    }
  } else {
    ImGui::TextColored(kMuted, "No result yet.");
  }
  if (!s.message.empty()) {
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, s.message_is_error ? kError : kMuted);
    ImGui::TextWrapped("%s%s", s.message_is_error ? "Error: " : "", s.message.c_str());
    ImGui::PopStyleColor();
  }
  ImGui::Spacing();
  ImGui::Spacing();
  ImGui::TextColored(kMuted, "MODELS");
  ImGui::Separator();
  for (const ModelStatus& m : s.models) {
    ImGui::TextWrapped("%s", m.title.c_str());
    ImGui::TextColored(m.available ? kMuted : kError, "  %s", m.detail.c_str());
  }
  ImGui::Spacing();
  ImGui::Separator();
  ImGui::PushStyleColor(ImGuiCol_Text, kMuted);
  ImGui::TextWrapped("Runs entirely in your browser: the image never leaves this computer.");
  ImGui::TextWrapped("For research and teaching only. Not a medical device; not for diagnosis.");
  ImGui::PopStyleColor();
}

void draw_notice(AppState& s, const Host& host) {
  if (s.notice_accepted) return;
  ImGui::OpenPopup("Not for medical use");
  const ImVec2 centre = ImGui::GetMainViewport()->GetCenter();
  ImGui::SetNextWindowPos(centre, ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(520, 0));
  if (ImGui::BeginPopupModal("Not for medical use", nullptr, ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove)) {
    ImGui::TextWrapped(
        "XRayLens is a research and teaching tool. Its models were trained on public chest X-ray "
        "collections in which the source hospital is confounded with the diagnosis, and they have not "
        "been validated on external data. Its output is not a diagnosis and must not guide the care of "
        "any patient.");
    ImGui::Spacing();
    ImGui::TextWrapped("Images are analysed on this computer and are never uploaded.");
    ImGui::Spacing();
    if (ImGui::Button("I understand", ImVec2(160, 0))) {
      s.notice_accepted = true;
      host.accept_notice();
      ImGui::CloseCurrentPopup();
    }
    track(s, "accept");
    ImGui::EndPopup();
  }
}

}  // namespace

void draw_app(AppState& s, const Host& host) {
  ++s.frames;
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->WorkPos);
  ImGui::SetNextWindowSize(vp->WorkSize);
  ImGui::Begin("XRayLens", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoSavedSettings);
  draw_toolbar(s, host);
  ImGui::Separator();
  const float right = std::min(360.0f, ImGui::GetContentRegionAvail().x * 0.4f);
  ImGui::BeginChild("image", ImVec2(ImGui::GetContentRegionAvail().x - right - 8, 0));
  draw_image_panel(s);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("result", ImVec2(0, 0));
  draw_result_panel(s);
  ImGui::EndChild();
  draw_notice(s, host);
  ImGui::End();
}

}  // namespace app
