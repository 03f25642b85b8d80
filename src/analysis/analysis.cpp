#include "analysis.h"

#include <chrono>
#include <utility>

#include "contract.h"
#include "gate_rules.h"
#include "verdict.h"

namespace xr {
namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

const std::vector<float>& output(const Outputs& out, const char* name) {
  static const std::vector<float> none;
  const auto it = out.find(name);
  return it == out.end() ? none : it->second.data;
}

// The output a self-test and a run read: prob for the classifiers, p_in_scope for the gate, mask for lungs.
const char* main_output(const std::string& key) {
  if (key == "gate") return "p_in_scope";
  if (key == "lungs") return "mask";
  return "prob";
}

}  // namespace

std::string Analyser::load(const ModelSpec& spec, const uint8_t* bytes, size_t size) {
  Entry& e = models_[spec.key];
  e.spec = spec;
  e.model.reset();
  e.error.clear();
  if (spec.contract_version != kContractVersion) {
    e.error = "model contract v" + std::to_string(spec.contract_version) + ", this page speaks v" +
              std::to_string(kContractVersion);
    return e.error;
  }
  auto model = std::make_unique<OrtModel>();
  if (!model->load(bytes, size)) return e.error = model->error();
  const int side = self_test_size(spec.self_test.input);
  if (side == 0) return e.error = "the model card has no self-test";
  Outputs out;
  if (!model->run(self_test_pattern(side).data(), side, out)) return e.error = model->error();
  e.error = check_self_test(spec.self_test, output(out, main_output(spec.key)), output(out, "logits"));
  if (e.error.empty()) e.model = std::move(model);
  return e.error;
}

void Analyser::refuse(const ModelSpec& spec, const std::string& error) {
  Entry& e = models_[spec.key];
  e.spec = spec;
  e.model.reset();
  e.error = error.empty() ? "refused" : error;
}

std::string Analyser::model_error(const std::string& key) const {
  const auto it = models_.find(key);
  if (it == models_.end()) return "not loaded";
  return it->second.model ? "" : it->second.error;
}

const ModelSpec* Analyser::spec(const std::string& key) const {
  const auto it = models_.find(key);
  return it == models_.end() ? nullptr : &it->second.spec;
}

Analyser::Entry* Analyser::ready(const std::string& key) {
  const auto it = models_.find(key);
  return it != models_.end() && it->second.model ? &it->second : nullptr;
}

// The lung model's mask on the canonical image, then the core's lung field; "" or why there is none.
std::string Analyser::lung_field(Analysis& a) {
  if (a.has_lungs) return "";
  Entry* e = ready("lungs");
  if (!e) {
    const std::string why = model_error("lungs");
    return "Lung fields are not available: " + (why == "not loaded" ? std::string("still loading") : why);
  }
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<float> canonical(a.study.canonical.pixels.begin(), a.study.canonical.pixels.end());
  Outputs out;
  if (!e->model->run(canonical.data(), kCanonicalSize, out)) return "Lung fields: " + e->model->error();
  const std::vector<float>& p = output(out, "mask");
  if (p.size() != canonical.size()) return "Lung fields: the lung model's mask has the wrong size";
  std::vector<uint8_t> mask(p.size());
  for (size_t i = 0; i < p.size(); ++i) mask[i] = p[i] >= 0.5f ? 255 : 0;
  a.lungs = xr::lung_field(a.study.canonical, mask.data());
  a.has_lungs = true;
  a.lungs_ms = ms_since(t0);
  return "";
}

GateResult Analyser::gate(Analysis& a, const AnalyseOptions& options) {
  GateResult g;
  const auto t0 = std::chrono::steady_clock::now();
  if (!a.study.check.ok()) return {false, a.study.check.reason, a.study.check.message};
  if (is_lateral_view(options.view_position)) return {false, "lateral", lateral_message(options.view_position)};
  if (Entry* e = ready("gate")) {
    Outputs out;
    if (e->model->run(a.study.input.data(), kInputSize, out) && !output(out, "p_in_scope").empty()) {
      g.has_score = true;
      g.score = output(out, "p_in_scope")[0];
      if (g.score < e->spec.threshold) {
        g.ok = false;
        g.reason = kGateRejectReason;
        g.message = gate_refusal_message(g.score, e->spec.threshold);
      }
    }
  }
  a.gate_ms = ms_since(t0);
  if (!g.ok) return g;
  if (!lung_field(a).empty()) return g;  // no lung model: the classifiers say so
  if (!a.lungs.reason.empty()) {
    g.ok = false;
    g.reason = a.lungs.reason;
    g.message = a.lungs.message;
  }
  return g;
}

ClassifierResult Analyser::classify(Analysis& a, const std::string& key) {
  ClassifierResult r;
  r.key = key;
  const auto it = models_.find(key);
  if (it == models_.end()) {
    r.error = "unknown model " + key;
    return r;
  }
  const ModelSpec& spec = it->second.spec;
  r.title = spec.title;
  r.threshold = spec.threshold;
  r.band_low = spec.band_low >= 0 ? spec.band_low : spec.threshold;
  r.band_high = spec.band_high >= 0 ? spec.band_high : spec.threshold;
  if (!it->second.model) {
    r.error = spec.title + " is not available: " + (it->second.error.empty() ? "still loading" : it->second.error);
    return r;
  }
  const std::string lungs = lung_field(a);
  if (!lungs.empty()) {
    r.error = lungs;
    return r;
  }
  const std::vector<float> input(a.lungs.input.begin(), a.lungs.input.end());
  const auto t0 = std::chrono::steady_clock::now();
  Outputs out;
  if (!it->second.model->run(input.data(), kInputSize, out) || output(out, "prob").empty()) {
    r.error = spec.title + ": " + (it->second.model->error().empty() ? "no prob output" : it->second.model->error());
    return r;
  }
  r.infer_ms = ms_since(t0);
  r.p_covid = output(out, "prob")[0];
  r.verdict = verdict_for(r.p_covid, r.threshold);
  r.inconclusive = in_inconclusive_zone(r.p_covid, r.band_low, r.band_high);
  r.logits = output(out, "logits");
  const auto cam = out.find("cam");
  if (cam != out.end() && cam->second.shape.size() == 3) {
    r.cam = cam->second.data;
    scale_cam_to_max(r.cam);
    r.cam_height = static_cast<int>(cam->second.shape[1]);
    r.cam_width = static_cast<int>(cam->second.shape[2]);
  }
  return r;
}

Analysis Analyser::analyse(Study study, const AnalyseOptions& options) {
  Analysis a;
  a.study = std::move(study);
  if (!a.study.ok()) return a;
  a.gate = gate(a, options);
  if (!a.gate.ok && !options.analyse_anyway) return a;
  for (const auto& key : options.models) a.results.push_back(classify(a, key));
  return a;
}

}  // namespace xr
