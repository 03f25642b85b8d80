// Fuzz target for the labelled copy: image size, probability, threshold and the label's strings (the
// file name comes from the user's disk) through labelled_copy() and encode_png(), and the PNG back
// through decode_image(): the copy must decode, keep the image's width and add a band above it.
#include <cstddef>
#include <cstdint>
#include <cmath>
#include <cstring>
#include <string>

#include "fuzz_checks.h"
#include "labelled_copy.h"
#include "verdict.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  const int w = 1 + (data[0] | (data[1] & 0x01) << 8);  // 1..512
  const int h = 1 + (data[2] & 0x3F);                      // 1..64: the band is what matters
  double p = data[4] / 255.0 * (data[6] & 1 ? 1.0 : 1.5) - (data[6] & 2 ? 0.25 : 0.0);
  if (data[6] & 4) p = std::nan("");  // a misbehaving model
  const double threshold = data[5] / 255.0;
  const uint8_t fill = data[7];
  std::string rest(reinterpret_cast<const char*>(data + 8), size - 8);
  // the strings: model, date, file name and verdict, separated by NUL bytes
  std::string parts[4];
  for (int i = 0, start = 0; i < 4; ++i) {
    const size_t end = rest.find('\0', static_cast<size_t>(start));
    if (static_cast<size_t>(start) > rest.size()) break;
    parts[i] = rest.substr(static_cast<size_t>(start), end == std::string::npos ? std::string::npos : end - start);
    if (end == std::string::npos) break;
    start = static_cast<int>(end + 1);
  }
  xr::Gray8 image;
  image.width = w;
  image.height = h;
  image.pixels.assign(static_cast<size_t>(w) * h, fill);
  const xr::CopyLabel label{parts[3], p, threshold, parts[0], parts[1], parts[2]};
  const xr::Gray8 copy = xr::labelled_copy(image, label);
  FUZZ_CHECK(copy.width == w && copy.height > h);
  FUZZ_CHECK(copy.pixels.size() == static_cast<size_t>(copy.width) * copy.height);
  // the image itself is never covered
  FUZZ_CHECK(std::memcmp(copy.pixels.data() + static_cast<size_t>(copy.height - h) * w, image.pixels.data(),
                         image.pixels.size()) == 0);
  const std::vector<uint8_t> png = xr::encode_png(copy);
  const xr::DecodeResult back = xr::decode_image(png.data(), png.size());
  FUZZ_CHECK(back.ok());
  FUZZ_CHECK(back.warning.empty());
  FUZZ_CHECK(back.image.width == copy.width && back.image.height == copy.height);
  for (size_t i = 0; i < copy.pixels.size(); ++i) FUZZ_CHECK(back.image.pixels[i] == copy.pixels[i]);
  // the download's name: only safe characters, always a .png
  const std::string name = xr::labelled_copy_name(xr::verdict_for(p, threshold), p, parts[2]);
  FUZZ_CHECK(name.size() > 4 && name.compare(name.size() - 4, 4, ".png") == 0);
  for (char c : name)
    FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
  return 0;
}
