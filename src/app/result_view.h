// The result of one model: verdict in words, the probability bar against the threshold, details.
#pragma once
#include "app/app_state.h"

namespace app {

void draw_result(AppState& s, const Result& r, const char* id);

}  // namespace app
