// Our own walk over the structure of a file stb_image decodes (PNG, JPEG: file_layout.cpp; BMP, GIF, PNM,
// TGA: raster_layout.cpp), before stb_image sees the bytes: where the file ends, what its header declares,
// the defects Debian's stb_image 2.27 would not survive, the memory a decode needs, and a repaired copy of
// the PNGs it misreads. Used by decode.cpp only.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace xr {

// What our own walk over the file's structure finds, before stb_image sees the bytes.
struct Layout {
  bool complete = false;     // the end marker (PNG IEND, JPEG EOI, GIF trailer) is reached through the
                             // structure; BMP, PNM, TGA: all their pixel data is there
  // The pixel data stops before the end the header declares (BMP, GIF's first frame, PNM, TGA): stb_image
  // would fill the rest with zeros silently, so the file is refused.
  bool data_truncated = false;
  std::string corrupt;       // a defect stb_image 2.27 would not survive; refuse the file
  bool png_ihdr = false;     // PNG IHDR where the signature puts it
  long long width = 0;       // the size the header declares (PNG, BMP, PNM, TGA); 0 if not read
  long long height = 0;
  int png_colour_type = 0;
  int png_bit_depth = 8;
  bool png_interlaced = false;
  size_t plte_end = 0;       // offset just past the PLTE chunk's data; 0 if none
  int plte_entries = 0;
  bool empty_idat_first = false;  // an empty IDAT before any IDAT with data
  bool jpeg_progressive = false;
  int jpeg_components = 1;
  int pnm_maxval = 255;             // PNM: the largest sample value its header gives
  int jpeg_precision = 8;           // bits a sample (SOF): 12 goes to libjpeg-turbo's 12-bit build
  long long jpeg_blocks = 0;        // 8x8 blocks of all components (SOF), without MCU padding
  long long jpeg_entropy_bytes = 0; // the scans' entropy-coded data
};

Layout png_layout(const uint8_t* d, size_t n);
Layout jpeg_layout(const uint8_t* d, size_t n);
Layout bmp_layout(const uint8_t* d, size_t n);
Layout gif_layout(const uint8_t* d, size_t n);  // the first frame (the one decoded), then on to the trailer
Layout pnm_layout(const uint8_t* d, size_t n);  // binary P5 (gray) and P6 (RGB), 8 or 16 bits
Layout tga_layout(const uint8_t* d, size_t n);  // uncompressed and RLE

// Whether stb_image 2.27 needs the PNG repaired first (png_repaired).
bool png_needs_repair(const Layout& l);

// The most bytes the decode can hold at once: the file, stb_image's buffers, and our gray image.
// `format` as image_format names it.
long long decode_peak_bytes(const Layout& l, const std::string& format, long long w, long long h, size_t file_size);

// A copy of the PNG that stb_image 2.27 reads safely (see file_layout.cpp).
std::vector<uint8_t> png_repaired(const uint8_t* d, size_t n, const Layout& l);

}  // namespace xr
