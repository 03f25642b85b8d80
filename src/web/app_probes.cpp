// What the app holds and draws, read by the end-to-end tests and tools/bench.mjs: widget rectangles, frame
// counts, the result panels, the batch table, the UI scale and the viewer's state. Read-only.
#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <imgui.h>

#include <string>

#include "app/ui_scale.h"
#include "app_instance.h"

using emscripten::val;

namespace {

const app::AppState& st() { return xrweb::app_state(); }

val widget_rect(const std::string& name) {
  const auto it = st().widgets.find(name);
  if (it == st().widgets.end()) return val::null();
  val r = val::object();
  r.set("x", it->second.x);
  r.set("y", it->second.y);
  r.set("w", it->second.w);
  r.set("h", it->second.h);
  return r;
}

// The batch table as the app holds it (end-to-end tests): rows, rows shown, progress.
val batch_view() {
  const app::BatchState& b = st().batch;
  val out = val::object();
  out.set("rows", static_cast<int>(b.rows.size()));
  out.set("shown", static_cast<int>(b.order.size()));
  out.set("done", b.done);
  out.set("total", b.total);
  out.set("running", b.running);
  out.set("paused", b.paused);
  int filled = 0;
  for (const auto& r : b.rows) filled += r.status != "queued" && r.status != "running";
  out.set("filled", filled);
  return out;
}

// The result panel of model `index` as the app draws it (end-to-end tests): the bar's threshold and zone.
val result_state(int index) {
  if (index < 0 || index >= app::kModelCount || !st().results[static_cast<size_t>(index)].present) return val::null();
  const app::Result& r = st().results[static_cast<size_t>(index)];
  val out = val::object();
  out.set("verdict", r.verdict);
  out.set("threshold", r.threshold);
  out.set("bandLow", r.band_low);
  out.set("bandHigh", r.band_high);
  out.set("thresholdNote", r.threshold_note);
  return out;
}

double frame_count() { return static_cast<double>(st().frames); }
double presented_count() { return static_cast<double>(xrweb::presented_frames()); }

// The scale the UI is drawn at and the control that has keyboard focus (end-to-end tests).
val ui_state() {
  val out = val::object();
  out.set("ratio", app::ui_scale());
  out.set("fontPx", ImGui::GetIO().Fonts->Fonts.empty() ? 0.0f : ImGui::GetIO().Fonts->Fonts[0]->FontSize);
  out.set("focused", st().focused);
  return out;
}
bool cam_shown() { return st().display.show_cam && st().image.has_cam(); }
bool lungs_shown() { return st().display.show_lungs && st().image.has_lungs(); }

// Zoom, pan and window/level as the viewer holds them (end-to-end tests).
val view_state() {
  val out = val::object();
  out.set("zoom", st().view.zoom);
  out.set("cx", st().view.cx);
  out.set("cy", st().view.cy);
  out.set("windowCenter", st().display.window_center);
  out.set("windowWidth", st().display.window_width);
  out.set("invert", st().display.invert);
  out.set("help", st().view.show_help);
  return out;
}

}  // namespace

EMSCRIPTEN_BINDINGS(xraylens_app_probes) {
  emscripten::function("widgetRect", &widget_rect);
  emscripten::function("frameCount", &frame_count);        // frames the app built
  emscripten::function("presentedCount", &presented_count);  // of those, the ones sent to the GPU
  emscripten::function("resultState", &result_state);
  emscripten::function("uiState", &ui_state);
  emscripten::function("batchView", &batch_view);
  emscripten::function("camShown", &cam_shown);
  emscripten::function("lungsShown", &lungs_shown);
  emscripten::function("viewState", &view_state);
}
