// One ONNX Runtime session (the C API of ORT 1.13.1, built for wasm by scripts/ort/build_ort.sh),
// created from bytes in memory (.ort or .onnx), fed one float image and read back as named float tensors.
// No exceptions: every failure comes back as a message a person can read.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace xr {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

using Outputs = std::map<std::string, Tensor>;

class OrtModel {
 public:
  OrtModel();
  ~OrtModel();
  OrtModel(const OrtModel&) = delete;
  OrtModel& operator=(const OrtModel&) = delete;

  // Creates the session; false with error() set when ORT refuses the bytes.
  bool load(const uint8_t* bytes, size_t size);
  bool loaded() const;
  // Runs the model on a [1,1,size,size] float input named "input"; all float outputs come back.
  bool run(const float* input, int size, Outputs& out);
  const std::string& error() const { return error_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string error_;
};

// .onnx bytes -> the ORT-format model ORT's optimizer makes of them (level ALL, as ORT's
// convert_onnx_models_to_ort does), written to `ort_path`. Needs a filesystem (the converter tool).
bool convert_to_ort(const uint8_t* onnx, size_t size, const std::string& ort_path, std::string& error);

}  // namespace xr
