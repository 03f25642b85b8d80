// The platform functions libtiff expects from tif_unix.c, for the core: memory from the decode allowance
// (stb_alloc.h), so a TIFF whose directory or strips claim gigabytes fails with "out of memory" within
// the budget, and no file I/O (decode_tiff.cpp reads from memory with TIFFClientOpenExt). Messages go to
// the handler each open passes in, never to stderr.
#include <cstdint>
#include <cstring>

#include <tiffio.h>

#include "stb_alloc.h"

extern "C" {

TIFFErrorHandler _TIFFwarningHandler = nullptr;
TIFFErrorHandler _TIFFerrorHandler = nullptr;

void* _TIFFmalloc(tmsize_t s) { return s <= 0 ? nullptr : xr::stb_malloc(static_cast<size_t>(s)); }

void* _TIFFcalloc(tmsize_t nmemb, tmsize_t siz) {
  if (nmemb <= 0 || siz <= 0 || static_cast<size_t>(nmemb) > SIZE_MAX / static_cast<size_t>(siz)) return nullptr;
  return xr::stb_malloc(static_cast<size_t>(nmemb) * static_cast<size_t>(siz));  // zeroed
}

void* _TIFFrealloc(void* p, tmsize_t s) { return s < 0 ? nullptr : xr::stb_realloc(p, static_cast<size_t>(s)); }

void _TIFFfree(void* p) { xr::stb_free(p); }

void _TIFFmemset(void* p, int v, tmsize_t c) { std::memset(p, v, static_cast<size_t>(c)); }

void _TIFFmemcpy(void* d, const void* s, tmsize_t c) { std::memcpy(d, s, static_cast<size_t>(c)); }

int _TIFFmemcmp(const void* p1, const void* p2, tmsize_t c) { return std::memcmp(p1, p2, static_cast<size_t>(c)); }

}  // extern "C"
