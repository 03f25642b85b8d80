#include "app/your_data_view.h"

#include <imgui.h>
#include <implot.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "app/theme.h"
#include "app/ui_scale.h"

namespace app {
namespace {

std::string ci_text(const std::optional<xr::Interval>& ci, const char* method) {
  if (!ci) return "no CI";
  char buf[96];
  std::snprintf(buf, sizeof buf, "95%% CI %.3f-%.3f, %s", ci->low, ci->high, method);
  return buf;
}

std::string proportion_text(const xr::Proportion& p) {
  if (!p.value) return "not defined (no X-ray of that class)";
  char buf[160];
  std::snprintf(buf, sizeof buf, "%.3f  (%d of %d; %s)", *p.value, p.k, p.n, ci_text(p.ci, "Wilson").c_str());
  return buf;
}

void row(const char* name, const std::string& value) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextColored(theme::kMuted, "%s", name);
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(value.c_str());
}

void draw_counts(const xr::LabelledEvaluation& e, const std::string& title) {
  const char* negative = e.model == "covid-pneumonia" ? "pneumonia" : "normal";
  ImGui::Text("%s on %d of your X-rays (%d COVID-19, %d %s)", title.c_str(), e.used, e.metrics.n_pos, e.metrics.n_neg, negative);
  ImGui::PushStyleColor(ImGuiCol_Text, theme::kMuted);
  ImGui::TextWrapped("Left out: %d labelled with the class this model is not for, %d refused by the input gate, %d not analysed; "
                     "%d analysed images had no label. Labels: %d from folder names, %d from tables.",
                     e.other_class, e.gate_refused, e.no_result, e.unlabelled, e.labels.from_folders, e.labels.from_tables);
  ImGui::PopStyleColor();
  ImGui::PushStyleColor(ImGuiCol_Text, theme::kInconclusive);
  for (const std::string& p : e.labels.problems) ImGui::TextWrapped("Labels: %s", p.c_str());
  for (const std::string& n : e.metrics.notes) ImGui::TextWrapped("%s", n.c_str());
  ImGui::PopStyleColor();
}

void draw_figures(const xr::SiteMetrics& m) {
  if (!ImGui::BeginTable("your-figures", 2, ImGuiTableFlags_SizingFixedFit)) return;
  char buf[192];
  if (m.auc) std::snprintf(buf, sizeof buf, "%.3f  (%s)", *m.auc, ci_text(m.auc_ci, "DeLong").c_str());
  row("AUC", m.auc ? buf : "not defined (needs both classes)");
  std::snprintf(buf, sizeof buf, "%.1f%% (the model card's)", m.threshold * 100);
  row("Threshold", buf);
  row("Sensitivity", proportion_text(m.sensitivity));
  row("Specificity", proportion_text(m.specificity));
  const xr::Confusion& c = m.confusion;
  std::snprintf(buf, sizeof buf, "TP %d   FN %d   FP %d   TN %d", c.tp, c.fn, c.fp, c.tn);
  row("Confusion matrix", buf);
  if (m.inconclusive.value)
    std::snprintf(buf, sizeof buf, "%.1f%% (%d of %d in %.1f%%-%.1f%%)", *m.inconclusive.value * 100, m.inconclusive.k, m.inconclusive.n,
                  m.band_low * 100, m.band_high * 100);
  row("Inconclusive", m.inconclusive.value ? buf : "-");
  if (m.ece) std::snprintf(buf, sizeof buf, "%.3f (10 equal-width bins)", *m.ece);
  row("Calibration (ECE)", m.ece ? buf : "-");
  ImGui::EndTable();
}

void point(const char* label, double x, double y, ImPlotMarker marker, const ImVec4& colour) {
  ImPlot::SetNextMarkerStyle(marker, em(0.4f), colour, IMPLOT_AUTO, colour);
  ImPlot::PlotScatter(label, &x, &y, 1);
}

// A square plot of [0, 1] x [0, 1] with its diagonal (chance, or perfect calibration); false when hidden.
bool begin_unit_plot(const char* title, const char* x, const char* y, const char* diagonal, float side) {
  if (!ImPlot::BeginPlot(title, ImVec2(side, side), ImPlotFlags_NoMenus | ImPlotFlags_NoBoxSelect)) return false;
  ImPlot::SetupAxes(x, y, ImPlotAxisFlags_NoInitialFit, ImPlotAxisFlags_NoInitialFit);
  ImPlot::SetupAxesLimits(0, 1, 0, 1, ImPlotCond_Always);
  const double diag[2] = {0, 1};
  ImPlot::SetNextLineStyle(theme::kMuted);
  ImPlot::PlotLine(diagonal, diag, diag, 2);
  return true;
}

void draw_roc(const xr::LabelledEvaluation& e, const SiteAdoption& site, const xr::SiteThreshold& picked, float side) {
  const xr::SiteMetrics& m = e.metrics;
  if (!begin_unit_plot("ROC curve##roc", "1 - specificity", "sensitivity", "chance", side)) return;
  std::vector<double> fpr, tpr;
  for (const auto& p : m.roc) fpr.push_back(p.fpr), tpr.push_back(p.tpr);
  if (!fpr.empty()) ImPlot::PlotLine("your X-rays", fpr.data(), tpr.data(), static_cast<int>(fpr.size()));
  if (m.sensitivity.value && m.specificity.value)
    point("shipped threshold", 1 - *m.specificity.value, *m.sensitivity.value, ImPlotMarker_Circle, ImVec4(1, 1, 1, 1));
  if (picked.allowed)
    point(site.on && site.threshold == picked.threshold ? "site threshold (in use)" : "site threshold (picked)", 1 - *picked.specificity.value, *picked.sensitivity.value,
          ImPlotMarker_Diamond, theme::kInconclusive);
  ImPlot::EndPlot();
}

void draw_reliability(const xr::SiteMetrics& m, float side) {
  if (!begin_unit_plot("Reliability##reliability", "mean P(COVID-19) in bin", "share COVID-19", "perfect calibration", side)) return;
  std::vector<double> x, y;
  for (const auto& b : m.reliability)
    if (b.n > 0) x.push_back(*b.mean_p), y.push_back(*b.observed);
  ImPlot::SetNextMarkerStyle(ImPlotMarker_Square, em(0.3f));
  if (!x.empty()) ImPlot::PlotLine("your X-rays", x.data(), y.data(), static_cast<int>(x.size()));
  ImPlot::EndPlot();
}

void draw_site(AppState& s, const Host& host, const xr::LabelledEvaluation& e) {
  YourData& d = s.your_data;
  SiteAdoption& site = d.site[static_cast<size_t>(s.model)];
  ImGui::TextColored(theme::kMuted, "SITE THRESHOLD");
  ImGui::Separator();
  ImGui::TextUnformatted("Sensitivity to reach:");
  for (int k = 0; k < static_cast<int>(xr::kSiteSensitivities.size()); ++k) {
    ImGui::SameLine();
    char label[32];
    std::snprintf(label, sizeof label, "%.2f##target%d", xr::kSiteSensitivities[static_cast<size_t>(k)], k);
    if (ImGui::RadioButton(label, d.target == k)) d.target = k;
    track(s, "site-target-" + std::to_string(k));
  }
  const xr::SiteThreshold& t = e.site[static_cast<size_t>(d.target)];
  if (!t.allowed) {
    ImGui::PushStyleColor(ImGuiCol_Text, theme::kInconclusive);
    ImGui::TextWrapped("Refused: %s", t.refused.c_str());
    ImGui::PopStyleColor();
  } else {
    ImGui::Text("Threshold %.3f (%.1f%%) from %d X-rays", t.threshold, t.threshold * 100, t.n);
    ImGui::Text("Sensitivity %s", proportion_text(t.sensitivity).c_str());
    ImGui::Text("Specificity %s", proportion_text(t.specificity).c_str());
    if (ImGui::Button("Adopt for this browser")) host.adopt_site(s.model, d.target);
    track(s, "site-adopt");
  }
  if (site.on) {
    ImGui::TextColored(theme::kInconclusive, "In use for every verdict of this model: %s", site.note.c_str());
    if (ImGui::Button("Remove site threshold")) host.remove_site(s.model);
    track(s, "site-remove");
  }
  ImGui::PushStyleColor(ImGuiCol_Text, theme::kMuted);
  ImGui::TextWrapped("A site threshold is for research use. It is kept in this browser only, with the model's sha256 (a new "
                     "model drops it), and nothing about it leaves this computer. A few dozen X-rays give wide intervals, "
                     "and labels taken from reports are noisy.");
  ImGui::PopStyleColor();
}

}  // namespace

void draw_your_data(AppState& s, const Host& host) {
  const auto& slot = s.your_data.eval[static_cast<size_t>(s.model)];
  ImGui::BeginChild("your-data", ImVec2(0, 0));
  if (!slot) {
    ImGui::TextColored(theme::kMuted, "The figures appear when the labelled batch has been analysed.");
    ImGui::EndChild();
    return;
  }
  const xr::LabelledEvaluation& e = *slot;
  draw_counts(e, s.models[static_cast<size_t>(s.model)].title);
  ImGui::Spacing();
  // figures and the site threshold on the left, the two plots stacked on the right
  const float side = std::min(em(14), ImGui::GetContentRegionAvail().x * 0.4f);
  if (ImGui::BeginTable("your-data-layout", 2, ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("figures", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("plots", ImGuiTableColumnFlags_WidthFixed, side);
    ImGui::TableNextColumn();
    draw_figures(e.metrics);
    ImGui::Spacing();
    draw_site(s, host, e);
    ImGui::TableNextColumn();
    draw_roc(e, s.your_data.site[static_cast<size_t>(s.model)], e.site[static_cast<size_t>(s.your_data.target)], side);
    track(s, "roc-plot");
    draw_reliability(e.metrics, side);
    track(s, "reliability-plot");
    ImGui::EndTable();
  }
  ImGui::EndChild();
}

}  // namespace app
