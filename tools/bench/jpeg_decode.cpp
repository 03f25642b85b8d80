// Times, in wasm under Node, what opening an 8-bit JPEG costs the core: stb_image built as the module
// builds it (its SSE2 paths as wasm SIMD), libjpeg-turbo 2.1.5's decompressor built for 8-bit samples
// (C only: it has no wasm SIMD) to RGB and to luma alone, and the core's gray + colour pass
// (detail::to_gray) on stb_image's samples. Not part of the build; medians of 9 runs:
//   B=build/jpeg-bench J=third_party/libjpeg-turbo; mkdir -p $B && sed 's/BITS_IN_JSAMPLE 12/BITS_IN_JSAMPLE 8/' cmake/jpeg12/jconfig.h > $B/jconfig.h
//   sed 's/@COPYRIGHT_YEAR@/1991-2023/' $J/jversion.h.in > $B/jversion.h
//   for s in jcomapi jdapimin jdapistd jdatasrc jdcoefct jdcolor jddctmgr jdhuff jdinput jdmainct jdmarker jdmaster jdmerge \
//     jdphuff jdpostct jdsample jdtrans jerror jidctflt jidctfst jidctint jidctred jquant1 jquant2 jutils jmemmgr jmemnobs \
//     jsimd_none; do emcc -O3 -msimd128 -w -I$B -Icmake/jpeg12 -I$J -c $J/$s.c -o $B/$s.o; done
//   em++ -O3 -msimd128 -msse2 -DSTBI__X86_TARGET -w -I$B -I$J -Isrc/core -I/usr/include/stb tools/bench/jpeg_decode.cpp \
//     src/core/decode_common.cpp $B/*.o -sALLOW_MEMORY_GROWTH=1 -sNODERAWFS=1 -o $B/bench.cjs
//   node --no-experimental-fetch build/jpeg-bench/bench.cjs FILE.jpg
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <vector>

#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_JPEG
#include <stb_image.h>
extern "C" {
#include <jpeglib.h>
}

#include "decode_common.h"

namespace {

double median_ms(const std::function<void()>& f) {
  std::vector<double> t;
  for (int r = 0; r < 9; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[4];
}

void turbo(const std::vector<uint8_t>& d, bool luma_only) {
  jpeg_decompress_struct ci;
  jpeg_error_mgr jm;
  ci.err = jpeg_std_error(&jm);
  jpeg_create_decompress(&ci);
  jpeg_mem_src(&ci, d.data(), d.size());
  jpeg_read_header(&ci, TRUE);
  if (luma_only) ci.out_color_space = JCS_GRAYSCALE;
  jpeg_start_decompress(&ci);
  const size_t row = static_cast<size_t>(ci.output_width) * ci.output_components;
  std::vector<uint8_t> out(row * ci.output_height);
  while (ci.output_scanline < ci.output_height) {
    JSAMPROW line = out.data() + row * ci.output_scanline;
    jpeg_read_scanlines(&ci, &line, 1);
  }
  jpeg_finish_decompress(&ci);
  jpeg_destroy_decompress(&ci);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  std::ifstream f(argv[1], std::ios::binary);
  const std::vector<uint8_t> d((std::istreambuf_iterator<char>(f)), {});
  int w = 0, h = 0, c = 0;
  const double stb = median_ms([&] { stbi_image_free(stbi_load_from_memory(d.data(), static_cast<int>(d.size()), &w, &h, &c, 0)); });
  const double rgb = median_ms([&] { turbo(d, false); });
  const double luma = median_ms([&] { turbo(d, true); });
  stbi_uc* px = stbi_load_from_memory(d.data(), static_cast<int>(d.size()), &w, &h, &c, 0);
  const double gray = median_ms([&] {
    xr::DecodeResult out;
    xr::detail::to_gray(px, c, static_cast<size_t>(w) * h, 255, out);
  });
  std::printf("%d x %d, %d channels: stb_image %.1f ms, libjpeg-turbo %.1f ms (luma only %.1f ms), gray and colour pass %.1f ms\n",
              w, h, c, stb, rgb, luma, gray);
  stbi_image_free(px);
}
