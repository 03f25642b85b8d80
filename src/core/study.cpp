#include "study.h"

#include <utility>

#include "preprocess.h"

namespace xr {

Study open_study(const uint8_t* data, size_t size) { return open_decoded_study(decode_image(data, size)); }

Study open_decoded_study(DecodeResult decoded) {
  Study s;
  s.decoded = std::move(decoded);
  if (!s.decoded.ok()) return s;
  s.canonical = canonical_image(s.decoded.image);
  s.input = model_input(s.canonical);
  s.check = check_input(s.decoded, s.canonical);
  return s;
}

}  // namespace xr
