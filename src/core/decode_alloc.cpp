// The per-thread decode allowance (stb_alloc.h) that stb_image (stb_impl.cpp) and libtiff
// (tiff_platform.cpp) allocate through; each block carries its size in a 16-byte header so that frees are
// counted, and new blocks are zeroed. A library of its own (xr_alloc) so that libtiff can link it.
#include <cstdint>
#include <cstdlib>

#include "stb_alloc.h"

namespace xr {
namespace {

constexpr size_t kHeader = 16;  // keeps the malloc alignment of the block handed to stb
thread_local size_t t_limit = SIZE_MAX;
thread_local size_t t_used = 0;

bool fits(size_t more) { return t_used <= t_limit && more <= t_limit - t_used && more <= SIZE_MAX - kHeader; }

}  // namespace

void* stb_malloc(size_t n) {
  if (!fits(n)) return nullptr;
  // zeroed: stb_image 2.27 reads parts of its decoder state that a corrupt file never set (a Huffman
  // table a scan uses but no DHT defined); zeros make that deterministic and keep it in bounds
  auto* block = static_cast<unsigned char*>(std::calloc(1, n + kHeader));
  if (block == nullptr) return nullptr;
  *reinterpret_cast<size_t*>(block) = n;
  t_used += n;
  return block + kHeader;
}

void stb_free(void* p) {
  if (p == nullptr) return;
  auto* block = static_cast<unsigned char*>(p) - kHeader;
  t_used -= *reinterpret_cast<size_t*>(block);
  std::free(block);
}

void* stb_realloc(void* p, size_t n) {
  if (p == nullptr) return stb_malloc(n);
  auto* block = static_cast<unsigned char*>(p) - kHeader;
  const size_t old = *reinterpret_cast<size_t*>(block);
  if (n > old && !fits(n - old)) return nullptr;
  if (n > SIZE_MAX - kHeader) return nullptr;
  auto* grown = static_cast<unsigned char*>(std::realloc(block, n + kHeader));
  if (grown == nullptr) return nullptr;  // the old block stays valid and counted; stb frees it
  *reinterpret_cast<size_t*>(grown) = n;
  t_used = t_used - old + n;
  return grown + kHeader;
}

StbAllowance::StbAllowance(size_t bytes) : previous_(t_limit) { t_limit = bytes; }
StbAllowance::~StbAllowance() { t_limit = previous_; }
size_t StbAllowance::in_use() { return t_used; }

}  // namespace xr

