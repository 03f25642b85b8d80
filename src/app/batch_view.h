// The batch tab: progress with pause and cancel, exports, and the results table (sortable, filterable;
// a click opens the file in the viewer).
#pragma once
#include "app/app_state.h"

namespace app {

void draw_batch(AppState& s, const Host& host);

// The rows to show, in order, for the current filter and sort (batch_view.cpp; tested natively).
std::vector<int> batch_order(const BatchState& b, int model);

}  // namespace app
