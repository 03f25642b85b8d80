// Ground truth for a labelled batch, read from what the user chose: the folder layout (a folder named
// covid, normal or pneumonia, any case, anywhere in a file's path) and CSV/TSV tables in the selection
// (a file-name column and a label column). Conflicts are reported and the file is left unlabelled,
// never guessed. The page and tools/predict.mjs hand over paths and table text; the rules live here.
#pragma once
#include <string>
#include <vector>

namespace xr {

enum class Truth { kNone, kCovid, kNormal, kPneumonia };

const char* truth_word(Truth t);  // "", "covid", "normal", "pneumonia"

// covid, covid-19, covid19, normal, pneumonia in any case (surrounding spaces ignored); else kNone.
Truth truth_from_word(const std::string& word);

// The label the folders of `path` give (its file name is not read); kNone when none, or when two
// folders disagree (then `conflict` is set).
Truth truth_from_folders(const std::string& path, bool* conflict = nullptr);

// A label table by its name: .csv or .tsv, any case.
bool is_label_table(const std::string& path);

struct LabelTable {
  std::string path;  // where it lies in the selection (its folder anchors relative names)
  std::string text;  // its content, UTF-8
};

struct Labels {
  std::vector<Truth> truth;  // one per path given, in order
  int from_folders = 0;      // files labelled by their folder (tables agreeing counted here too)
  int from_tables = 0;       // files labelled by a table only
  int conflicts = 0;         // files left unlabelled because their labels disagree
  std::vector<std::string> problems;  // in words, for the page and the predictor
};

// Labels for every path of the selection. A table row names a file by its path relative to the table's
// folder, by a path suffix, or by its bare name (a bare name that several files share is reported).
Labels read_labels(const std::vector<std::string>& paths, const std::vector<LabelTable>& tables);

}  // namespace xr
