// Our own walk over a PNG's or JPEG's structure, before stb_image sees the bytes: where the file ends,
// what its header declares, the defects Debian's stb_image 2.27 would not survive, the memory a
// decode needs, and a repaired copy of the PNGs it misreads. Used by decode.cpp only.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace xr {

// What our own walk over the file's structure finds, before stb_image sees the bytes.
struct Layout {
  bool complete = false;     // the end marker (PNG IEND, JPEG EOI) is reached through the structure
  std::string corrupt;       // a defect stb_image 2.27 would not survive; refuse the file
  bool png_ihdr = false;     // PNG IHDR where the signature puts it
  long long png_width = 0;
  long long png_height = 0;
  int png_colour_type = 0;
  int png_bit_depth = 8;
  bool png_interlaced = false;
  size_t plte_end = 0;       // offset just past the PLTE chunk's data; 0 if none
  int plte_entries = 0;
  bool empty_idat_first = false;  // an empty IDAT before any IDAT with data
  bool jpeg_progressive = false;
  int jpeg_components = 1;
  long long jpeg_blocks = 0;        // 8x8 blocks of all components (SOF), without MCU padding
  long long jpeg_entropy_bytes = 0; // the scans' entropy-coded data
};

Layout png_layout(const uint8_t* d, size_t n);
Layout jpeg_layout(const uint8_t* d, size_t n);

// Whether stb_image 2.27 needs the PNG repaired first (png_repaired).
bool png_needs_repair(const Layout& l);

// The most bytes the decode can hold at once: the file, stb_image's buffers, and our gray image.
long long decode_peak_bytes(const Layout& l, bool png, long long w, long long h, size_t file_size);

// A copy of the PNG that stb_image 2.27 reads safely (see file_layout.cpp).
std::vector<uint8_t> png_repaired(const uint8_t* d, size_t n, const Layout& l);

}  // namespace xr
