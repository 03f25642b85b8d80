// The figures of a labelled batch (site_metrics.h) on vectors small enough to check by hand; the same
// code is checked against scikit-learn and SciPy on larger vectors by tests/python/test_site_metrics.py.
#include <gtest/gtest.h>

#include <cmath>

#include "site_metrics.h"

namespace {

std::vector<xr::Scored> cases(const std::vector<double>& pos, const std::vector<double>& neg) {
  std::vector<xr::Scored> out;
  for (double p : pos) out.push_back({p, true});
  for (double p : neg) out.push_back({p, false});
  return out;
}

TEST(SiteMetrics, DeLongByHand) {
  // v01 = {1, 1, 0.5}, v10 = {2/3, 1}: AUC 5/6, var = (1/12)/3 + (1/18)/2 = 1/18
  const auto e = xr::delong_auc(cases({0.8, 0.6, 0.4}, {0.5, 0.3}));
  ASSERT_TRUE(e.auc && e.se && e.ci);
  EXPECT_NEAR(*e.auc, 5.0 / 6.0, 1e-15);
  EXPECT_NEAR(*e.se, std::sqrt(1.0 / 18.0), 1e-15);
  EXPECT_NEAR(e.ci->low, 5.0 / 6.0 - xr::kZ95 * std::sqrt(1.0 / 18.0), 1e-15);
  EXPECT_EQ(e.ci->high, 1.0);  // clipped
}

TEST(SiteMetrics, TiesCountHalf) {
  // pairs: (0.5, 0.5) 0.5, the other three 1
  const auto e = xr::delong_auc(cases({0.5, 0.7}, {0.5, 0.3}));
  EXPECT_DOUBLE_EQ(*e.auc, 0.875);
  const auto all_tied = xr::delong_auc(cases({0.4, 0.4}, {0.4, 0.4, 0.4}));
  EXPECT_DOUBLE_EQ(*all_tied.auc, 0.5);
  EXPECT_DOUBLE_EQ(*all_tied.se, 0.0);
}

TEST(SiteMetrics, PerfectSeparationHasAZeroWidthInterval) {
  const auto e = xr::delong_auc(cases({0.9, 0.8}, {0.1, 0.2}));
  EXPECT_EQ(*e.auc, 1.0);
  EXPECT_EQ(e.ci->low, 1.0);
  EXPECT_EQ(e.ci->high, 1.0);
}

TEST(SiteMetrics, OneOfAClassGivesAnAucWithoutInterval) {
  const auto e = xr::delong_auc(cases({0.9}, {0.1, 0.95}));
  EXPECT_DOUBLE_EQ(*e.auc, 0.5);
  EXPECT_FALSE(e.se.has_value());
  EXPECT_FALSE(e.ci.has_value());
}

TEST(SiteMetrics, WilsonMatchesTheFormula) {
  const xr::Interval i = xr::wilson_interval(8, 10);
  EXPECT_NEAR(i.low, 0.49016, 1e-5);
  EXPECT_NEAR(i.high, 0.94332, 1e-5);
  EXPECT_EQ(xr::wilson_interval(0, 10).low, 0.0);
  EXPECT_EQ(xr::wilson_interval(10, 10).high, 1.0);
  EXPECT_NEAR(xr::wilson_interval(10, 10).low, 0.72246, 1e-5);
  const xr::Proportion none = xr::proportion(0, 0);
  EXPECT_FALSE(none.value.has_value());
  EXPECT_FALSE(none.ci.has_value());
}

TEST(SiteMetrics, ConfusionFollowsThePagesVerdict) {
  // p >= threshold is POSITIVE: 0.3 counts as positive at threshold 0.3
  const auto m = xr::site_metrics(cases({0.3, 0.9, 0.1}, {0.3, 0.05, 0.2, 0.6}), 0.3, 0.2, 0.4);
  EXPECT_EQ(m.confusion.tp, 2);
  EXPECT_EQ(m.confusion.fn, 1);
  EXPECT_EQ(m.confusion.fp, 2);
  EXPECT_EQ(m.confusion.tn, 2);
  EXPECT_DOUBLE_EQ(*m.sensitivity.value, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*m.specificity.value, 0.5);
  // [0.2, 0.4): 0.3, 0.3, 0.2
  EXPECT_EQ(m.inconclusive.k, 3);
  EXPECT_EQ(m.inconclusive.n, 7);
  // ROC: (0,0), then one point per distinct p, highest first, ending at (1,1)
  ASSERT_EQ(m.roc.size(), 7u);
  EXPECT_FALSE(m.roc[0].threshold.has_value());
  EXPECT_EQ(*m.roc[1].threshold, 0.9);
  EXPECT_DOUBLE_EQ(m.roc[1].tpr, 1.0 / 3.0);
  EXPECT_EQ(m.roc.back().fpr, 1.0);
  EXPECT_EQ(m.roc.back().tpr, 1.0);
}

TEST(SiteMetrics, EceAndReliabilityBins) {
  // all at 0.25, half positive: one bin (0.2-0.3), |0.25 - 0.5|; p = 1 falls in the last bin
  auto m = xr::site_metrics(cases({0.25, 0.25}, {0.25, 0.25}), 0.5, 0.5, 0.5);
  ASSERT_EQ(m.reliability.size(), 10u);
  EXPECT_EQ(m.reliability[2].n, 4);
  EXPECT_DOUBLE_EQ(*m.reliability[2].observed, 0.5);
  EXPECT_FALSE(m.reliability[0].mean_p.has_value());
  EXPECT_DOUBLE_EQ(*m.ece, 0.25);
  m = xr::site_metrics(cases({1.0}, {0.0}), 0.5, 0.5, 0.5);
  EXPECT_EQ(m.reliability[9].n, 1);
  EXPECT_EQ(m.reliability[0].n, 1);
  EXPECT_DOUBLE_EQ(*m.ece, 0.0);
}

TEST(SiteMetrics, SingleClassAndEmptyAreDefined) {
  const auto one = xr::site_metrics(cases({0.7, 0.2}, {}), 0.5, 0.4, 0.6);
  EXPECT_EQ(one.n_pos, 2);
  EXPECT_EQ(one.n_neg, 0);
  EXPECT_FALSE(one.auc.has_value());
  EXPECT_FALSE(one.specificity.value.has_value());
  EXPECT_DOUBLE_EQ(*one.sensitivity.value, 0.5);
  EXPECT_TRUE(one.roc.empty());
  EXPECT_FALSE(one.notes.empty());
  const auto none = xr::site_metrics({}, 0.5, 0.4, 0.6);
  EXPECT_FALSE(none.ece.has_value());
  EXPECT_FALSE(none.inconclusive.value.has_value());
  for (const auto& m : {one, none}) {
    const std::string j = xr::metrics_json(m);
    EXPECT_EQ(j.find("nan"), std::string::npos) << j;
    EXPECT_EQ(j.find("inf"), std::string::npos) << j;
  }
}

TEST(SiteThreshold, LargestThresholdReachingTheSensitivity) {
  std::vector<double> pos, neg;
  for (int i = 1; i <= 20; ++i) pos.push_back(0.05 * i), neg.push_back(0.01 * i);
  const auto t = xr::site_threshold(cases(pos, neg), 0.95);
  ASSERT_TRUE(t.allowed) << t.refused;
  EXPECT_EQ(t.threshold, 0.05 * 2);  // 19 of 20 at or above it
  EXPECT_EQ(t.sensitivity.k, 19);
  EXPECT_EQ(t.specificity.k, 9);  // 0.01 .. 0.09 below it; 0.1 itself is called positive
  EXPECT_TRUE(t.sensitivity.ci && t.specificity.ci);
  const auto all = xr::site_threshold(cases(pos, neg), 0.98);  // needs 20 of 20
  EXPECT_EQ(all.threshold, 0.05);
  EXPECT_EQ(all.sensitivity.k, 20);
}

TEST(SiteThreshold, TiedPositivesComeTogether) {
  std::vector<double> pos(20, 0.4), neg(20, 0.1);
  pos[0] = 0.9;
  const auto t = xr::site_threshold(cases(pos, neg), 0.90);
  EXPECT_EQ(t.threshold, 0.4);
  EXPECT_EQ(t.sensitivity.k, 20);
  EXPECT_EQ(t.specificity.k, 20);
}

TEST(SiteThreshold, RefusedBelowTwentyOfAClass) {
  const auto t = xr::site_threshold(cases(std::vector<double>(19, 0.8), std::vector<double>(40, 0.2)), 0.95);
  EXPECT_FALSE(t.allowed);
  EXPECT_NE(t.refused.find("at least 20"), std::string::npos);
  EXPECT_NE(t.refused.find("19 COVID-19"), std::string::npos);
  EXPECT_NE(xr::site_threshold_json(t).find("\"refused\""), std::string::npos);
  EXPECT_FALSE(xr::site_threshold(cases(std::vector<double>(30, 0.8), std::vector<double>(30, 0.2)), 1.5).allowed);
}

}  // namespace
