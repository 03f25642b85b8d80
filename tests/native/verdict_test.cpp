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

TEST(Verdict, ASiteThresholdReplacesTheCardsPointAndItsZone) {
  const xr::OperatingPoint card = xr::operating_point(0.19, 0.13, 0.53, std::nullopt);
  EXPECT_FALSE(card.site);
  EXPECT_EQ(card.threshold, 0.19);
  EXPECT_EQ(card.band_high, 0.53);
  const xr::OperatingPoint site = xr::operating_point(0.19, 0.13, 0.53, 0.41);
  EXPECT_TRUE(site.site);
  EXPECT_EQ(site.threshold, 0.41);
  EXPECT_FALSE(xr::in_inconclusive_zone(0.41, site.band_low, site.band_high));
  EXPECT_FALSE(xr::operating_point(0.19, 0.13, 0.53, 1.5).site);  // not a probability: the card's
  EXPECT_EQ(xr::site_threshold_note(0.4123, 212, "2026-12-07"), "site threshold 0.41, from 212 of your X-rays, 2026-12-07");
}

}  // namespace
