// Labels of a labelled batch: folder names, CSV/TSV tables, conflicts (truth_labels.h), and which rows a
// model's figures count (labelled_evaluation.h).
#include <gtest/gtest.h>

#include "labelled_evaluation.h"
#include "truth_labels.h"

namespace {

using xr::Truth;

TEST(TruthLabels, FolderNamesInAnyCase) {
  EXPECT_EQ(xr::truth_from_folders("set/COVID/a.png"), Truth::kCovid);
  EXPECT_EQ(xr::truth_from_folders("Normal/sub/a.png"), Truth::kNormal);
  EXPECT_EQ(xr::truth_from_folders("x\\pneumonia\\a.png"), Truth::kPneumonia);
  EXPECT_EQ(xr::truth_from_folders("covid-19/a.png"), Truth::kCovid);
  EXPECT_EQ(xr::truth_from_folders("covid.png"), Truth::kNone);  // the file name is not a label
  EXPECT_EQ(xr::truth_from_folders("covid_cases/a.png"), Truth::kNone);
  bool conflict = false;
  EXPECT_EQ(xr::truth_from_folders("covid/normal/a.png", &conflict), Truth::kNone);
  EXPECT_TRUE(conflict);
  EXPECT_EQ(xr::truth_from_folders("covid/x/covid/a.png", &conflict), Truth::kCovid);
  EXPECT_FALSE(conflict);
}

TEST(TruthLabels, CsvByRelativePathSuffixAndName) {
  const std::vector<std::string> paths = {"study/labels.csv", "study/img/a.png", "study/img/b.png", "study/c.dcm", "study/d.png"};
  const std::string csv = "\xEF\xBB\xBFImage,Diagnosis\r\nimg/a.png,COVID-19\r\n\"b.png\",normal\r\nstudy/c.dcm,Pneumonia\r\nd.png,lateral\r\n";
  const xr::Labels l = xr::read_labels(paths, {{"study/labels.csv", csv}});
  EXPECT_EQ(l.truth, (std::vector<Truth>{Truth::kNone, Truth::kCovid, Truth::kNormal, Truth::kPneumonia, Truth::kNone}));
  EXPECT_EQ(l.from_tables, 3);
  ASSERT_EQ(l.problems.size(), 1u);
  EXPECT_NE(l.problems[0].find("other than covid, normal or pneumonia"), std::string::npos);
  EXPECT_NE(l.problems[0].find("lateral"), std::string::npos);
}

TEST(TruthLabels, TsvSemicolonAndQuotes) {
  const std::vector<std::string> paths = {"a b.png", "c,d.png"};
  const auto tsv = xr::read_labels(paths, {{"t.tsv", "file\tlabel\na b.png\tnormal\n"}});
  EXPECT_EQ(tsv.truth[0], Truth::kNormal);
  const auto semi = xr::read_labels(paths, {{"t.csv", "filename;class\n\"c,d.png\";covid\n"}});
  EXPECT_EQ(semi.truth[1], Truth::kCovid);
  const auto quoted = xr::read_labels(paths, {{"t.csv", "path,label\n\"c,d.png\",\"Normal\"\n"}});
  EXPECT_EQ(quoted.truth[1], Truth::kNormal);
}

TEST(TruthLabels, ConflictsAreReportedNotGuessed) {
  const std::vector<std::string> paths = {"covid/a.png", "covid/b.png", "x/a2.png"};
  const auto l = xr::read_labels(paths, {{"l.csv", "file,label\na.png,normal\nb.png,covid\na2.png,normal\n"},
                                         {"m.csv", "file,label\na2.png,pneumonia\n"}});
  EXPECT_EQ(l.truth[0], Truth::kNone);  // folder covid, table normal
  EXPECT_EQ(l.truth[1], Truth::kCovid);  // agreeing
  EXPECT_EQ(l.truth[2], Truth::kNone);  // two tables disagree
  EXPECT_EQ(l.conflicts, 2);
  ASSERT_EQ(l.problems.size(), 1u);
  EXPECT_NE(l.problems[0].find("covid/a.png (folder: covid, l.csv: normal)"), std::string::npos) << l.problems[0];
}

TEST(TruthLabels, AmbiguousNamesUnmatchedRowsAndBadHeaders) {
  const std::vector<std::string> paths = {"p1/a.png", "p2/a.png"};
  const auto l = xr::read_labels(paths, {{"l.csv", "file,label\na.png,covid\nzz.png,normal\np2/a.png,normal\n"}});
  EXPECT_EQ(l.truth[0], Truth::kNone);
  EXPECT_EQ(l.truth[1], Truth::kNormal);
  ASSERT_EQ(l.problems.size(), 2u);
  EXPECT_NE(l.problems[0].find("name no file"), std::string::npos);
  EXPECT_NE(l.problems[1].find("several files"), std::string::npos);
  const auto bad = xr::read_labels(paths, {{"notes.csv", "patient,age\n1,40\n"}, {"empty.csv", ""}});
  ASSERT_EQ(bad.problems.size(), 2u);
  EXPECT_NE(bad.problems[0].find("notes.csv: not read as labels"), std::string::npos);
}

TEST(LabelledEvaluation, CountsWhatEachModelUses) {
  const std::vector<std::string> paths = {"covid/1.png", "covid/2.png", "normal/3.png", "pneumonia/4.png", "normal/5.png", "x/6.png", "labels.csv"};
  std::vector<xr::BatchPrediction> preds = {{0.9, true}, {0.2, true}, {0.1, true}, {0.8, true}, {0.7, false}, {0.5, true}, {std::nullopt, true}};
  const auto m1 = xr::evaluate_labelled("covid-normal", paths, preds, {}, 0.5, 0.4, 0.6);
  EXPECT_EQ(m1.labelled, 5);
  EXPECT_EQ(m1.used, 3);
  EXPECT_EQ(m1.other_class, 1);
  EXPECT_EQ(m1.gate_refused, 1);
  EXPECT_EQ(m1.unlabelled, 1);
  EXPECT_EQ(m1.metrics.n_pos, 2);
  EXPECT_EQ(m1.metrics.n_neg, 1);
  EXPECT_FALSE(m1.site[1].allowed);
  const auto m2 = xr::evaluate_labelled("covid-pneumonia", paths, preds, {}, 0.5, 0.4, 0.6);
  EXPECT_EQ(m2.metrics.n_neg, 1);
  EXPECT_EQ(m2.other_class, 2);
  const std::string j = xr::evaluation_json(m1);
  for (const char* key : {"\"n_pos\":2", "\"auc\":", "\"auc_ci\":", "\"sensitivity\":", "\"specificity\":", "\"threshold\":0.5",
                          "\"site_threshold\":null", "\"label_problems\":[]"})
    EXPECT_NE(j.find(key), std::string::npos) << key << " in " << j;
}

}  // namespace
