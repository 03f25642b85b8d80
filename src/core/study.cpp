#include "study.h"

#include "preprocess.h"

namespace xr {

Study open_study(const uint8_t* data, size_t size) {
  Study s;
  s.decoded = decode_image(data, size);
  if (!s.decoded.ok()) return s;
  s.canonical = canonical_image(s.decoded.image);
  s.input = model_input(s.canonical);
  s.check = check_input(s.decoded, s.canonical);
  return s;
}

}  // namespace xr
