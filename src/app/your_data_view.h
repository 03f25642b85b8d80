// The "Your data" tab: the selected model's figures on the user's labelled batch, its ROC curve with the
// shipped operating point and its reliability diagram (ImPlot), and the site threshold to pick, adopt or
// remove.
#pragma once
#include "app/app_state.h"

namespace app {

void draw_your_data(AppState& s, const Host& host);

}  // namespace app
