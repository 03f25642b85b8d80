// The page's one app (app_main.cpp: its state, the frame loop, the setters web/main.js calls), as the other
// files of src/web read it.
#pragma once
#include "app/app_state.h"

namespace xrweb {

const app::AppState& app_state();
unsigned long long presented_frames();  // frames sent to the GPU (frame_signature.h)

}  // namespace xrweb
