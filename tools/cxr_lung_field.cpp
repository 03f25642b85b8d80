// cxr-lung-field: the lung-field inputs of contract v2, made by the same core as the page, for training.
//   cxr-lung-field --canon CANON.u8 --masks MASKS.u8 --out OUT.u8 --info INFO.tsv
// CANON.u8 and MASKS.u8 hold 256*256 bytes per image (canonical images from cxr-prep; lung masks, >= 128 =
// lung, from the lung model). OUT.u8 receives 224*224 bytes per image; INFO.tsv one line per image:
// index, box x, y, side, lung area fraction, lungs kept, gate reason (empty when plausible).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "contract.h"
#include "read_file.h"
#include "lung_field.h"

namespace {

int usage() {
  std::fprintf(stderr, "usage: cxr-lung-field --canon CANON.u8 --masks MASKS.u8 --out OUT.u8 --info INFO.tsv\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string canon_path, masks_path, out_path, info_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return usage();
    if (a == "--canon") canon_path = argv[++i];
    else if (a == "--masks") masks_path = argv[++i];
    else if (a == "--out") out_path = argv[++i];
    else if (a == "--info") info_path = argv[++i];
    else return usage();
  }
  if (canon_path.empty() || masks_path.empty() || out_path.empty() || info_path.empty()) return usage();
  constexpr size_t kCanon = static_cast<size_t>(xr::kCanonicalSize) * xr::kCanonicalSize;
  std::vector<uint8_t> canon, masks;
  if (!read_file(canon_path, canon) || !read_file(masks_path, masks) || canon.size() != masks.size() || canon.size() % kCanon) {
    std::fprintf(stderr, "cxr-lung-field: %s and %s must be readable, of equal size, a multiple of %zu bytes\n",
                 canon_path.c_str(), masks_path.c_str(), kCanon);
    return 2;
  }
  FILE* out = std::fopen(out_path.c_str(), "wb");
  FILE* info = std::fopen(info_path.c_str(), "w");
  if (!out || !info) {
    std::fprintf(stderr, "cxr-lung-field: cannot write %s or %s\n", out_path.c_str(), info_path.c_str());
    return 2;
  }
  const size_t n = canon.size() / kCanon;
  xr::Gray8 img{xr::kCanonicalSize, xr::kCanonicalSize, std::vector<uint8_t>(kCanon)};
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(img.pixels.data(), canon.data() + i * kCanon, kCanon);
    const xr::LungField lf = xr::lung_field(img, masks.data() + i * kCanon);
    std::fwrite(lf.input.data(), 1, lf.input.size(), out);
    std::fprintf(info, "%zu\t%d\t%d\t%d\t%.5f\t%d\t%s\n", i, lf.box.x, lf.box.y, lf.box.width, lf.area_fraction, lf.lungs,
                 lf.reason.c_str());
  }
  std::fclose(out);
  std::fclose(info);
  std::fprintf(stderr, "cxr-lung-field: %zu images\n", n);
  return 0;
}
