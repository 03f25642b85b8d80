// The real originals in ../shared/cxr-data/originals: large, progressive, gray, RGB, RGBA and palette files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "contract.h"
#include "study.h"

namespace fs = std::filesystem;

TEST(Originals, EveryOriginalDecodesAndPreprocesses) {
  const fs::path dir = fs::path(XR_SHARED_DATA) / "originals";
  if (!fs::exists(dir)) GTEST_SKIP() << "no " << dir;
  int seen = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto ext = entry.path().extension().string();
    if (ext != ".png" && ext != ".jpg" && ext != ".jpeg") continue;
    std::ifstream f(entry.path(), std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const auto s = xr::open_study(bytes.data(), bytes.size());
    ASSERT_TRUE(s.ok()) << entry.path() << ": " << s.decoded.error;
    EXPECT_TRUE(s.decoded.warning.empty()) << entry.path() << ": " << s.decoded.warning;
    EXPECT_EQ(s.canonical.pixels.size(), static_cast<size_t>(xr::kCanonicalSize * xr::kCanonicalSize));
    EXPECT_EQ(s.input.size(), static_cast<size_t>(xr::kInputSize * xr::kInputSize));
    // a chest X-ray is not flat
    const auto [lo, hi] = std::minmax_element(s.canonical.pixels.begin(), s.canonical.pixels.end());
    EXPECT_GT(*hi - *lo, 100) << entry.path();
    ++seen;
  }
  EXPECT_EQ(seen, 9);
}
