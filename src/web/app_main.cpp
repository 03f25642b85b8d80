// The Emscripten entry of the page's ImGui application: GLFW + WebGL2, one main loop, and the embind
// setters through which web/main.js (the JS driver) fills the app state. User actions go back to JS
// through the EM_JS hooks below, which call globalThis.xraylensHost. The module has no main: the page
// calls startApp(); the workers and the predictor instantiate the same module and never draw.
#include <GLES3/gl3.h>
#include <GLFW/glfw3.h>
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>
#include <emscripten/val.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <implot.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app/app.h"
#include "app/frame_signature.h"
#include "app/input_queue.h"
#include "app/ui_scale.h"
#include "app_instance.h"
#include "evaluation_api.h"
#include "preprocess.h"

using emscripten::val;

EM_JS(void, js_open_file, (), { globalThis.xraylensHost.openFile(); });
EM_JS(void, js_select_model, (int index), { globalThis.xraylensHost.selectModel(index); });
EM_JS(void, js_save_copy, (), { globalThis.xraylensHost.saveCopy(); });
EM_JS(void, js_accept_notice, (), { globalThis.xraylensHost.acceptNotice(); });
EM_JS(void, js_set_compare, (bool on), { globalThis.xraylensHost.setCompare(!!on); });
EM_JS(void, js_analyse_anyway, (), { globalThis.xraylensHost.analyseAnyway(); });
EM_JS(void, js_save_report, (), { globalThis.xraylensHost.saveReport(); });
EM_JS(void, js_open_many, (), { globalThis.xraylensHost.openMany(); });
EM_JS(void, js_open_folder, (), { globalThis.xraylensHost.openFolder(); });
EM_JS(void, js_batch_pause, (bool on), { globalThis.xraylensHost.batchPause(!!on); });
EM_JS(void, js_batch_cancel, (), { globalThis.xraylensHost.batchCancel(); });
EM_JS(void, js_batch_open, (int index), { globalThis.xraylensHost.batchOpen(index); });
EM_JS(void, js_export_csv, (), { globalThis.xraylensHost.exportCsv(); });
EM_JS(void, js_export_zip, (), { globalThis.xraylensHost.exportZip(); });
EM_JS(void, js_adopt_site, (int model, int target), { globalThis.xraylensHost.adoptSite(model, target); });
EM_JS(void, js_remove_site, (int model), { globalThis.xraylensHost.removeSite(model); });
EM_JS(int, js_canvas_width, (), { return Module.canvas.clientWidth | 0; });
EM_JS(int, js_canvas_height, (), { return Module.canvas.clientHeight | 0; });
EM_JS(double, js_device_pixel_ratio, (), { return globalThis.devicePixelRatio || 1; });

namespace {

GLFWwindow* g_window = nullptr;
app::AppState g_state;
int g_source_width = 0, g_source_height = 0;  // the decoded image's size (the display image may be smaller)
const app::Host g_host{js_open_file,   js_select_model, js_set_compare, js_save_copy,   js_accept_notice,
                       js_analyse_anyway, js_save_report, js_open_many,  js_open_folder, js_batch_pause,
                       js_batch_cancel, js_batch_open,   js_export_csv, js_export_zip, js_adopt_site, js_remove_site};

// Frames are drawn on demand: after input, a resize or a change of state, for a few frames (ImGui needs
// one or two to settle, e.g. to open a popup). An idle page draws nothing, so it costs no CPU, and
// work on the main thread (decoding, inference) is not slowed by drawing the same picture again.
constexpr int kFramesAfterChange = 4;
int g_frames_to_draw = kFramesAfterChange;

void wake() { g_frames_to_draw = kFramesAfterChange; }

// While a batch runs, frames come from a steady clock rather than from each row (0: every display
// frame). Where WebGL is rendered in software a frame costs more CPU than analysing a file, and a page
// may ask for fewer (main.js, ?batchfps=N; README, "Batch mode").
double g_batch_fps = 0;
double g_last_batch_frame_ms = 0;

// The signature of the last frame sent to the GPU, and how many were (frame_signature.h).
uint64_t g_shown_signature = 0;
unsigned long long g_presented = 0;

// Button and key changes since the last frame, given to ImGui one a frame (input_queue.h).
app::InputQueue g_input;

void apply_input(const app::InputState& in) {
  ImGuiIO& io = ImGui::GetIO();
  if (in.positioned) io.MousePos = ImVec2(in.x, in.y);
  for (int i = 0; i < app::kPointerButtons; ++i) io.MouseDown[i] = in.buttons[static_cast<size_t>(i)];
  for (int k = 0; k < app::kKeys; ++k) io.KeysDown[k] = in.keys[static_cast<size_t>(k)];
  const auto held = [&](int a, int b) { return in.keys[static_cast<size_t>(a)] || in.keys[static_cast<size_t>(b)]; };
  io.KeyCtrl = held(GLFW_KEY_LEFT_CONTROL, GLFW_KEY_RIGHT_CONTROL);
  io.KeyShift = held(GLFW_KEY_LEFT_SHIFT, GLFW_KEY_RIGHT_SHIFT);
  io.KeyAlt = held(GLFW_KEY_LEFT_ALT, GLFW_KEY_RIGHT_ALT);
  io.KeySuper = held(GLFW_KEY_LEFT_SUPER, GLFW_KEY_RIGHT_SUPER);
}

// Wraps a setter so that calling it from JS also schedules frames.
template <auto F>
struct Waking;
template <typename R, typename... A, R (*F)(A...)>
struct Waking<F> {
  static R call(A... a) {
    wake();
    return F(a...);
  }
};

void install_wake_callbacks(GLFWwindow* w) {
  glfwSetCursorPosCallback(w, [](GLFWwindow*, double, double) { wake(); });
  glfwSetMouseButtonCallback(w, [](GLFWwindow* win, int button, int action, int) {
    double x = 0, y = 0;
    glfwGetCursorPos(win, &x, &y);
    g_input.button(static_cast<float>(x), static_cast<float>(y), button, action == GLFW_PRESS);
    wake();
  });
  glfwSetScrollCallback(w, [](GLFWwindow*, double, double) { wake(); });
  glfwSetKeyCallback(w, [](GLFWwindow*, int key, int, int action, int) {
    if (action != GLFW_REPEAT) g_input.key(key, action == GLFW_PRESS);
    wake();
  });
  glfwSetCharCallback(w, [](GLFWwindow*, unsigned int) { wake(); });
}

// The canvas's backing store is its CSS size times the device pixel ratio (ui_scale.h): ImGui draws in
// device pixels, with fonts and sizes rebuilt for the ratio whenever it changes (another screen, zoom).
void fit_canvas() {
  const double ratio = js_device_pixel_ratio();
  if (app::set_ui_scale(static_cast<float>(ratio))) wake();
  const int w = static_cast<int>(std::lround(js_canvas_width() * ratio)), h = static_cast<int>(std::lround(js_canvas_height() * ratio));
  int cw = 0, ch = 0;
  glfwGetWindowSize(g_window, &cw, &ch);
  if (w > 0 && h > 0 && (w != cw || h != ch)) {
    glfwSetWindowSize(g_window, w, h);
    wake();
  }
}

void frame() {
  fit_canvas();
  glfwPollEvents();
  // While the driver analyses an image the picture waits: a frame costs little on a GPU, but a lot where
  // WebGL is rendered in software (SwiftShader), and there it would delay the verdict.
  // A batch runs in workers, so the main thread is free: the picture (progress, table) keeps moving at
  // up to g_batch_fps frames a second (0: every display frame), and input still wakes full-rate frames.
  if (g_state.batch.running && g_frames_to_draw <= 0 && !g_state.busy) {
    const double now = emscripten_get_now();
    if (g_batch_fps <= 0 || now - g_last_batch_frame_ms >= 1000.0 / g_batch_fps - 2) {
      g_frames_to_draw = 1;
      g_last_batch_frame_ms = now;
    }
  }
  if (g_frames_to_draw <= 0 || g_state.busy) return;
  --g_frames_to_draw;
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  if (const auto in = g_input.next()) {
    apply_input(*in);
    if (g_input.pending()) wake();
  }
  ImGui::NewFrame();
  app::draw_app(g_state, g_host);
  ImGui::Render();
  int fw = 0, fh = 0;
  glfwGetFramebufferSize(g_window, &fw, &fh);
  const uint64_t signature = app::frame_signature(*ImGui::GetDrawData(), g_state.image.generation(), fw, fh);
  if (signature == g_shown_signature) return;
  g_shown_signature = signature;
  ++g_presented;
  glViewport(0, 0, fw, fh);
  glClearColor(0.08f, 0.08f, 0.09f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

// ---- setters called by web/main.js ----

void set_image(const val& pixels, int width, int height, int source_width, int source_height, const std::string& name,
               const std::string& info) {
  const std::vector<uint8_t> px = emscripten::convertJSArrayToNumberVector<uint8_t>(pixels);
  if (px.size() != static_cast<size_t>(width) * height) return;
  g_state.image.upload(px.data(), width, height);
  g_source_width = source_width;
  g_source_height = source_height;
  g_state.source_width = source_width;
  app::reset_view(g_state.view, g_state.display);
  g_state.file_name = name;
  g_state.image_info = info;
  g_state.patient.clear();
  g_state.show_patient = false;
  g_state.results = {};
  g_state.gate_message.clear();
}

void set_patient(const std::string& text) {
  g_state.patient = text;
  g_state.show_patient = false;
}

void clear_image() {
  g_state.image.clear();
  g_state.file_name.clear();
  g_state.image_info.clear();
  g_state.results = {};
}

void set_result(int index, const val& r) {
  if (index < 0 || index >= app::kModelCount) return;
  app::Result& out = g_state.results[static_cast<size_t>(index)];
  out.present = true;
  out.verdict = r["verdict"].as<std::string>();
  out.p_covid = r["pCovid"].as<double>();
  out.threshold = r["threshold"].as<double>();
  out.band_low = r["bandLow"].as<double>();
  out.band_high = r["bandHigh"].as<double>();
  out.inconclusive = r["inconclusive"].as<bool>();
  out.p_text = r["pText"].as<std::string>();
  out.threshold_text = r["thresholdText"].as<std::string>();
  out.model_title = r["modelTitle"].as<std::string>();
  out.timing = r["timing"].as<std::string>();
  out.warning = r["warning"].as<std::string>();
  out.out_of_scope = r["outOfScope"].as<bool>();
  out.threshold_note = r["thresholdNote"].isString() ? r["thresholdNote"].as<std::string>() : std::string();
  g_state.gate_message.clear();
}

void clear_results() { g_state.results = {}; }

// [x, y, width, height] in source pixels -> uv units of the source image.
template <typename T>
void set_uv(T& out, const val& region) {
  const std::vector<double> r = emscripten::convertJSArrayToNumberVector<double>(region);
  if (r.size() != 4) return;
  out.u = static_cast<float>(r[0] / g_source_width);
  out.v = static_cast<float>(r[1] / g_source_height);
  out.du = static_cast<float>(r[2] / g_source_width);
  out.dv = static_cast<float>(r[3] / g_source_height);
}

// The CAM of the selected model, 0..1 floats on its grid, placed over `region` (the lung field's box on
// the image, in source pixels) and clipped to `field` (0..255 on its own square grid, may be empty).
void set_cam(const val& values, int width, int height, const val& region, const val& field) {
  app::CamOverlay cam;
  const std::vector<float> v = emscripten::convertJSArrayToNumberVector<float>(values);
  if (v.size() == static_cast<size_t>(width) * height && g_source_width > 0) {
    cam.width = width;
    cam.height = height;
    cam.values.resize(v.size());
    for (size_t i = 0; i < v.size(); ++i) cam.values[i] = static_cast<uint8_t>(std::clamp(v[i], 0.0f, 1.0f) * 255.0f + 0.5f);
    set_uv(cam, region);
    cam.field = emscripten::convertJSArrayToNumberVector<uint8_t>(field);
    const int side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(cam.field.size()))));
    cam.field_width = cam.field_height = static_cast<size_t>(side) * side == cam.field.size() ? side : 0;
  }
  g_state.image.set_cam(cam);
}

// The lung model's mask (255 = lung, square) over `region` (the canonical square on the image).
void set_lungs(const val& mask, const val& region) {
  app::LungOutline lungs;
  lungs.mask = emscripten::convertJSArrayToNumberVector<uint8_t>(mask);
  const int side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(lungs.mask.size()))));
  if (side > 0 && static_cast<size_t>(side) * side == lungs.mask.size() && g_source_width > 0) {
    lungs.width = lungs.height = side;
    set_uv(lungs, region);
  } else {
    lungs = {};
  }
  g_state.image.set_lungs(lungs);
}

void set_message(const std::string& text, bool is_error) {
  g_state.message = text;
  g_state.message_is_error = is_error;
}

void set_gate(const std::string& message) {
  g_state.gate_message = message;
  if (!message.empty()) g_state.results = {};
}

void set_busy(bool busy) { g_state.busy = busy; }
void set_banner(const std::string& text) { g_state.banner = text; }

void set_model(int index) {
  if (index >= 0 && index < app::kModelCount) g_state.model = index;
}

void set_model_status(int index, const std::string& title, bool available, const std::string& detail,
                      const std::string& card) {
  if (index < 0 || index >= app::kModelCount) return;
  g_state.models[static_cast<size_t>(index)] = {title, available, detail, card};
}

void set_notice_accepted(bool accepted) { g_state.notice_accepted = accepted; }

// ---- batch mode ----

void batch_clear() {
  g_state.batch.rows.clear();
  g_state.batch.order.clear();
  g_state.batch.order_dirty = true;
  g_state.batch.selected = -1;
}

void batch_add_rows(const val& paths) {
  for (const std::string& p : emscripten::vecFromJSArray<std::string>(paths)) g_state.batch.rows.push_back({p, "queued", "", "", {}, {-1, -1}});
  g_state.batch.order_dirty = true;
  g_state.batch.show_tab = true;
}

void batch_set_row(int index, const val& r) {
  if (index < 0 || index >= static_cast<int>(g_state.batch.rows.size())) return;
  app::BatchRow& row = g_state.batch.rows[static_cast<size_t>(index)];
  row.status = r["status"].as<std::string>();
  row.gate = r["gate"].as<std::string>();
  row.note = r["note"].as<std::string>();
  const std::vector<std::string> verdicts = emscripten::vecFromJSArray<std::string>(r["verdicts"]);
  const std::vector<double> probs = emscripten::convertJSArrayToNumberVector<double>(r["probs"]);
  for (size_t m = 0; m < app::kBatchModels; ++m) {
    row.verdict[m] = m < verdicts.size() ? verdicts[m] : std::string();
    row.p[m] = m < probs.size() ? probs[m] : -1;
  }
  g_state.batch.order_dirty = true;
}

void batch_progress(int done, int total, double rate, double eta_s, bool running, bool paused, const std::string& task) {
  app::BatchState& b = g_state.batch;
  if (running != b.running || paused != b.paused || task != b.task) wake();
  b.done = done;
  b.total = total;
  b.rate = rate;
  b.eta_s = eta_s;
  b.running = running;
  b.paused = paused;
  b.task = task;
}

// ---- your data ----

// The labelled batch's figures for model `index` (input as evaluation_api.h describes): kept for the
// Your data tab and returned as JSON (labelled_evaluation.h) for the exports and the page's tests.
std::string evaluate_batch(int index, const val& input) {
  if (index < 0 || index >= app::kYourDataModels) return "null";
  auto& slot = g_state.your_data.eval[static_cast<size_t>(index)];
  const bool had_labels = g_state.your_data.any_labels();
  slot = xrweb::evaluate(input);
  if (!had_labels && g_state.your_data.any_labels()) g_state.your_data.show_tab = true;
  return xr::evaluation_json(*slot);
}

// The figures the Your data tab shows for model `index`, as JSON; "null" before a labelled batch.
std::string your_data_json(int index) {
  if (index < 0 || index >= app::kYourDataModels) return "null";
  const auto& slot = g_state.your_data.eval[static_cast<size_t>(index)];
  return slot ? xr::evaluation_json(*slot) : "null";
}

void clear_your_data() {
  for (auto& e : g_state.your_data.eval) e.reset();
}

// The site threshold in use for model `index` (threshold null: none) and its words (site_threshold_note).
void set_site_threshold(int index, const val& threshold, const std::string& note) {
  if (index < 0 || index >= app::kYourDataModels) return;
  app::SiteAdoption& site = g_state.your_data.site[static_cast<size_t>(index)];
  site.on = threshold.isNumber();
  site.threshold = site.on ? threshold.as<double>() : 0;
  site.note = site.on ? note : std::string();
}

void set_batch_frame_rate(double fps) { g_batch_fps = fps; }

}  // namespace

namespace xrweb {
const app::AppState& app_state() { return g_state; }
unsigned long long presented_frames() { return g_presented; }
}  // namespace xrweb

EMSCRIPTEN_BINDINGS(xraylens_app) {
  emscripten::function("setImage", &Waking<&set_image>::call);
  emscripten::function("clearImage", &Waking<&clear_image>::call);
  emscripten::function("setPatient", &Waking<&set_patient>::call);
  emscripten::function("setResult", &Waking<&set_result>::call);
  emscripten::function("clearResults", &Waking<&clear_results>::call);
  emscripten::function("setCam", &Waking<&set_cam>::call);
  emscripten::function("setLungs", &Waking<&set_lungs>::call);
  emscripten::function("setMessage", &Waking<&set_message>::call);
  emscripten::function("setGate", &Waking<&set_gate>::call);
  emscripten::function("setBusy", &Waking<&set_busy>::call);
  emscripten::function("setBanner", &Waking<&set_banner>::call);
  emscripten::function("setModel", &Waking<&set_model>::call);
  emscripten::function("setModelStatus", &Waking<&set_model_status>::call);
  emscripten::function("setNoticeAccepted", &Waking<&set_notice_accepted>::call);
  emscripten::function("batchClear", &Waking<&batch_clear>::call);
  emscripten::function("batchAddRows", &Waking<&batch_add_rows>::call);
  emscripten::function("batchSetRow", &batch_set_row);      // drawn by the batch clock, not woken per row
  emscripten::function("batchProgress", &batch_progress);  // wakes when the run starts, pauses or ends
  emscripten::function("setBatchFrameRate", &set_batch_frame_rate);
  emscripten::function("evaluateBatch", &Waking<&evaluate_batch>::call);
  emscripten::function("yourDataJson", &your_data_json);
  emscripten::function("clearYourData", &Waking<&clear_your_data>::call);
  emscripten::function("setSiteThreshold", &Waking<&set_site_threshold>::call);
}

// Starts the app on Module.canvas; "" when it runs, else why it cannot.
std::string start_app() {
  if (g_window) return "";
  if (!glfwInit()) return "GLFW could not start";
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  const double ratio = js_device_pixel_ratio();
  g_window = glfwCreateWindow(std::max(1, static_cast<int>(std::lround(js_canvas_width() * ratio))),
                              std::max(1, static_cast<int>(std::lround(js_canvas_height() * ratio))), "XRayLens", nullptr, nullptr);
  if (!g_window) return "WebGL2 is not available";
  glfwMakeContextCurrent(g_window);
  install_wake_callbacks(g_window);  // before ImGui's, which chain to them

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImPlot::CreateContext();
  app::set_ui_scale(static_cast<float>(js_device_pixel_ratio()));  // fonts, style, keyboard navigation
  ImGui_ImplGlfw_InitForOpenGL(g_window, true);
  // Emscripten 3.1.6's GLFW 3 passes the DOM wheel delta as it is (pixels, positive downwards): make
  // one notch one step up or down, as native GLFW does, before ImGui sees it.
  glfwSetScrollCallback(g_window, [](GLFWwindow* w, double x, double y) {
    const auto step = [](double d) { return d == 0 ? 0.0 : -std::copysign(std::max(1.0, std::abs(d) / 100.0), d); };
    wake();
    ImGui_ImplGlfw_ScrollCallback(w, step(x), step(y));
  });
  ImGui_ImplOpenGL3_Init("#version 300 es");

  emscripten_set_main_loop(frame, 0, false);
  return "";
}

EMSCRIPTEN_BINDINGS(xraylens_app_start) { emscripten::function("startApp", &start_app); }
