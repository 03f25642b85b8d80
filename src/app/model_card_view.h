// The model card window: what the model saw, how well it did on internal test data, its limits.
#pragma once
#include "app/app_state.h"

namespace app {

void draw_model_card(AppState& s);

}  // namespace app
