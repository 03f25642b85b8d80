// Fuzz target: any bytes through the page's decode + preprocess + input-check path (xr::open_study),
// then the display image the page draws. Seeds: PNG and JPEG made from the real originals
// (tests/fuzz/make_seeds.py).
#include <cstddef>
#include <cstdint>

#include "fuzz_checks.h"
#include "preprocess.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const xr::Study s = xr::open_study(data, size);
  fuzz::check_study(s);
  if (s.ok()) {
    const xr::Gray8 d = xr::display_image(s.decoded.image, 96);
    FUZZ_CHECK(d.width >= 1 && d.height >= 1 && d.width <= 96 && d.height <= 96);
    FUZZ_CHECK(d.pixels.size() == static_cast<size_t>(d.width) * d.height);
  }
  return 0;
}
