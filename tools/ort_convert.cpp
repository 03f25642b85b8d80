// Converts .onnx models to ONNX Runtime's .ort format with the same ORT build the page runs
// (scripts/ort/build_ort.sh): ORT's optimizer at level ALL, saved with session.save_model_format=ORT.
// Built to wasm with Node's file system (NODERAWFS); run at build time by CMake:
//   node --no-experimental-fetch ort_convert.js IN.onnx OUT.ort [IN.onnx OUT.ort ...]
#include <cstdio>
#include <string>
#include <vector>

#include "ort_model.h"
#include "read_file.h"

int main(int argc, char** argv) {
  if (argc < 3 || argc % 2 == 0) {
    std::fprintf(stderr, "usage: ort_convert IN.onnx OUT.ort [IN.onnx OUT.ort ...]\n");
    return 2;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    std::vector<uint8_t> onnx;
    if (!read_file(argv[i], onnx)) {
      std::fprintf(stderr, "ort_convert: cannot read %s\n", argv[i]);
      return 1;
    }
    std::string error;
    if (!xr::convert_to_ort(onnx.data(), onnx.size(), argv[i + 1], error)) {
      std::fprintf(stderr, "ort_convert: %s: %s\n", argv[i], error.c_str());
      return 1;
    }
  }
  return 0;
}
