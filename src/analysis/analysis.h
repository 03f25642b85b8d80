// The whole analysis of one image in one call: decode (or take decoded samples), the input gate (rules
// and the learned gate), the lung model and lung field, the classifiers, their CAMs and calibrated
// verdicts with the inconclusive zone. The page, the batch workers and tools/predict.mjs all reach it
// through src/web/analysis_api.cpp.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lung_field.h"
#include "ort_model.h"
#include "self_test.h"
#include "study.h"
#include "verdict.h"

namespace xr {

// What the analysis needs from a model card (models/<name>.json); the caller reads the JSON.
struct ModelSpec {
  std::string key;     // "gate", "lungs", or a classifier's key ("covid-normal", "covid-pneumonia")
  std::string title;
  int contract_version = 0;
  double threshold = 0.5;                 // classifiers: the operating point; gate: reject below it
  double band_low = -1, band_high = -1;   // classifiers: the inconclusive zone [low, high); -1: none
  SelfTest self_test;
};

struct GateResult {
  bool ok = true;
  std::string reason;   // "" or colour / blank / noise / lateral / not_a_frontal_chest_xray / lungs_*
  std::string message;
  bool has_score = false;
  double score = 0;     // the learned gate's P(frontal chest X-ray)
};

struct ClassifierResult {
  std::string key, title;
  std::string error;    // the model could not answer (not loaded, failed its self-test, no lung field)
  double p_covid = 0, threshold = 0, band_low = 0, band_high = 0;
  Verdict verdict = Verdict::Negative;
  bool inconclusive = false;
  std::vector<float> logits;
  std::vector<float> cam;  // cam_height x cam_width, over the lung field's box; scaled as shown (scale_cam_to_max)
  int cam_width = 0, cam_height = 0;
  double infer_ms = 0;
};

struct AnalyseOptions {
  std::vector<std::string> models;  // classifier keys to run, in order
  bool analyse_anyway = false;      // run the classifiers although the gate refused the image
  std::string view_position;        // DICOM View Position, "" when none
};

struct Analysis {
  Study study;
  GateResult gate;
  bool has_lungs = false;
  LungField lungs;
  double open_ms = 0;  // decoding and preprocessing, timed by whoever opened the study
  double lungs_ms = 0, gate_ms = 0;
  std::vector<ClassifierResult> results;  // empty when the gate refused and analyse_anyway is off
};

class Analyser {
 public:
  // Loads a model and runs its self-test; "" when it is ready, else why it will not answer (kept).
  std::string load(const ModelSpec& spec, const uint8_t* bytes, size_t size);
  // Records a model that failed a check made elsewhere (its file missing, its digest wrong): it never
  // answers, and each analysis that asks for it says why.
  void refuse(const ModelSpec& spec, const std::string& error);
  // "" when the model `key` is ready; else its error ("not loaded" when never given).
  std::string model_error(const std::string& key) const;
  const ModelSpec* spec(const std::string& key) const;

  // Opens nothing itself: give it a study from open_study / open_decoded_study (failed ones come back
  // with only study.decoded.error set).
  Analysis analyse(Study study, const AnalyseOptions& options);
  // One more classifier for an analysis made before (a model the page shows later): it reads the
  // study's canonical image and lung field only, and makes the lung field if there is none yet.
  ClassifierResult classify(Analysis& a, const std::string& key);

 private:
  struct Entry {
    ModelSpec spec;
    std::unique_ptr<OrtModel> model;
    std::string error;
  };
  Entry* ready(const std::string& key);
  GateResult gate(Analysis& a, const AnalyseOptions& options);
  std::string lung_field(Analysis& a);
  std::map<std::string, Entry> models_;
};

}  // namespace xr
