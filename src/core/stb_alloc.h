// stb_image's and libtiff's allocations go through a per-thread allowance (stb_impl.cpp): a decode can never take
// more memory than the budget its caller granted. A "zip bomb" PNG (a tiny file whose data inflates
// to gigabytes) then fails with stb's "outofmem" instead of exhausting the wasm heap, where a failed
// allocation in our own code would abort the module (Emscripten builds without exceptions).
#pragma once
#include <cstddef>

namespace xr {

// While alive, stb_image on this thread may hold at most `bytes` at once; the previous allowance
// (unlimited by default) comes back when it goes out of scope.
class StbAllowance {
 public:
  explicit StbAllowance(size_t bytes);
  ~StbAllowance();
  StbAllowance(const StbAllowance&) = delete;
  StbAllowance& operator=(const StbAllowance&) = delete;

  static size_t in_use();  // bytes stb_image holds now on this thread

 private:
  size_t previous_;
};

// The allowance's allocator (zeroed blocks; nullptr past the allowance), for libtiff (tiff_platform.cpp).
void* stb_malloc(size_t n);
void* stb_realloc(void* p, size_t n);
void stb_free(void* p);

// stb_image keeps its last failure reason per thread and does not set one on every failure path:
// forget it before a decode so that a message never carries an earlier file's reason (or none).
void stb_forget_failure();

}  // namespace xr
