#include "app/batch_view.h"

#include <imgui.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>

#include "app/theme.h"
#include "app/ui_scale.h"

namespace app {
namespace {

// Column ids (ImGui's ColumnUserID), also the sort keys.
enum BatchColumn { kFile = 0, kVerdict1, kP1, kVerdict2, kP2, kGate, kNotes };

bool contains_nocase(const std::string& text, const char* needle) {
  if (!*needle) return true;
  const auto low = [](unsigned char c) { return static_cast<char>(std::tolower(c)); };
  std::string a(text), b(needle);
  std::transform(a.begin(), a.end(), a.begin(), low);
  std::transform(b.begin(), b.end(), b.begin(), low);
  return a.find(b) != std::string::npos;
}

bool passes(const BatchRow& r, BatchFilter f, int model) {
  const std::string& v = r.verdict[static_cast<size_t>(model)];
  switch (f) {
    case BatchFilter::kAll: return true;
    case BatchFilter::kPositive: return v == "POSITIVE";
    case BatchFilter::kNegative: return v == "NEGATIVE";
    case BatchFilter::kOutsideScope: return r.gate.rfind("rejected", 0) == 0;
    case BatchFilter::kProblems: return r.status == "error" || r.status == "skipped" || r.status == "cancelled" || !r.note.empty();
  }
  return true;
}

std::string eta_text(double s) {
  if (s < 0) return "--";
  char buf[32];
  if (s < 60) std::snprintf(buf, sizeof buf, "%.0f s", s);
  else std::snprintf(buf, sizeof buf, "%d min %02d s", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  return buf;
}

void draw_progress(AppState& s, const Host& host) {
  BatchState& b = s.batch;
  char overlay[160];
  if (b.task == "Analysing")
    std::snprintf(overlay, sizeof overlay, "%s%d / %d files  -  %.1f files/s  -  %s left", b.paused ? "Paused: " : "", b.done, b.total,
                  b.rate, b.running ? eta_text(b.eta_s).c_str() : "nothing");
  else
    std::snprintf(overlay, sizeof overlay, "%s: %d / %d", b.task.c_str(), b.done, b.total);
  ImGui::ProgressBar(b.total > 0 ? static_cast<float>(b.done) / static_cast<float>(b.total) : 0.0f, ImVec2(em(28), 0), overlay);
  track(s, "batch-progress");
  const bool analysing = b.running && b.task == "Analysing";
  ImGui::SameLine();
  if (!analysing) ImGui::BeginDisabled();
  if (ImGui::Button(b.paused ? "Resume" : "Pause", ImVec2(em(4.7f), 0))) host.batch_pause(!b.paused);
  track(s, "batch-pause");
  ImGui::SameLine();
  if (ImGui::Button("Cancel")) host.batch_cancel();
  track(s, "batch-cancel");
  if (!analysing) ImGui::EndDisabled();
  ImGui::SameLine(0, em(1.6f));
  const bool can_export = !b.running && !b.rows.empty();
  if (!can_export) ImGui::BeginDisabled();
  if (ImGui::Button("Export CSV")) host.export_csv();
  track(s, "export-csv");
  ImGui::SameLine();
  if (ImGui::Button("Export labelled copies (ZIP)")) host.export_zip();
  track(s, "export-zip");
  if (!can_export) ImGui::EndDisabled();
}

void draw_filters(AppState& s) {
  BatchState& b = s.batch;
  ImGui::SetNextItemWidth(em(17));
  if (ImGui::InputTextWithHint("##batch-filter", "filter by file name", b.text_filter, sizeof b.text_filter)) b.order_dirty = true;
  track(s, "batch-filter");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(em(14.7f));
  const char* names[] = {"all files", "positive", "negative", "outside the models' scope", "errors, skipped, warnings"};
  int f = static_cast<int>(b.filter);
  if (ImGui::Combo("show", &f, names, IM_ARRAYSIZE(names))) {
    b.filter = static_cast<BatchFilter>(f);
    b.order_dirty = true;
  }
  track(s, "batch-show");
  ImGui::SameLine();
  ImGui::TextColored(theme::kMuted, "%d shown; click a row to open it in the viewer", static_cast<int>(b.order.size()));
}

void verdict_cell(const BatchRow& r, int m) {
  const std::string& v = r.verdict[static_cast<size_t>(m)];
  if (r.status != "done") {
    ImGui::TextColored(r.status == "error" || r.status == "skipped" ? theme::kError : theme::kMuted, "%s", r.status.c_str());
  } else if (v.empty()) {
    ImGui::TextColored(theme::kMuted, "no result");
  } else {
    ImGui::TextColored(v == "POSITIVE" ? theme::kPositive : theme::kNegative, "%s", v.c_str());
  }
}

void p_cell(const BatchRow& r, int m) {
  const double p = r.p[static_cast<size_t>(m)];
  if (p >= 0) ImGui::Text("%.1f%%", p * 100.0);
}

void draw_table(AppState& s, const Host& host) {
  BatchState& b = s.batch;
  const bool both = s.compare;
  const int columns = both ? 7 : 5;
  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter |
                                ImGuiTableFlags_BordersV | ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable(both ? "batch-both" : "batch-one", columns, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("File", ImGuiTableColumnFlags_DefaultSort | ImGuiTableColumnFlags_WidthStretch, 3.0f, kFile);
  for (int m = 0; m < kBatchModels; ++m) {
    if (!both && m != s.model) continue;
    const std::string tag = both ? " " + std::to_string(m + 1) : "";
    ImGui::TableSetupColumn(("Verdict" + tag).c_str(), ImGuiTableColumnFlags_WidthStretch, 1.0f, m == 0 ? kVerdict1 : kVerdict2);
    ImGui::TableSetupColumn(("P(COVID)" + tag).c_str(), ImGuiTableColumnFlags_WidthStretch | ImGuiTableColumnFlags_PreferSortDescending, 0.8f,
                            m == 0 ? kP1 : kP2);
  }
  ImGui::TableSetupColumn("Gate", ImGuiTableColumnFlags_WidthStretch, 1.3f, kGate);
  ImGui::TableSetupColumn("Warnings / errors", ImGuiTableColumnFlags_WidthStretch, 3.0f, kNotes);
  ImGui::TableHeadersRow();
  if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs()) {
    if (specs->SpecsDirty && specs->SpecsCount > 0) {
      b.sort_column = static_cast<int>(specs->Specs[0].ColumnUserID);
      b.sort_descending = specs->Specs[0].SortDirection == ImGuiSortDirection_Descending;
      b.order_dirty = true;
    }
    specs->SpecsDirty = false;
  }
  if (b.order_dirty || b.order_model != s.model) {
    b.order = batch_order(b, s.model);
    b.order_model = s.model;
    b.order_dirty = false;
  }
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(b.order.size()));
  while (clipper.Step()) {
    for (int k = clipper.DisplayStart; k < clipper.DisplayEnd; ++k) {
      const int i = b.order[static_cast<size_t>(k)];
      const BatchRow& r = b.rows[static_cast<size_t>(i)];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushID(i);
      if (ImGui::Selectable(r.file.c_str(), b.selected == i, ImGuiSelectableFlags_SpanAllColumns) && r.status == "done") {
        b.selected = i;
        s.show_viewer = true;
        host.batch_open(i);
      }
      track(s, "batch-row-" + std::to_string(i));
      ImGui::PopID();
      for (int m = 0; m < kBatchModels; ++m) {
        if (!both && m != s.model) continue;
        ImGui::TableNextColumn();
        verdict_cell(r, m);
        ImGui::TableNextColumn();
        p_cell(r, m);
      }
      ImGui::TableNextColumn();
      if (r.gate == "ok") ImGui::TextUnformatted("ok");
      else if (!r.gate.empty()) ImGui::TextColored(theme::kInconclusive, "%s", r.gate.c_str());
      ImGui::TableNextColumn();
      if (!r.note.empty()) {
        ImGui::TextColored(r.status == "done" ? theme::kInconclusive : theme::kError, "%s", r.note.c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", r.note.c_str());
      }
    }
  }
  ImGui::EndTable();
}

}  // namespace

std::vector<int> batch_order(const BatchState& b, int model) {
  std::vector<int> out;
  for (int i = 0; i < static_cast<int>(b.rows.size()); ++i) {
    const BatchRow& r = b.rows[static_cast<size_t>(i)];
    if (passes(r, b.filter, model) && contains_nocase(r.file, b.text_filter)) out.push_back(i);
  }
  const auto key_less = [&](int x, int y) {
    const BatchRow& a = b.rows[static_cast<size_t>(x)];
    const BatchRow& c = b.rows[static_cast<size_t>(y)];
    switch (b.sort_column) {
      case kVerdict1: case kVerdict2: {
        const size_t m = b.sort_column == kVerdict1 ? 0 : 1;
        return (a.verdict[m].empty() ? a.status : a.verdict[m]) < (c.verdict[m].empty() ? c.status : c.verdict[m]);
      }
      case kP1: return a.p[0] < c.p[0];
      case kP2: return a.p[1] < c.p[1];
      case kGate: return a.gate < c.gate;
      case kNotes: return a.note < c.note;
      default: return x < y;  // rows arrive sorted by path
    }
  };
  std::stable_sort(out.begin(), out.end(), [&](int x, int y) { return b.sort_descending ? key_less(y, x) : key_less(x, y); });
  return out;
}

void draw_batch(AppState& s, const Host& host) {
  draw_progress(s, host);
  draw_filters(s);
  draw_table(s, host);
}

}  // namespace app
