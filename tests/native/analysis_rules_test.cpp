// The rules the analysis (src/analysis) uses that need no ORT: self-test pattern and check, the gate's
// words, the inconclusive zone. The analysis itself runs under Node (tests/node/analysis.test.mjs).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "contract.h"
#include "gate_rules.h"
#include "self_test.h"
#include "verdict.h"

namespace {

TEST(Cam, ScaledToItsMaximumAsShown) {
  std::vector<float> cam = {0.5f, 2.0f, -1.0f, 1.0f};
  xr::scale_cam_to_max(cam);
  EXPECT_EQ(cam, (std::vector<float>{0.25f, 1.0f, -0.5f, 0.5f}));
  std::vector<float> none = {0.0f, -2.0f};
  xr::scale_cam_to_max(none);  // no positive evidence: nothing to scale by
  EXPECT_EQ(none, (std::vector<float>{0.0f, -2.0f}));
}

TEST(SelfTest, PatternIsThreeXPlusFiveYModulo256) {
  const auto p = xr::self_test_pattern(224);
  ASSERT_EQ(p.size(), 224u * 224u);
  EXPECT_EQ(p[0], 0.0f);
  EXPECT_EQ(p[1], 3.0f);
  EXPECT_EQ(p[224], 5.0f);
  EXPECT_EQ(p[100 * 224 + 50], static_cast<float>((3 * 50 + 5 * 100) % 256));
  EXPECT_EQ(xr::self_test_size("pattern-v1"), xr::kInputSize);
  EXPECT_EQ(xr::self_test_size("pattern-256"), xr::kCanonicalSize);
  EXPECT_EQ(xr::self_test_size("pattern-v9"), 0);
}

TEST(SelfTest, ChecksProbabilityLogitsAndMean) {
  xr::SelfTest t;
  t.expected = 0.9;
  t.tolerance = 0.01;
  t.expected_logits = {-1.0, 2.0};
  EXPECT_EQ(xr::check_self_test(t, {0.905f}, {-1.01f, 2.02f}), "");
  EXPECT_EQ(xr::check_self_test(t, {0.8f}, {-1.0f, 2.0f}), "self-test failed: P = 0.8000, card expects 0.9000");
  EXPECT_EQ(xr::check_self_test(t, {0.9f}, {-1.0f, 2.5f}), "self-test failed: logit 1 = 2.5000, card expects 2.0000");
  EXPECT_NE(xr::check_self_test(t, {0.9f}, {-1.0f}), "");      // a missing logit fails
  EXPECT_NE(xr::check_self_test(t, {NAN}, {-1.0f, 2.0f}), "");  // NaN fails
  EXPECT_NE(xr::check_self_test(t, {}, {}), "");
  xr::SelfTest m;
  m.by_mean = true;
  m.expected = 0.25;
  EXPECT_EQ(xr::check_self_test(m, {0.0f, 0.5f}, {}), "");
  EXPECT_EQ(xr::check_self_test(m, {0.0f, 1.0f}, {}), "self-test failed: mean 0.5000, card expects 0.2500");
}

TEST(GateRules, LateralViewsAndMessages) {
  for (const char* v : {"LL", "RL", "LATERAL", "LAT"}) EXPECT_TRUE(xr::is_lateral_view(v)) << v;
  for (const char* v : {"", "PA", "AP", "lat"}) EXPECT_FALSE(xr::is_lateral_view(v)) << v;
  EXPECT_EQ(xr::lateral_message("LL"),
            "the DICOM file says this is a lateral view (View Position LL); the models read frontal chest X-rays only.");
  EXPECT_EQ(xr::gate_refusal_message(0.1234, 0.935564),
            "this does not look like a frontal chest X-ray (gate score 12.3%, threshold 93.6%). Lateral views, "
            "photographs, documents and screenshots are outside the models' scope.");
}

TEST(Verdict, InconclusiveZoneIsHalfOpen) {
  EXPECT_TRUE(xr::in_inconclusive_zone(0.2, 0.2, 0.8));
  EXPECT_TRUE(xr::in_inconclusive_zone(0.79, 0.2, 0.8));
  EXPECT_FALSE(xr::in_inconclusive_zone(0.8, 0.2, 0.8));
  EXPECT_FALSE(xr::in_inconclusive_zone(0.19, 0.2, 0.8));
  EXPECT_FALSE(xr::in_inconclusive_zone(0.5, 0.5, 0.5));  // a card without a zone
}

}  // namespace
