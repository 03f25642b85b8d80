// The canvas's scale: the app draws in device pixels (the canvas's backing store is its CSS size times
// window.devicePixelRatio), so that text is crisp on high-DPI screens, and every size follows the font:
// the UI font (DejaVu Sans from Debian's fonts-dejavu-core, embedded) is kBaseFontPx CSS pixels, rebuilt
// at that size times the ratio whenever the ratio changes (another screen, browser zoom). Fixed sizes in
// src/app are written in font units with em().
#pragma once
#include <imgui.h>

namespace app {

constexpr float kBaseFontPx = 15.0f;     // the UI font at device pixel ratio 1, in CSS pixels
constexpr float kVerdictFontEm = 1.75f;  // the verdict's font, in UI font units

// n font units in pixels of the current frame (the current font's size: the UI font unless pushed).
inline float em(float n) { return n * ImGui::GetFontSize(); }

// The first call creates the fonts and ImGui's style and turns keyboard navigation on. Then, between
// frames: rebuilds the font atlas (and the GL texture, once the OpenGL backend is up) and rescales the
// style when `ratio` differs from the one in use. Returns whether anything changed.
bool set_ui_scale(float ratio);
float ui_scale();         // the device pixel ratio the UI is built for
ImFont* verdict_font();   // the large font of the verdict

}  // namespace app
