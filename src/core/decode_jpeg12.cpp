// JPEG with 12 bits a sample (extended, process 4; DICOM's 1.2.840.10008.1.2.4.51 from CR and DX archives),
// by libjpeg-turbo 2.1.5 built for 12-bit samples (Debian's source package, cmake/third_party.cmake).
// stb_image reads 8-bit JPEG only. The result holds the stored values, 0..4095.
#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <string>
#include <vector>

extern "C" {
#include <jpeglib.h>
#include <jerror.h>
}

#include "decode_common.h"
#include "decoders.h"

static_assert(BITS_IN_JSAMPLE == 12, "decode_jpeg12.cpp needs libjpeg-turbo's 12-bit jconfig.h (cmake/jpeg12)");

namespace xr::detail {
namespace {

struct ErrorManager {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  int warnings;
};

void on_error(j_common_ptr cinfo) {
  auto* e = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, e->message);
  std::longjmp(e->jump, 1);
}

// Corrupt entropy data and a premature end are warnings to libjpeg (it fills the rest); counted here.
void on_message(j_common_ptr cinfo, int level) {
  auto* e = reinterpret_cast<ErrorManager*>(cinfo->err);
  if (level < 0 && e->warnings++ == 0) (*cinfo->err->format_message)(cinfo, e->message);
}

// No C++ object with a destructor lives in this function: libjpeg's errors longjmp out of it.
// Returns 0 on success, 1 for a libjpeg error (message in e), 2 when the size or memory is refused.
int run(jpeg_decompress_struct* cinfo, ErrorManager* e, const uint8_t* data, size_t size, long long budget,
        uint16_t* (*reserve)(void*, int, int, int), void* ctx, int* channels) {
  if (setjmp(e->jump)) return 1;
  jpeg_create_decompress(cinfo);
  cinfo->mem->max_memory_to_use = static_cast<long>(std::min<long long>(budget, 0x7fffffff));
  jpeg_mem_src(cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(cinfo, TRUE);
  if (cinfo->num_components == 3) cinfo->out_color_space = JCS_RGB;
  else if (cinfo->num_components == 1) cinfo->out_color_space = JCS_GRAYSCALE;
  else {
    std::snprintf(e->message, sizeof e->message, "%d colour components; gray and RGB can be read", cinfo->num_components);
    return 1;
  }
  uint16_t* out = reserve(ctx, static_cast<int>(cinfo->image_width), static_cast<int>(cinfo->image_height),
                          cinfo->num_components);
  if (out == nullptr) return 2;
  jpeg_start_decompress(cinfo);
  *channels = cinfo->output_components;
  const size_t row = static_cast<size_t>(cinfo->output_width) * cinfo->output_components;
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW line = reinterpret_cast<JSAMPROW>(out + row * cinfo->output_scanline);
    jpeg_read_scanlines(cinfo, &line, 1);
  }
  jpeg_finish_decompress(cinfo);
  return 0;
}

struct Target {
  DecodeResult* out;
  std::vector<uint16_t> samples;
  long long budget;
  size_t file_size;
  const Layout* layout;
};

uint16_t* reserve(void* ctx, int w, int h, int comps) {
  auto* t = static_cast<Target*>(ctx);
  t->out->error = size_error(w, h);
  if (!t->out->error.empty()) return nullptr;
  // the file, libjpeg's buffers (12-bit: twice stb_image's 8-bit estimate), our samples and gray image
  const long long px = static_cast<long long>(w) * h;
  const long long peak = decode_peak_bytes(*t->layout, "JPEG", w, h, t->file_size) * 2 + px * comps * 2;
  t->out->error = budget_error(w, h, peak, t->budget);
  if (!t->out->error.empty()) return nullptr;
  t->samples.assign(static_cast<size_t>(px) * comps, 0);
  t->out->image.width = w;
  t->out->image.height = h;
  return t->samples.data();
}

}  // namespace

DecodeResult decode_jpeg12(const uint8_t* data, size_t size, long long memory_budget, const Layout& layout) {
  DecodeResult out;
  out.format = "JPEG";
  out.bit_depth = 12;
  if (!layout.complete) {  // libjpeg would fill the missing part with gray; stb_image refuses such 8-bit files too
    out.error = "Could not decode the 12-bit JPEG image: the file appears truncated (no end-of-image marker).";
    return out;
  }
  Target target{&out, {}, memory_budget, size, &layout};
  jpeg_decompress_struct cinfo{};
  ErrorManager e{};
  cinfo.err = jpeg_std_error(&e.mgr);
  e.mgr.error_exit = on_error;
  e.mgr.emit_message = on_message;
  int channels = 0;
  const int status = run(&cinfo, &e, data, size, memory_budget - static_cast<long long>(size), reserve, &target, &channels);
  jpeg_destroy_decompress(&cinfo);
  if (status == 2) return out;
  if (status == 1) {
    out.error = std::string("Could not decode the 12-bit JPEG image (") + e.message + ").";
    return out;
  }
  out.channels = channels;
  out.image.max_value = 4095;
  to_gray(target.samples.data(), channels, target.samples.size() / static_cast<size_t>(channels), 4095, out);
  if (e.warnings > 0)
    out.warning = std::string("The image data appears corrupt or truncated (") + e.message + "); the result may be unreliable.";
  return out;
}

}  // namespace xr::detail
