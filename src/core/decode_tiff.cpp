// TIFF by libtiff 4.5.0 (Debian's source package, cmake/third_party.cmake), from memory: the first image
// of the file, 8 or 16 bits a sample, gray (MinIsBlack, MinIsWhite) or RGB, with an alpha sample or not,
// in strips or tiles, chunky or planar, uncompressed, LZW, Deflate or PackBits (with or without a
// predictor). libtiff's allocations count against the same budget as stb_image's (tiff_platform.cpp).
#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <tiffio.h>

#include "decode_common.h"
#include "decoders.h"
#include "stb_alloc.h"

namespace xr::detail {
namespace {

struct Memory {
  const uint8_t* data;
  size_t size;
  size_t pos = 0;
  std::string error;  // libtiff's first error message
};

tmsize_t read_proc(thandle_t h, void* buf, tmsize_t n) {
  auto* m = static_cast<Memory*>(h);
  if (n <= 0 || m->pos >= m->size) return 0;
  const size_t k = std::min(static_cast<size_t>(n), m->size - m->pos);
  std::memcpy(buf, m->data + m->pos, k);
  m->pos += k;
  return static_cast<tmsize_t>(k);
}
tmsize_t write_proc(thandle_t, void*, tmsize_t) { return 0; }
toff_t seek_proc(thandle_t h, toff_t off, int whence) {
  auto* m = static_cast<Memory*>(h);
  const uint64_t base = whence == SEEK_CUR ? m->pos : whence == SEEK_END ? m->size : 0;
  const uint64_t to = base + off;
  if (to > m->size) return static_cast<toff_t>(-1);
  m->pos = static_cast<size_t>(to);
  return to;
}
int close_proc(thandle_t) { return 0; }
toff_t size_proc(thandle_t h) { return static_cast<Memory*>(h)->size; }
int map_proc(thandle_t h, void** base, toff_t* size) {
  auto* m = static_cast<Memory*>(h);
  *base = const_cast<uint8_t*>(m->data);
  *size = m->size;
  return 1;
}
void unmap_proc(thandle_t, void*, toff_t) {}

int on_error(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
  auto* m = static_cast<Memory*>(user);
  if (m->error.empty()) {
    char text[256];
    std::vsnprintf(text, sizeof text, fmt, ap);
    m->error = text;
    if (m->error.size() > 160) m->error = m->error.substr(0, 160) + "...";
    (void)module;
  }
  return 1;
}
int on_warning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

std::string compression_name(uint16_t c) {
  switch (c) {
    case COMPRESSION_CCITTRLE: case COMPRESSION_CCITTFAX3: case COMPRESSION_CCITTFAX4: return "CCITT fax";
    case COMPRESSION_OJPEG: case COMPRESSION_JPEG: return "JPEG";
    case COMPRESSION_JBIG: return "JBIG";
    case COMPRESSION_LZMA: return "LZMA";
    case COMPRESSION_ZSTD: return "Zstandard";
    case COMPRESSION_WEBP: return "WebP";
    case COMPRESSION_JXL: return "JPEG XL";
    default: return "compression " + std::to_string(c);
  }
}

std::string photometric_name(uint16_t p) {
  switch (p) {
    case PHOTOMETRIC_PALETTE: return "palette colour";
    case PHOTOMETRIC_SEPARATED: return "CMYK";
    case PHOTOMETRIC_YCBCR: return "YCbCr";
    case PHOTOMETRIC_CIELAB: case PHOTOMETRIC_ICCLAB: case PHOTOMETRIC_ITULAB: return "CIE Lab";
    case PHOTOMETRIC_MASK: return "a transparency mask";
    default: return "photometric interpretation " + std::to_string(p);
  }
}

struct Closer {
  void operator()(TIFF* t) const { TIFFClose(t); }
};

// Copies one decoded strip row or tile into the interleaved image: `src` holds `cols` x `rows` samples of
// `per_pixel` samples each (1 for one plane of a planar file), placed at (x, y), plane `plane`.
template <typename T>
void place(std::vector<uint16_t>& img, uint32_t w, uint32_t h, int spp, const T* src, uint32_t x, uint32_t y,
           uint32_t cols, uint32_t rows, int per_pixel, int plane) {
  for (uint32_t r = 0; r < rows && y + r < h; ++r)
    for (uint32_t c = 0; c < cols && x + c < w; ++c)
      for (int s = 0; s < per_pixel; ++s)
        img[(static_cast<size_t>(y + r) * w + x + c) * spp + plane + s] = src[(static_cast<size_t>(r) * cols + c) * per_pixel + s];
}

}  // namespace

DecodeResult decode_tiff(const uint8_t* data, size_t size, long long memory_budget) {
  DecodeResult out;
  out.format = "TIFF";
  Memory mem{data, size, 0, {}};
  // libtiff may hold what the budget leaves beside the file and our buffers (at most 6 bytes a pixel
  // twice: the samples and the gray image), never more; a directory that claims more fails here.
  const StbAllowance allowance(static_cast<size_t>(std::max(0ll, memory_budget - static_cast<long long>(size))));
  std::unique_ptr<TIFFOpenOptions, void (*)(TIFFOpenOptions*)> opts(TIFFOpenOptionsAlloc(), TIFFOpenOptionsFree);
  if (!opts) {
    out.error = "Image too large: no memory to open the TIFF file.";
    return out;
  }
  TIFFOpenOptionsSetErrorHandlerExtR(opts.get(), on_error, &mem);
  TIFFOpenOptionsSetWarningHandlerExtR(opts.get(), on_warning, &mem);
  std::unique_ptr<TIFF, Closer> tif(TIFFClientOpenExt("file", "r", &mem, read_proc, write_proc, seek_proc, close_proc,
                                                      size_proc, map_proc, unmap_proc, opts.get()));
  const auto fail = [&](const std::string& what) {
    out.error = what + (mem.error.empty() ? "" : " (" + mem.error + ")") + ".";
    return out;
  };
  if (!tif) {
    // a cut file often loses its directory, which writers put after the pixels
    const bool big_endian = data[0] == 'M';
    const auto byte = [&](size_t i) -> uint64_t { return i < size ? data[i] : 0; };
    const uint64_t first_ifd = big_endian ? byte(4) << 24 | byte(5) << 16 | byte(6) << 8 | byte(7)
                                          : byte(7) << 24 | byte(6) << 16 | byte(5) << 8 | byte(4);
    if (data[2] != '+' && data[3] != '+' && first_ifd + 2 > size) {
      mem.error.clear();
      return fail("Not a readable TIFF image: the file appears truncated (its directory lies past the end of the file)");
    }
    return fail("Not a readable TIFF image");
  }
  uint32_t w = 0, h = 0;
  uint16_t bps = 1, spp = 1, photometric = 0, planar = PLANARCONFIG_CONTIG, compression = COMPRESSION_NONE,
           sample_format = SAMPLEFORMAT_UINT;
  TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &w);
  TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &h);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_BITSPERSAMPLE, &bps);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_SAMPLESPERPIXEL, &spp);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_COMPRESSION, &compression);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_SAMPLEFORMAT, &sample_format);
  if (!TIFFGetField(tif.get(), TIFFTAG_PHOTOMETRIC, &photometric))
    photometric = spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
  out.error = size_error(w, h);
  if (!out.error.empty()) return out;
  const bool gray = photometric == PHOTOMETRIC_MINISBLACK || photometric == PHOTOMETRIC_MINISWHITE;
  if (!(gray && (spp == 1 || spp == 2)) && !(photometric == PHOTOMETRIC_RGB && (spp == 3 || spp == 4))) {
    out.error = "This TIFF image is " + (gray || photometric == PHOTOMETRIC_RGB ? std::to_string(spp) + " samples a pixel"
                                                                                   : photometric_name(photometric)) +
                "; gray and RGB TIFF (with or without alpha) can be read.";
    return out;
  }
  if ((bps != 8 && bps != 16) || sample_format != SAMPLEFORMAT_UINT) {
    out.error = "This TIFF image has " + std::to_string(bps) + "-bit" +
                (sample_format == SAMPLEFORMAT_UINT ? "" : sample_format == SAMPLEFORMAT_IEEEFP ? " floating-point" : " signed") +
                " samples; 8- and 16-bit unsigned samples can be read.";
    return out;
  }
  if (!TIFFIsCODECConfigured(compression)) {
    out.error = "This TIFF image uses " + compression_name(compression) +
                ", which cannot be read here; uncompressed, LZW, Deflate and PackBits TIFF can.";
    return out;
  }
  const long long px = static_cast<long long>(w) * h;
  const long long chunk = TIFFIsTiled(tif.get()) ? TIFFTileSize64(tif.get()) : TIFFScanlineSize64(tif.get());
  // the file, our samples (16 bits each) and a strip or tile buffer, then the gray image beside the samples
  const long long peak = static_cast<long long>(size) + px * spp * 2 + px * 2 + chunk * 2 + (1 << 20);
  out.error = budget_error(w, h, peak, memory_budget);
  if (!out.error.empty()) return out;

  std::vector<uint16_t> img(static_cast<size_t>(px) * spp);
  std::vector<uint8_t> buf(static_cast<size_t>(std::max(1ll, chunk)));
  const bool separate = planar == PLANARCONFIG_SEPARATE && spp > 1;
  const int planes = separate ? spp : 1, per_pixel = separate ? 1 : spp;
  const auto put = [&](uint32_t x, uint32_t y, uint32_t cols, uint32_t rows, int plane) {
    if (bps == 16)
      place(img, w, h, spp, reinterpret_cast<const uint16_t*>(buf.data()), x, y, cols, rows, per_pixel, plane);
    else
      place(img, w, h, spp, buf.data(), x, y, cols, rows, per_pixel, plane);
  };
  if (TIFFIsTiled(tif.get())) {
    uint32_t tw = 0, th = 0;
    TIFFGetField(tif.get(), TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField(tif.get(), TIFFTAG_TILELENGTH, &th);
    if (tw == 0 || th == 0 || static_cast<long long>(tw) * th * per_pixel * (bps / 8) > chunk)
      return fail("Not a readable TIFF image (its tile size is wrong)");
    for (int p = 0; p < planes; ++p)
      for (uint32_t y = 0; y < h; y += th)
        for (uint32_t x = 0; x < w; x += tw) {
          if (TIFFReadTile(tif.get(), buf.data(), x, y, 0, static_cast<uint16_t>(p)) < 0)
            return fail("Could not decode the TIFF image: a tile is cut or corrupt");
          put(x, y, tw, th, p);
        }
  } else {
    if (static_cast<long long>(w) * per_pixel * (bps / 8) > chunk)
      return fail("Not a readable TIFF image (its row size is wrong)");
    for (int p = 0; p < planes; ++p)
      for (uint32_t y = 0; y < h; ++y) {
        if (TIFFReadScanline(tif.get(), buf.data(), y, static_cast<uint16_t>(p)) < 0)
          return fail("Could not decode the TIFF image: a strip is cut or corrupt");
        put(0, y, w, 1, p);
      }
  }
  std::vector<uint8_t>().swap(buf);
  const int max_value = bps == 16 ? 65535 : 255;
  if (photometric == PHOTOMETRIC_MINISWHITE)
    for (size_t i = 0; i < img.size(); i += spp) img[i] = static_cast<uint16_t>(max_value - img[i]);
  out.channels = spp;
  out.bit_depth = bps;
  out.image.width = static_cast<int>(w);
  out.image.height = static_cast<int>(h);
  out.image.max_value = max_value;
  to_gray(img.data(), spp, static_cast<size_t>(px), max_value, out);
  return out;
}

}  // namespace xr::detail
