#include "ort_model.h"

#include <onnxruntime_c_api.h>

namespace xr {
namespace {

const OrtApi& api() {
  static const OrtApi* a = OrtGetApiBase()->GetApi(ORT_API_VERSION);
  return *a;
}

// Takes ownership of a status: true when it was success, else its message goes to `error`.
bool ok(OrtStatus* status, std::string& error) {
  if (!status) return true;
  error = api().GetErrorMessage(status);
  api().ReleaseStatus(status);
  return false;
}

OrtEnv* env(std::string& error) {
  static OrtEnv* e = nullptr;
  if (!e && !ok(api().CreateEnv(ORT_LOGGING_LEVEL_ERROR, "xraylens", &e), error)) e = nullptr;
  return e;
}

template <typename T, void (*Release)(T*)>
struct Owned {
  T* p = nullptr;
  ~Owned() {
    if (p) Release(p);
  }
};

void release_options(OrtSessionOptions* o) { api().ReleaseSessionOptions(o); }
void release_value(OrtValue* v) { api().ReleaseValue(v); }
void release_info(OrtMemoryInfo* m) { api().ReleaseMemoryInfo(m); }
void release_shape(OrtTensorTypeAndShapeInfo* s) { api().ReleaseTensorTypeAndShapeInfo(s); }

bool session_options(Owned<OrtSessionOptions, release_options>& o, std::string& error) {
  return ok(api().CreateSessionOptions(&o.p), error) && ok(api().SetIntraOpNumThreads(o.p, 1), error) &&
         ok(api().SetSessionGraphOptimizationLevel(o.p, ORT_ENABLE_ALL), error);
}

}  // namespace

struct OrtModel::Impl {
  OrtSession* session = nullptr;
  std::vector<std::string> output_names;
  ~Impl() {
    if (session) api().ReleaseSession(session);
  }
};

OrtModel::OrtModel() = default;
OrtModel::~OrtModel() = default;

bool OrtModel::loaded() const { return impl_ && impl_->session; }

bool OrtModel::load(const uint8_t* bytes, size_t size) {
  impl_.reset();
  OrtEnv* e = env(error_);
  if (!e) return false;
  Owned<OrtSessionOptions, release_options> options;
  if (!session_options(options, error_)) return false;
  auto impl = std::make_unique<Impl>();
  if (!ok(api().CreateSessionFromArray(e, bytes, size, options.p, &impl->session), error_)) return false;
  size_t count = 0;
  if (!ok(api().SessionGetOutputCount(impl->session, &count), error_)) return false;
  OrtAllocator* allocator = nullptr;
  if (!ok(api().GetAllocatorWithDefaultOptions(&allocator), error_)) return false;
  for (size_t i = 0; i < count; ++i) {
    char* name = nullptr;
    if (!ok(api().SessionGetOutputName(impl->session, i, allocator, &name), error_)) return false;
    impl->output_names.emplace_back(name);
    allocator->Free(allocator, name);
  }
  impl_ = std::move(impl);
  error_.clear();
  return true;
}

bool OrtModel::run(const float* input, int size, Outputs& out) {
  out.clear();
  if (!loaded()) {
    error_ = "the model is not loaded";
    return false;
  }
  Owned<OrtMemoryInfo, release_info> info;
  if (!ok(api().CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &info.p), error_)) return false;
  const int64_t shape[4] = {1, 1, size, size};
  Owned<OrtValue, release_value> tensor;
  const size_t bytes = sizeof(float) * static_cast<size_t>(size) * size;
  if (!ok(api().CreateTensorWithDataAsOrtValue(info.p, const_cast<float*>(input), bytes, shape, 4,
                                               ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &tensor.p),
          error_))
    return false;
  const char* input_name = "input";
  std::vector<const char*> names;
  for (const auto& n : impl_->output_names) names.push_back(n.c_str());
  std::vector<OrtValue*> values(names.size(), nullptr);
  const bool ran = ok(api().Run(impl_->session, nullptr, &input_name, &tensor.p, 1, names.data(), names.size(),
                                values.data()),
                      error_);
  bool good = ran;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i]) continue;
    Owned<OrtValue, release_value> value{values[i]};
    if (!good) continue;
    Owned<OrtTensorTypeAndShapeInfo, release_shape> shape_info;
    ONNXTensorElementDataType type{};
    size_t dims = 0, count = 0;
    float* data = nullptr;
    good = ok(api().GetTensorTypeAndShape(value.p, &shape_info.p), error_) &&
           ok(api().GetTensorElementType(shape_info.p, &type), error_) &&
           ok(api().GetDimensionsCount(shape_info.p, &dims), error_) &&
           ok(api().GetTensorShapeElementCount(shape_info.p, &count), error_);
    if (!good || type != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) continue;  // only float outputs are read
    Tensor t;
    t.shape.resize(dims);
    good = ok(api().GetDimensions(shape_info.p, t.shape.data(), dims), error_) &&
           ok(api().GetTensorMutableData(value.p, reinterpret_cast<void**>(&data)), error_);
    if (!good) continue;
    t.data.assign(data, data + count);
    out[names[i]] = std::move(t);
  }
  if (!good) out.clear();
  return good;
}

bool convert_to_ort(const uint8_t* onnx, size_t size, const std::string& ort_path, std::string& error) {
  OrtEnv* e = env(error);
  if (!e) return false;
  Owned<OrtSessionOptions, release_options> options;
  if (!session_options(options, error)) return false;
  if (!ok(api().AddSessionConfigEntry(options.p, "session.save_model_format", "ORT"), error)) return false;
  if (!ok(api().SetOptimizedModelFilePath(options.p, ort_path.c_str()), error)) return false;
  OrtSession* session = nullptr;
  if (!ok(api().CreateSessionFromArray(e, onnx, size, options.p, &session), error)) return false;
  api().ReleaseSession(session);
  return true;
}

}  // namespace xr
