#include "decode.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "contract.h"
#include "stb_alloc.h"
#include "stb_config.h"

namespace xr {
namespace {

bool starts_with(const uint8_t* d, size_t n, const char* magic, size_t m) {
  return n >= m && std::memcmp(d, magic, m) == 0;
}

uint32_t be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 | p[3];
}
unsigned be16(const uint8_t* p) { return static_cast<unsigned>(p[0]) << 8 | p[1]; }

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

// Chunk by chunk to IEND. stb_image ignores CRCs and needs IEND to finish, so a PNG cut anywhere
// fails to decode; `complete` also catches a file that lacks only its IEND chunk.
Layout png_layout(const uint8_t* d, size_t n) {
  Layout l;
  if (n >= 33 && std::memcmp(d + 12, "IHDR", 4) == 0) {
    l.png_ihdr = true;
    l.png_width = be32(d + 16);
    l.png_height = be32(d + 20);
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
long long decode_peak_bytes(const Layout& l, bool png, long long w, long long h, size_t file_size) {
  const long long px = w * h;
  const long long gray = px * 2;  // GrayImage: uint16 per pixel
  long long stb = 0, out = 0;
  if (png) {
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

std::string megabytes(long long bytes) { return std::to_string((bytes + 500'000) / 1'000'000) + " MB"; }

// Share of pixels whose colour departs from the image's own gray-to-colour curve: the mean colour of
// all pixels of the same luma. Gray images and uniformly tinted ones (duotone figures from papers)
// score ~0; photographs, colour diagrams and screenshots score high; a few coloured arrows stay small.
template <typename T>
double colour_departure(const T* src, int channels, const std::vector<uint16_t>& luma, int max_value) {
  constexpr int kBins = 256;
  const int shift = max_value > 255 ? 8 : 0;
  std::vector<double> sum(kBins * 3, 0.0);
  std::vector<uint32_t> count(kBins, 0);
  for (size_t i = 0; i < luma.size(); ++i) {
    const T* p = src + i * channels;
    const int bin = luma[i] >> shift;
    for (int c = 0; c < 3; ++c) sum[bin * 3 + c] += p[c];
    ++count[bin];
  }
  for (int b = 0; b < kBins; ++b)
    for (int c = 0; c < 3; ++c) sum[b * 3 + c] /= std::max<uint32_t>(1, count[b]);
  const double tolerance = max_value / 16.0;  // JPEG chroma noise on gray images stays below this
  size_t departing = 0;
  for (size_t i = 0; i < luma.size(); ++i) {
    const T* p = src + i * channels;
    const double* mean = &sum[(luma[i] >> shift) * 3];
    double dev = 0;
    for (int c = 0; c < 3; ++c) dev = std::max(dev, std::abs(p[c] - mean[c]));
    if (dev > tolerance) ++departing;
  }
  return luma.empty() ? 0.0 : static_cast<double>(departing) / static_cast<double>(luma.size());
}

template <typename T>
void to_gray(const T* src, int channels, size_t count, int max_value, DecodeResult& out) {
  auto& px = out.image.pixels;
  px.resize(count);
  for (size_t i = 0; i < count; ++i) {
    const T* p = src + i * channels;
    uint32_t y;
    uint32_t alpha = static_cast<uint32_t>(max_value);
    if (channels <= 2) {
      y = p[0];
      if (channels == 2) alpha = p[1];
    } else {
      // Rec. 601 luma, rounded: (299 R + 587 G + 114 B) / 1000
      y = static_cast<uint32_t>((299ull * p[0] + 587ull * p[1] + 114ull * p[2] + 500) / 1000);
      if (channels == 4) alpha = p[3];
    }
    if (alpha != static_cast<uint32_t>(max_value)) {
      y = static_cast<uint32_t>((static_cast<uint64_t>(y) * alpha + max_value / 2) / max_value);
    }
    px[i] = static_cast<uint16_t>(y);
  }
  out.colour_fraction = channels >= 3 ? colour_departure(src, channels, px, max_value) : 0.0;
}

std::string too_large_message(long long w, long long h) {
  return "Image too large: " + std::to_string(w) + " x " + std::to_string(h) +
         " pixels (the limit is 60 megapixels and 16384 pixels a side).";
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

// stb_image's reason for a failure, in words, after `what` ("Could not decode the PNG image");
// running out of the allowance is "too large".
std::string failure(const std::string& what, long long budget, bool complete) {
  std::string reason = stbi_failure_reason() ? stbi_failure_reason() : "";
  if (reason == "outofmem")
    return "Image too large: decoding it would need more than " + megabytes(budget) +
           " of memory (the limit), or its data is corrupt.";
  if (reason.empty()) reason = "corrupt data";
  if (!complete) return what + ": the file appears truncated (" + reason + ").";
  return what + " (" + reason + ").";
}

}  // namespace

DecodeResult decode_image(const uint8_t* data, size_t size) { return decode_image(data, size, kMaxDecodeBytes); }

DecodeResult decode_image(const uint8_t* data, size_t size, long long memory_budget) {
  DecodeResult out;
  if (data == nullptr || size == 0) {
    out.error = "The file is empty.";
    return out;
  }
  const bool png = starts_with(data, size, "\x89PNG\r\n\x1a\n", 8);
  const bool jpeg = starts_with(data, size, "\xFF\xD8\xFF", 3);
  if (!png && !jpeg) {
    out.error = "Not a readable image: the file is neither PNG nor JPEG.";
    return out;
  }
  out.format = png ? "PNG" : "JPEG";
  if (size > static_cast<size_t>(kMaxFileBytes)) {
    out.error = "File too large: " + megabytes(static_cast<long long>(size)) + " (the limit is " +
                megabytes(kMaxFileBytes) + ").";
    return out;
  }
  int len = static_cast<int>(size);
  // before stb_image reads even the header: its header parser builds the Huffman tables it meets
  const Layout layout = png ? png_layout(data, size) : jpeg_layout(data, size);
  if (!layout.corrupt.empty()) {
    out.error = "Not a readable " + out.format + " image (corrupt: " + layout.corrupt + ").";
    return out;
  }

  // stb_image refuses some huge PNG headers as "unknown image type"; say what is wrong
  if (png && (layout.png_width > kMaxSide || layout.png_height > kMaxSide ||
              layout.png_width * layout.png_height > kMaxPixels)) {
    out.error = too_large_message(layout.png_width, layout.png_height);
    return out;
  }
  if (png && layout.png_ihdr && layout.png_width * layout.png_height == 0) {
    out.error = "The image has no pixels.";
    return out;
  }

  int w = 0, h = 0, comp = 0;
  stb_forget_failure();
  if (!stbi_info_from_memory(data, len, &w, &h, &comp)) {
    out.error = failure("Not a readable " + out.format + " image", memory_budget, layout.complete);
    return out;
  }
  if (w <= 0 || h <= 0) {
    out.error = "The image has no pixels.";
    return out;
  }
  if (w > kMaxSide || h > kMaxSide || static_cast<long long>(w) * h > kMaxPixels) {
    out.error = too_large_message(w, h);
    return out;
  }
  const long long peak = decode_peak_bytes(layout, png, w, h, size);
  if (peak > memory_budget) {
    out.error = "Image too large: decoding " + std::to_string(w) + " x " + std::to_string(h) + " pixels would need about " +
                megabytes(peak) + " of memory (the limit is " + megabytes(memory_budget) + ").";
    return out;
  }
  // stb_image may use what the budget leaves beside the file, and no more (a zip bomb inflates past it).
  const StbAllowance allowance(static_cast<size_t>(memory_budget - static_cast<long long>(size)));
  std::vector<uint8_t> repaired;
  if (png && png_needs_repair(layout)) {
    repaired = png_repaired(data, size, layout);
    data = repaired.data();
    len = static_cast<int>(repaired.size());
  }
  const bool sixteen = stbi_is_16_bit_from_memory(data, len) != 0;
  out.bit_depth = sixteen ? 16 : 8;
  out.image.max_value = sixteen ? 65535 : 255;

  int channels = 0;
  const int info_w = w, info_h = h;
  const size_t count = static_cast<size_t>(w) * static_cast<size_t>(h);
  const auto convert = [&](const auto* pixels, int max_value) {
    if (pixels == nullptr) {
      out.error = failure("Could not decode the " + out.format + " image", memory_budget, layout.complete);
    } else if (w != info_w || h != info_h || channels < 1 || channels > 4) {
      out.error = "Not a readable " + out.format + " image (its header and its data disagree).";
    } else {
      to_gray(pixels, channels, count, max_value, out);
    }
  };
  stb_forget_failure();
  if (sixteen) {
    std::unique_ptr<stbi_us, void (*)(void*)> buf(stbi_load_16_from_memory(data, len, &w, &h, &channels, 0),
                                                 stbi_image_free);
    convert(buf.get(), 65535);
  } else {
    std::unique_ptr<stbi_uc, void (*)(void*)> buf(stbi_load_from_memory(data, len, &w, &h, &channels, 0),
                                                 stbi_image_free);
    convert(buf.get(), 255);
  }
  if (!out.ok()) return out;
  out.channels = channels;
  out.image.width = w;
  out.image.height = h;
  if (!layout.complete) {
    out.warning = "The file appears truncated (no end-of-image marker); the result may be unreliable.";
  } else if (!png && layout.jpeg_entropy_bytes * 8 < layout.jpeg_blocks) {
    // every block takes at least one bit (its first DC code); stb_image fills the rest with gray
    out.warning = "The file appears truncated (its image data is too short for " + std::to_string(w) + " x " +
                  std::to_string(h) + " pixels); the result may be unreliable.";
  }
  return out;
}

DecodeResult decode_samples(const uint16_t* samples, size_t count, int width, int height, int channels, int max_value,
                            const std::string& format, int bit_depth) {
  DecodeResult out;
  out.format = format;
  out.bit_depth = bit_depth;
  if (width <= 0 || height <= 0) {
    out.error = "The image has no pixels.";
    return out;
  }
  if (width > kMaxSide || height > kMaxSide || static_cast<long long>(width) * height > kMaxPixels) {
    out.error = too_large_message(width, height);
    return out;
  }
  const size_t pixels = static_cast<size_t>(width) * static_cast<size_t>(height);
  if ((channels != 1 && channels != 3) || max_value < 1 || max_value > 65535 || samples == nullptr ||
      count != pixels * static_cast<size_t>(channels)) {
    out.error = "Not a readable " + format + " image (its samples do not match its size).";
    return out;
  }
  out.channels = channels;
  out.image.width = width;
  out.image.height = height;
  out.image.max_value = max_value;
  to_gray(samples, channels, pixels, max_value, out);
  return out;
}

}  // namespace xr
