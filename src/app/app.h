// One frame of the XRayLens interface: toolbar, image panel, result panel, first-start notice.
#pragma once
#include "app/app_state.h"

namespace app {

void draw_app(AppState& state, const Host& host);

}  // namespace app
