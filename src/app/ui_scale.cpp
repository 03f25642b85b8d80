#include "app/ui_scale.h"

#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <cmath>

#include "ui_font.h"  // kUiFont: DejaVu Sans, subset at build time (CMakeLists.txt, cmake/embed_binary.cmake)

namespace app {
namespace {

float g_ratio = 0;  // 0: nothing built yet
ImFont* g_verdict = nullptr;

// The characters the subset keeps (CMakeLists.txt's XR_UI_FONT_UNICODES): Latin-1 and Latin Extended-A
// (file names), typographic punctuation, arrows and a few signs and shapes.
const ImWchar kRanges[] = {0x0020, 0x017F, 0x2013, 0x2014, 0x2018, 0x201E, 0x2020, 0x2022, 0x2026, 0x2026,
                           0x2030, 0x2030, 0x2039, 0x203A, 0x20AC, 0x20AC, 0x2190, 0x2195, 0x2212, 0x2212,
                           0x2248, 0x2248, 0x2260, 0x2260, 0x2264, 0x2265, 0x25A0, 0x25A1, 0x25B2, 0x25B2,
                           0x25B6, 0x25B6, 0x25BC, 0x25BC, 0x25C0, 0x25C0, 0x25CF, 0x25CF, 0};

ImFont* add_font(float px) {
  ImFontConfig cfg;
  cfg.FontDataOwnedByAtlas = false;  // kUiFont is static
  cfg.OversampleH = 2;
  cfg.OversampleV = 1;
  return ImGui::GetIO().Fonts->AddFontFromMemoryTTF(const_cast<unsigned char*>(kUiFont), static_cast<int>(sizeof kUiFont),
                                                    px, &cfg, kRanges);
}

void base_style(ImGuiStyle& style) {
  style = ImGuiStyle();
  ImGui::StyleColorsDark(&style);
  style.Colors[ImGuiCol_WindowBg].w = 1.0f;
  style.FrameRounding = 3.0f;
}

}  // namespace

bool set_ui_scale(float ratio) {
  ratio = std::clamp(std::isfinite(ratio) ? ratio : 1.0f, 0.5f, 4.0f);
  if (ratio == g_ratio) return false;
  ImGuiIO& io = ImGui::GetIO();
  if (g_ratio == 0) {
    io.IniFilename = nullptr;
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;  // Tab, arrows, Space/Enter
  }
  const bool backend_up = io.BackendRendererUserData != nullptr;
  if (backend_up) ImGui_ImplOpenGL3_DestroyFontsTexture();
  io.Fonts->Clear();
  add_font(std::round(kBaseFontPx * ratio));
  g_verdict = add_font(std::round(kBaseFontPx * kVerdictFontEm * ratio));
  io.Fonts->Build();
  if (backend_up) ImGui_ImplOpenGL3_CreateFontsTexture();
  ImGuiStyle& style = ImGui::GetStyle();
  base_style(style);
  style.ScaleAllSizes(ratio);
  g_ratio = ratio;
  return true;
}

float ui_scale() { return g_ratio == 0 ? 1.0f : g_ratio; }

ImFont* verdict_font() { return g_verdict; }

}  // namespace app
