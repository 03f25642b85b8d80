#include "verdict.h"

#include <gtest/gtest.h>

namespace {

TEST(Verdict, ThresholdIsInclusive) {
  EXPECT_EQ(xr::verdict_for(0.42, 0.42), xr::Verdict::Positive);
  EXPECT_EQ(xr::verdict_for(0.4199, 0.42), xr::Verdict::Negative);
  EXPECT_STREQ(xr::verdict_word(xr::Verdict::Positive), "POSITIVE");
  EXPECT_STREQ(xr::verdict_word(xr::Verdict::Negative), "NEGATIVE");
}

TEST(Verdict, Percentages) {
  EXPECT_EQ(xr::whole_percent(0.874), 87);
  EXPECT_EQ(xr::whole_percent(0.875), 88);
  EXPECT_EQ(xr::whole_percent(1.2), 100);
  EXPECT_EQ(xr::whole_percent(-0.1), 0);
  EXPECT_EQ(xr::percent_one_decimal(0.8734), "87.3%");
}

TEST(Verdict, LabelledCopyNameFollowsTheOriginalApp) {
  EXPECT_EQ(xr::labelled_copy_name(xr::Verdict::Positive, 0.874, "covid-1.jpeg"), "POSITIVE_Prob_87_Name_covid-1.png");
  EXPECT_EQ(xr::labelled_copy_name(xr::Verdict::Negative, 0.03, "dir/sub\\IM 0001.png"),
            "NEGATIVE_Prob_3_Name_IM_0001.png");
  EXPECT_EQ(xr::labelled_copy_name(xr::Verdict::Negative, 0.0, ".png"), "NEGATIVE_Prob_0_Name_image.png");
  EXPECT_EQ(xr::labelled_copy_name(xr::Verdict::Negative, 0.0, ""), "NEGATIVE_Prob_0_Name_image.png");
}

TEST(Verdict, TheBarPutsTheThresholdInTheMiddle) {
  EXPECT_DOUBLE_EQ(xr::bar_position(0.2, 0.2), 0.5);
  EXPECT_DOUBLE_EQ(xr::bar_position(0.0, 0.2), 0.0);
  EXPECT_DOUBLE_EQ(xr::bar_position(1.0, 0.2), 1.0);
  EXPECT_DOUBLE_EQ(xr::bar_position(0.1, 0.2), 0.25);
  EXPECT_DOUBLE_EQ(xr::bar_position(0.6, 0.2), 0.75);
  EXPECT_DOUBLE_EQ(xr::bar_position(1.5, 0.2), 1.0);     // clamped
  EXPECT_DOUBLE_EQ(xr::bar_position(0.3, 0.0), 0.3);     // no usable threshold: linear
}

}  // namespace
