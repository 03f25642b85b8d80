// stb_image's implementation, compiled once (stb_image_write's: stb_write_impl.cpp). stb_image allocates
// through the per-thread decode allowance (stb_alloc.h, decode_alloc.cpp).
#include "stb_alloc.h"

#define STBI_MALLOC(sz) xr::stb_malloc(sz)
#define STBI_REALLOC(p, newsz) xr::stb_realloc(p, newsz)
#define STBI_FREE(p) xr::stb_free(p)
#define STB_IMAGE_IMPLEMENTATION
#include "stb_config.h"

namespace xr {
void stb_forget_failure() { stbi__g_failure_reason = nullptr; }
}  // namespace xr
