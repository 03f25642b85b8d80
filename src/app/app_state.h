// The application's state in plain structs, as Dear ImGui's examples keep it. The web layer fills it
// from the JS driver; app.cpp draws it and reports what the user asked for through Host.
#pragma once
#include <array>
#include <functional>
#include <map>
#include <string>

#include "app/image_view.h"

namespace app {

constexpr int kModelCount = 2;

struct ModelStatus {
  std::string title;   // "Model 1: COVID-19 vs Normal"
  bool available = false;
  std::string detail;  // "threshold 42.0%" or why it is unavailable
};

struct Result {
  bool present = false;
  std::string verdict;    // POSITIVE / NEGATIVE
  double p_covid = 0;
  std::string p_text;     // "87.3%"
  std::string threshold_text;
  std::string model_title;
  std::string timing;     // "38 ms (inference 12 ms)"
  std::string warning;
};

struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
};

struct AppState {
  bool notice_accepted = false;
  bool busy = false;
  int model = 0;  // index into models
  std::array<ModelStatus, kModelCount> models;

  std::string file_name;
  std::string image_info;  // "PNG, 3600 x 2708, RGB"
  ImageView image;
  DisplaySettings display;
  Result result;

  std::string message;
  bool message_is_error = false;

  // Screen rectangles of the main controls in CSS pixels, from the last frame (end-to-end tests click them).
  std::map<std::string, Rect> widgets;
  unsigned long long frames = 0;
};

// What the user asked for; the web layer forwards each to the JS driver.
struct Host {
  std::function<void()> open_file;
  std::function<void(int)> select_model;
  std::function<void()> save_copy;
  std::function<void()> accept_notice;
};

}  // namespace app
