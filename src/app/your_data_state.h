// "Your data": each model's figures on the user's labelled batch (labelled_evaluation.h, computed by the
// core when the batch ends) and the site threshold adopted in this browser, as the app draws them.
#pragma once
#include <array>
#include <optional>
#include <string>

#include "labelled_evaluation.h"

namespace app {

constexpr int kYourDataModels = 2;

struct SiteAdoption {
  bool on = false;
  double threshold = 0;
  std::string note;  // "site threshold 0.41, from 212 of your X-rays, 2026-12-07"
};

struct YourData {
  std::array<std::optional<xr::LabelledEvaluation>, kYourDataModels> eval;
  std::array<SiteAdoption, kYourDataModels> site;
  int target = 1;  // the sensitivity picked: an index of xr::kSiteSensitivities (0.95)
  bool show_tab = false;

  bool any_labels() const {
    for (const auto& e : eval)
      if (e && e->labelled > 0) return true;
    return false;
  }
};

}  // namespace app
