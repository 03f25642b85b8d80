#include "file_layout.h"

#include <algorithm>
#include <cstring>

namespace xr {
namespace {

uint32_t be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 | p[3];
}
unsigned be16(const uint8_t* p) { return static_cast<unsigned>(p[0]) << 8 | p[1]; }

// Every table of a DHT segment as stb_image 2.27 reads it (bytes past the end read as 0); returns
// what is wrong, or nullptr. More than 256 codes overflow its Huffman arrays; a DC symbol over 15 is
// used as a bit count that indexes 17-entry tables (both fixed upstream in 2.28; Debian 12 ships
// 2.27). Marks the tables it defines in `defined` (DC 0-3, then AC 0-3).
const char* dht_defect(const uint8_t* d, size_t n, size_t seg, size_t seg_len, bool defined[8]) {
  auto byte = [&](size_t i) -> unsigned { return i < n ? d[i] : 0; };
  long left = static_cast<long>(seg_len) - 2;
  size_t pos = seg + 2;
  while (left > 0) {
    const unsigned table_class = byte(pos) >> 4, id = byte(pos) & 15;
    unsigned codes = 0;
    for (int i = 0; i < 16; ++i) codes += byte(pos + 1 + static_cast<size_t>(i));
    if (codes > 256) return "a Huffman table has more than 256 codes";
    if (table_class == 0)
      for (unsigned i = 0; i < codes; ++i)
        if (byte(pos + 17 + i) > 15) return "a DC Huffman table has a symbol over 15";
    if (table_class <= 1 && id <= 3) defined[table_class * 4 + id] = true;
    pos += 17 + codes;
    left -= 17 + static_cast<long>(codes);
  }
  return nullptr;
}

// stb_image 2.27 decodes a scan with whatever its Huffman tables hold, and a table the file never
// defined holds uninitialised memory: reads out of bounds. libjpeg refuses such files too.
bool scan_tables_defined(const uint8_t* d, size_t seg, size_t seg_len, bool progressive, const bool defined[8]) {
  const size_t comps = d[seg + 2];
  if (seg_len < 6 + 2 * comps) return true;  // stb refuses the header itself
  const uint8_t* p = d + seg + 3;
  const unsigned ss = p[2 * comps], ah = p[2 * comps + 2] >> 4;
  const bool dc = !progressive || (ss == 0 && ah == 0), ac = !progressive || ss > 0;
  for (size_t c = 0; c < comps; ++c) {
    const unsigned td = p[2 * c + 1] >> 4, ta = p[2 * c + 1] & 15;
    if (dc && td <= 3 && !defined[td]) return false;
    if (ac && ta <= 3 && !defined[4 + ta]) return false;
  }
  return true;
}

// The 8x8 blocks a SOF's components cover (sampling factors applied), from its segment.
long long sof_blocks(const uint8_t* seg, size_t len) {
  const long long h = be16(seg + 3), w = be16(seg + 5);
  const size_t comps = seg[7];
  if (len < 8 + 3 * comps) return 0;
  int hmax = 1, vmax = 1;
  for (size_t c = 0; c < comps; ++c) {
    hmax = std::max(hmax, seg[9 + 3 * c] >> 4);
    vmax = std::max(vmax, seg[9 + 3 * c] & 15);
  }
  long long blocks = 0;
  for (size_t c = 0; c < comps; ++c) {
    const int hs = seg[9 + 3 * c] >> 4, vs = seg[9 + 3 * c] & 15;
    const long long cw = (w * hs + hmax - 1) / hmax, ch = (h * vs + vmax - 1) / vmax;
    blocks += ((cw + 7) / 8) * ((ch + 7) / 8);
  }
  return blocks;
}

}  // namespace

// Chunk by chunk to IEND. stb_image ignores CRCs and needs IEND to finish, so a PNG cut anywhere
// fails to decode; `complete` also catches a file that lacks only its IEND chunk.
Layout png_layout(const uint8_t* d, size_t n) {
  Layout l;
  if (n >= 33 && std::memcmp(d + 12, "IHDR", 4) == 0) {
    l.png_ihdr = true;
    l.width = be32(d + 16);
    l.height = be32(d + 20);
    l.png_bit_depth = d[24];
    l.png_colour_type = d[25];
    l.png_interlaced = d[28] != 0;
  }
  size_t pos = 8;
  bool idat_data = false;
  while (n - pos >= 12) {
    const uint32_t len = be32(d + pos);
    if (len > n - pos - 12) break;
    if (std::memcmp(d + pos + 4, "IEND", 4) == 0) {
      l.complete = true;
      break;
    }
    if (std::memcmp(d + pos + 4, "IDAT", 4) == 0) {
      if (len == 0 && !idat_data) l.empty_idat_first = true;
      idat_data = idat_data || len > 0;
    }
    if (std::memcmp(d + pos + 4, "PLTE", 4) == 0) {
      if (l.plte_end != 0) l.corrupt = "more than one palette";
      l.plte_end = pos + 8 + len;
      l.plte_entries = len % 3 == 0 && len <= 768 ? static_cast<int>(len / 3) : 256;
    }
    pos += 12 + static_cast<size_t>(len);
  }
  return l;
}

// Marker by marker to EOI, through the entropy-coded data of each scan (where 0xFF is followed by
// 0x00 or a restart marker); an EOI inside an APP segment (an EXIF thumbnail's) does not count.
// stb_image 2.27 refuses a JPEG that ends without EOI, but fills a scan whose data runs short with
// zeros, silently: the block count and the entropy-coded bytes let decode_image notice that.
Layout jpeg_layout(const uint8_t* d, size_t n) {
  Layout l;
  bool defined[8] = {};
  size_t pos = 2;
  while (pos < n) {
    if (d[pos] != 0xFF) {  // stray bytes between segments: stb skips them too
      ++pos;
      continue;
    }
    while (pos < n && d[pos] == 0xFF) ++pos;
    if (pos >= n) break;
    const unsigned m = d[pos++];
    if (m == 0xD9) {
      l.complete = true;
      break;
    }
    if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD8)) continue;  // no length field
    if (n - pos < 2) break;
    const size_t len = be16(d + pos);
    if (m == 0xC4) {
      const char* defect = dht_defect(d, n, pos, len, defined);
      if (defect != nullptr && l.corrupt.empty()) l.corrupt = defect;
    }
    if (len < 2 || len > n - pos) break;
    if (m == 0xDA && len >= 3 && !scan_tables_defined(d, pos, len, l.jpeg_progressive, defined) && l.corrupt.empty())
      l.corrupt = "a scan uses a Huffman table the file does not define";
    const bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    if (sof && len >= 8) {
      l.jpeg_progressive = m == 0xC2 || m == 0xC6 || m == 0xCA || m == 0xCE;
      l.jpeg_components = d[pos + 7];
      l.jpeg_precision = d[pos + 2];
      l.jpeg_blocks = sof_blocks(d + pos, len);
    }
    pos += len;
    if (m == 0xDA) {  // the scan's entropy-coded data runs to the next marker
      const size_t start = pos;
      while (pos + 1 < n && !(d[pos] == 0xFF && d[pos + 1] != 0x00 && (d[pos + 1] < 0xD0 || d[pos + 1] > 0xD7))) ++pos;
      l.jpeg_entropy_bytes += static_cast<long long>(pos - start);
      if (pos + 1 >= n) break;
    }
  }
  return l;
}

// Whether stb_image 2.27 needs the PNG repaired first (png_repaired).
bool png_needs_repair(const Layout& l) {
  return (l.png_colour_type == 3 && l.plte_end != 0 && l.plte_entries < 256) || l.empty_idat_first;
}

// The most bytes the decode can hold at once: the file, stb_image's buffers, and our gray image
// (tests/fuzz/README.md). Conservative: chroma planes are counted at full size.
long long decode_peak_bytes(const Layout& l, const std::string& format, long long w, long long h, size_t file_size) {
  const long long px = w * h;
  const long long gray = px * 2;  // GrayImage: uint16 per pixel
  long long stb = 0, out = 0;
  if (format == "GIF") {
    // stb_image's GIF reader: the RGBA frame, its background and a per-pixel history, the code table
    out = px * 4;
    stb = out * 2 + px + (1 << 20);
  } else if (format == "BMP" || format == "TGA" || format == "PNM") {
    // the output (at most RGBA or 16-bit RGB), and a converted copy when stb expands a palette or 16-bit RGB
    out = px * 6;
    stb = out * 2 + (1 << 20);
  } else if (format == "PNG") {
    const int ct = l.png_colour_type;
    const long long samples = ct == 2 ? 3 : ct == 4 ? 2 : ct == 6 ? 4 : 1;
    const long long depth = std::max(1, std::min(16, l.png_bit_depth));
    const long long raw = h * (1 + (w * samples * depth + 7) / 8) + (l.png_interlaced ? 7 * (h + 1) : 0);
    const long long out_channels = ct == 3 ? 4 : samples;  // a palette expands to RGB(A)
    out = px * out_channels * (depth == 16 ? 2 : 1);
    // compressed data + inflated rows + the image (+ a pass or the palette indices beside it)
    stb = static_cast<long long>(file_size) + raw + out + (l.png_interlaced || ct == 3 ? out / 2 + px : 0);
    if (png_needs_repair(l)) stb += static_cast<long long>(file_size) + 768;  // png_repaired's copy
  } else {
    const long long comps = std::max(1, std::min(4, l.jpeg_components));
    out = px * (comps >= 3 ? 3 : 1);
    // one plane per component (+ 16-bit coefficients when progressive), and the output
    stb = px * comps * (l.jpeg_progressive ? 3 : 1) + out;
  }
  return static_cast<long long>(file_size) + std::max(stb, out + gray);
}

// A copy of the PNG that stb_image 2.27 reads safely; stb_image does not check CRCs.
// - A palette shorter than 256 entries is padded with black: stb reads an index past the palette from
//   uninitialised stack memory (an answer that changes from run to run); browsers show such pixels black.
// - Empty IDAT chunks before the first one with data are left out: stb copies 0 bytes to a null
//   buffer for them (undefined behaviour; found by fuzz_open_study).
std::vector<uint8_t> png_repaired(const uint8_t* d, size_t n, const Layout& l) {
  std::vector<uint8_t> out(d, d + 8);
  out.reserve(n + 768);
  size_t pos = 8;
  bool idat_data = false;
  while (n - pos >= 12) {
    const uint32_t len = be32(d + pos);
    if (len > n - pos - 12) break;
    const uint8_t* type = d + pos + 4;
    const size_t next = pos + 12 + len;
    if (std::memcmp(type, "IDAT", 4) == 0 && len == 0 && !idat_data) {
      pos = next;
      continue;
    }
    idat_data = idat_data || (std::memcmp(type, "IDAT", 4) == 0 && len > 0);
    if (std::memcmp(type, "PLTE", 4) == 0 && l.png_colour_type == 3 && len % 3 == 0 && len < 768) {
      const uint8_t head[8] = {0, 0, 3, 0, 'P', 'L', 'T', 'E'};  // length 768
      out.insert(out.end(), head, head + 8);
      out.insert(out.end(), d + pos + 8, d + pos + 8 + len);
      out.insert(out.end(), 768 - len, 0);
      out.insert(out.end(), d + pos + 8 + len, d + next);  // the CRC, now wrong
    } else {
      out.insert(out.end(), d + pos, d + next);
    }
    pos = next;
    if (std::memcmp(type, "IEND", 4) == 0) break;
  }
  out.insert(out.end(), d + pos, d + n);  // whatever follows, cut or not, as it was
  return out;
}

}  // namespace xr
