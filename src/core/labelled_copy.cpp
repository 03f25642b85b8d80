#include "labelled_copy.h"

#include <algorithm>
#include <cstring>

#include "stb_config.h"
#include "verdict.h"

#define STB_EASY_FONT_IMPLEMENTATION
#include <stb_easy_font.h>

namespace xr {
namespace {

constexpr int kLineHeight = 12;  // stb_easy_font's line spacing in font units
constexpr int kMargin = 4;

// stb_easy_font draws ASCII 32..126 only and indexes its glyph table with `c - 32`: any other byte (a
// file name in UTF-8, a control character) read outside the table, and a newline moved the text down
// into the image. Each UTF-8 sequence or other such byte becomes one '?'.
std::string printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 32 && c <= 126) {
      out += static_cast<char>(c);
      continue;
    }
    out += '?';
    if (c >= 0xC0)  // a UTF-8 lead byte: skip its continuation bytes
      while (i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) ++i;
  }
  return out;
}

// Rasterises stb_easy_font's quads (axis-aligned rectangles) into `dst` at integer scale.
void draw_text(Gray8& dst, int x0, int y0, int scale, const std::string& text, uint8_t value) {
  std::vector<char> buf(text.begin(), text.end());
  buf.push_back('\0');
  std::vector<float> verts(text.size() * 270 + 16);  // up to ~270 floats per character in the worst case
  unsigned char colour[4] = {255, 255, 255, 255};
  const int quads =
      stb_easy_font_print(0, 0, buf.data(), colour, verts.data(), static_cast<int>(verts.size() * sizeof(float)));
  for (int q = 0; q < quads; ++q) {
    const float* v = verts.data() + static_cast<size_t>(q) * 4 * 4;  // 4 vertices of x, y, z, colour
    const float fx0 = std::min(v[0], v[8]), fx1 = std::max(v[0], v[8]);
    const float fy0 = std::min(v[1], v[9]), fy1 = std::max(v[1], v[9]);
    const int ax = x0 + static_cast<int>(fx0 * scale), bx = x0 + static_cast<int>(fx1 * scale);
    const int ay = y0 + static_cast<int>(fy0 * scale), by = y0 + static_cast<int>(fy1 * scale);
    for (int y = std::max(ay, 0); y < std::min(by, dst.height); ++y)
      for (int x = std::max(ax, 0); x < std::min(bx, dst.width); ++x)
        dst.pixels[static_cast<size_t>(y) * dst.width + x] = value;
  }
}

}  // namespace

Gray8 labelled_copy(const Gray8& image, const CopyLabel& label) {
  const bool site = !label.threshold_note.empty();
  std::vector<std::string> lines = {
      printable(label.verdict + "   P(COVID-19) = " + percent_one_decimal(label.p_covid) + (site ? "   site threshold " : "   threshold ") +
                percent_one_decimal(label.threshold)),
      printable(label.model),
      printable("File: " + label.file + "   Date: " + label.date),
      "XRayLens - for research and teaching only, not for diagnosis",
  };
  if (site) lines.insert(lines.begin() + 2, printable(label.threshold_note));
  size_t longest = 0;
  for (const auto& l : lines) longest = std::max(longest, l.size());
  // Scale the font so the longest line spans at most the image width (easy_font glyphs are ~6 units wide).
  const int text_units = static_cast<int>(longest) * 6 + 2 * kMargin;
  const int scale = std::max(1, image.width / std::max(1, text_units));
  const int band = (static_cast<int>(lines.size()) * kLineHeight + 2 * kMargin) * scale;

  Gray8 out;
  out.width = image.width;
  out.height = image.height + band;
  out.pixels.assign(static_cast<size_t>(out.width) * out.height, 0);
  std::memcpy(out.pixels.data() + static_cast<size_t>(band) * out.width, image.pixels.data(), image.pixels.size());
  for (size_t i = 0; i < lines.size(); ++i)
    draw_text(out, kMargin * scale, (kMargin + static_cast<int>(i) * kLineHeight) * scale, scale, lines[i], 255);
  return out;
}

std::vector<uint8_t> encode_png(const Gray8& image) {
  std::vector<uint8_t> bytes;
  auto sink = [](void* ctx, void* data, int size) {
    auto* v = static_cast<std::vector<uint8_t>*>(ctx);
    const auto* p = static_cast<const uint8_t*>(data);
    v->insert(v->end(), p, p + size);
  };
  stbi_write_png_to_func(sink, &bytes, image.width, image.height, 1, image.pixels.data(), image.width);
  return bytes;
}

}  // namespace xr
