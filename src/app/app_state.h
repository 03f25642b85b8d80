// The application's state in plain structs, as Dear ImGui's examples keep it. The web layer fills it
// from the JS driver; the views draw it and report what the user asked for through Host.
#pragma once
#include <array>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "app/batch_state.h"
#include "app/your_data_state.h"
#include "app/image_view.h"
#include "app/viewport.h"

namespace app {

constexpr int kModelCount = 2;

struct ModelStatus {
  std::string title;   // "Model 1: COVID-19 vs Normal"
  bool available = false;
  std::string detail;  // "ready; threshold 42.0%" or why it is unavailable
  std::string card;    // the model card as text, one "Heading: value" or "- item" per line
};

struct Result {
  bool present = false;
  std::string verdict;  // POSITIVE / NEGATIVE
  double p_covid = 0;
  double threshold = 0.5;
  double band_low = 0.5, band_high = 0.5;  // the inconclusive zone around the threshold (from the card)
  std::string p_text;                      // "87.3%"
  std::string threshold_text;
  std::string model_title;
  std::string timing;  // "38 ms (inference 12 ms)"
  std::string warning;
  bool out_of_scope = false;  // analysed although the input gate refused it

  bool inconclusive = false;  // inside [band_low, band_high): the analysis says (verdict.h)
  std::string threshold_note;  // an adopted site threshold in words (verdict.h site_threshold_note), else empty
};

struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
};

struct AppState {
  bool notice_accepted = false;
  bool busy = false;  // the driver is analysing: no frame is drawn meanwhile (app_main.cpp)
  int model = 0;         // the selected model
  bool compare = false;  // show both models' results
  std::array<ModelStatus, kModelCount> models;
  std::array<Result, kModelCount> results;
  int card_open = -1;  // index of the model whose card window is open
  std::string banner;  // a failed start-up self-test: shown in red, verdicts refused

  std::string file_name;
  std::string image_info;  // "PNG, 3600 x 2708, RGB, 8-bit"
  std::string patient;     // a DICOM file's patient data: shown only while show_patient is on
  bool show_patient = false;
  ImageView image;
  int source_width = 0;  // the decoded image's width (the display image may be smaller)
  DisplaySettings display;
  Viewport view;

  // The input gate's refusal, with the choice to analyse anyway.
  std::string gate_message;

  std::string message;
  bool message_is_error = false;

  BatchState batch;
  YourData your_data;
  bool show_viewer = false;  // select the Viewer tab on the next frame (a batch row was opened)

  // Screen rectangles of controls in CSS pixels, from the last frame (end-to-end tests click them).
  std::map<std::string, Rect> widgets;
  std::string focused;  // the tracked control with keyboard (navigation) focus in the last frame
  // Tab stops of this frame in drawing order (keyboard.cpp): ImGui's item id and window
  struct TabStop {
    std::string name;
    unsigned id = 0;
    void* window = nullptr;
  };
  std::vector<TabStop> tab_stops;
  int tab_step = 0;  // +1 Tab, -1 Shift+Tab pressed this frame
  unsigned long long frames = 0;
};

// What the user asked for; the web layer forwards each to the JS driver.
struct Host {
  std::function<void()> open_file;
  std::function<void(int)> select_model;
  std::function<void(bool)> set_compare;
  std::function<void()> save_copy;
  std::function<void()> accept_notice;
  std::function<void()> analyse_anyway;
  std::function<void()> save_report;
  // batch mode
  std::function<void()> open_many;
  std::function<void()> open_folder;
  std::function<void(bool)> batch_pause;
  std::function<void()> batch_cancel;
  std::function<void(int)> batch_open;  // a row's index: show that file in the viewer
  std::function<void()> export_csv;
  std::function<void()> export_zip;
  // your data: adopt the site threshold of model `m` for sensitivity kSiteSensitivities[target], or remove it
  std::function<void(int m, int target)> adopt_site;
  std::function<void(int m)> remove_site;
};

// Records the last item's rectangle under `name` in state.widgets.
void track(AppState& s, const std::string& name);

}  // namespace app
