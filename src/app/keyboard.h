// Keyboard navigation on the canvas (ImGuiConfigFlags_NavEnableKeyboard, set in ui_scale.cpp): arrows and
// Space/Enter as Dear ImGui has them, and Tab / Shift+Tab from control to control in the order they are
// drawn. Dear ImGui 1.86 tabs through text inputs only (a button is not a tab stop there), so the app
// keeps its own list of tab stops: the controls it tracks (app_state.h, track()).
#pragma once
#include <string>

#include "app/app_state.h"

namespace app {

// First in a frame, before any control: takes over ImGui's Tab request.
void begin_keyboard_frame(AppState& s);
// From track(), after each tracked control: a tab stop when it can take focus.
void note_tab_stop(AppState& s, const std::string& name);
// Last in a frame: moves the focus to the next (or, with Shift, the previous) tab stop.
void end_keyboard_frame(AppState& s);

}  // namespace app
