// Batch mode's state, plain structs: the rows the JS driver fills as its workers finish files, the
// progress of the run, and what the table shows (filter, sort order). Drawn by batch_view.cpp.
#pragma once
#include <array>
#include <string>
#include <vector>

namespace app {

constexpr int kBatchModels = 2;

struct BatchRow {
  std::string file;    // the path inside the chosen folder, or the file name
  std::string status;  // queued, running, done, error, skipped, cancelled
  std::string gate;    // "ok" or "rejected:<reason>" (done rows)
  std::string note;    // warnings, or why the file was skipped or could not be read
  std::array<std::string, kBatchModels> verdict;  // per model: POSITIVE / NEGATIVE, or empty
  std::array<double, kBatchModels> p{-1, -1};     // per model: P(COVID-19), -1 when absent
};

// Which rows the table shows.
enum class BatchFilter { kAll, kPositive, kNegative, kOutsideScope, kProblems };

struct BatchState {
  std::vector<BatchRow> rows;
  int done = 0;
  int total = 0;
  double rate = 0;     // files per second
  double eta_s = -1;   // seconds left, -1 when unknown
  bool running = false;
  bool paused = false;
  std::string task;    // "Analysing", "Making ZIP"

  // the table's view
  char text_filter[128] = "";
  BatchFilter filter = BatchFilter::kAll;
  std::vector<int> order;     // row indices as shown (filtered, sorted)
  bool order_dirty = true;
  int order_model = -1;       // the model the order was made for (the verdict columns follow it)
  int sort_column = 0;        // a BatchColumn
  bool sort_descending = false;
  int selected = -1;          // the row last opened in the viewer
  bool show_tab = false;      // select the Batch tab on the next frame
};

}  // namespace app
