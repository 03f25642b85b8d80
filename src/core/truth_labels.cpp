#include "truth_labels.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace xr {
namespace {

std::string lower_trimmed(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  std::string out = s.substr(a, b - a);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string normal_path(std::string p) {
  std::replace(p.begin(), p.end(), '\\', '/');
  while (p.rfind("./", 0) == 0) p.erase(0, 2);
  while (!p.empty() && p[0] == '/') p.erase(0, 1);
  return p;
}

bool ends_with(const std::string& s, const char* suffix) {
  const size_t n = std::char_traits<char>::length(suffix);
  return s.size() > n && s.compare(s.size() - n, n, suffix) == 0;
}

std::string base_name(const std::string& p) {
  const auto slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string dir_name(const std::string& p) {
  const auto slash = p.find_last_of('/');
  return slash == std::string::npos ? std::string() : p.substr(0, slash);
}

// RFC 4180 records: quoted fields may hold the delimiter, quotes ("") and line breaks.
std::vector<std::vector<std::string>> parse_table(const std::string& text, char delim) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  size_t i = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  const auto end_row = [&] {
    row.push_back(field);
    field.clear();
    if (any) rows.push_back(row);
    row.clear();
    any = false;
  };
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = any = true;
    } else if (c == delim) {
      row.push_back(field);
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_row();
    } else {
      field += c;
      if (!std::isspace(static_cast<unsigned char>(c))) any = true;
    }
  }
  end_row();
  return rows;
}

int find_column(const std::vector<std::string>& header, const std::vector<const char*>& names) {
  for (const char* name : names)
    for (size_t i = 0; i < header.size(); ++i)
      if (lower_trimmed(header[i]) == name) return static_cast<int>(i);
  return -1;
}

std::string first_few(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < 3; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > 3) out += ", ...";
  return out;
}

struct Claim {
  Truth truth = Truth::kNone;
  std::string source;  // "folder" or the table's path
};

}  // namespace

const char* truth_word(Truth t) {
  switch (t) {
    case Truth::kCovid: return "covid";
    case Truth::kNormal: return "normal";
    case Truth::kPneumonia: return "pneumonia";
    case Truth::kNone: break;
  }
  return "";
}

Truth truth_from_word(const std::string& word) {
  const std::string w = lower_trimmed(word);
  if (w == "covid" || w == "covid-19" || w == "covid19") return Truth::kCovid;
  if (w == "normal") return Truth::kNormal;
  if (w == "pneumonia") return Truth::kPneumonia;
  return Truth::kNone;
}

Truth truth_from_folders(const std::string& path, bool* conflict) {
  if (conflict) *conflict = false;
  const std::string dir = dir_name(normal_path(path));
  Truth found = Truth::kNone;
  size_t start = 0;
  while (start <= dir.size() && !dir.empty()) {
    const size_t slash = std::min(dir.find('/', start), dir.size());
    const Truth t = truth_from_word(dir.substr(start, slash - start));
    if (t != Truth::kNone && found != Truth::kNone && t != found) {
      if (conflict) *conflict = true;
      return Truth::kNone;
    }
    if (t != Truth::kNone) found = t;
    start = slash + 1;
  }
  return found;
}

bool is_label_table(const std::string& path) {
  const std::string p = lower_trimmed(path);
  return ends_with(p, ".csv") || ends_with(p, ".tsv");
}

Labels read_labels(const std::vector<std::string>& paths, const std::vector<LabelTable>& tables) {
  Labels out;
  const size_t n = paths.size();
  std::vector<std::vector<Claim>> claims(n);
  std::vector<std::string> norm(n);
  std::map<std::string, size_t> by_path;
  std::map<std::string, std::vector<size_t>> by_name;
  std::vector<std::string> folder_conflicts;
  for (size_t i = 0; i < n; ++i) {
    norm[i] = normal_path(paths[i]);
    by_path[norm[i]] = i;
    by_name[base_name(norm[i])].push_back(i);
    if (is_label_table(norm[i])) continue;
    bool conflict = false;
    const Truth t = truth_from_folders(norm[i], &conflict);
    if (conflict) folder_conflicts.push_back(norm[i]);
    if (t != Truth::kNone) claims[i].push_back({t, "folder"});
  }
  if (!folder_conflicts.empty())
    out.problems.push_back(std::to_string(folder_conflicts.size()) +
                           " files lie under folders of two different labels and are left unlabelled: " + first_few(folder_conflicts));
  out.conflicts += static_cast<int>(folder_conflicts.size());

  for (const LabelTable& table : tables) {
    const std::string where = normal_path(table.path);
    const std::string text = table.text;
    const size_t eol = text.find_first_of("\r\n");
    const std::string first = text.substr(0, eol);
    const bool tsv = ends_with(lower_trimmed(where), ".tsv");
    const char delim = tsv || first.find('\t') != std::string::npos ? '\t'
                       : first.find(';') != std::string::npos && first.find(',') == std::string::npos ? ';' : ',';
    const auto rows = parse_table(text, delim);
    const int file_col = rows.empty() ? -1 : find_column(rows[0], {"file", "filename", "file_name", "file name", "path", "filepath", "image", "image_name", "image index"});
    const int label_col = rows.empty() ? -1 : find_column(rows[0], {"label", "class", "diagnosis", "finding", "truth", "ground_truth"});
    if (file_col < 0 || label_col < 0) {
      out.problems.push_back(where + ": not read as labels: its first line names no " +
                             (file_col < 0 ? "file-name column (file, filename, path or image)" : "label column (label, class, diagnosis or finding)") + ".");
      continue;
    }
    const std::string base = dir_name(where);
    std::vector<std::string> unmatched, ambiguous, other_values;
    for (size_t r = 1; r < rows.size(); ++r) {
      const auto& row = rows[r];
      const std::string name = normal_path(static_cast<size_t>(file_col) < row.size() ? row[file_col] : "");
      const std::string value = static_cast<size_t>(label_col) < row.size() ? row[label_col] : "";
      if (name.empty()) continue;
      const Truth t = truth_from_word(value);
      if (t == Truth::kNone) {
        other_values.push_back(value.empty() ? "(empty)" : value);
        continue;
      }
      std::vector<size_t> hits;
      if (name.find('/') != std::string::npos) {
        const auto rel = by_path.find(base.empty() ? name : base + "/" + name);
        if (rel != by_path.end()) hits.push_back(rel->second);
        else
          for (size_t i = 0; i < n; ++i)
            if (norm[i] == name || ends_with(norm[i], ("/" + name).c_str()))
              hits.push_back(i);
      } else {
        const auto it = by_name.find(name);
        if (it != by_name.end()) hits = it->second;
      }
      if (hits.empty()) unmatched.push_back(name);
      else if (hits.size() > 1) ambiguous.push_back(name);
      else claims[hits[0]].push_back({t, where});
    }
    if (!unmatched.empty())
      out.problems.push_back(where + ": " + std::to_string(unmatched.size()) + " rows name no file of the selection (" + first_few(unmatched) + ").");
    if (!ambiguous.empty())
      out.problems.push_back(where + ": " + std::to_string(ambiguous.size()) +
                             " names belong to several files of the selection, so their labels are not used; give the path instead (" +
                             first_few(ambiguous) + ").");
    if (!other_values.empty())
      out.problems.push_back(where + ": " + std::to_string(other_values.size()) +
                             " rows have a label other than covid, normal or pneumonia and are left out (" + first_few(other_values) + ").");
  }

  out.truth.assign(n, Truth::kNone);
  std::vector<std::string> conflicting;
  for (size_t i = 0; i < n; ++i) {
    if (claims[i].empty()) continue;
    const Claim& a = claims[i][0];
    const auto differs = std::find_if(claims[i].begin(), claims[i].end(), [&](const Claim& c) { return c.truth != a.truth; });
    if (differs != claims[i].end()) {
      conflicting.push_back(norm[i] + " (" + a.source + ": " + truth_word(a.truth) + ", " + differs->source + ": " + truth_word(differs->truth) + ")");
      continue;
    }
    out.truth[i] = a.truth;
    (a.source == "folder" ? out.from_folders : out.from_tables) += 1;
  }
  if (!conflicting.empty())
    out.problems.push_back(std::to_string(conflicting.size()) + " files have conflicting labels and are left unlabelled: " + first_few(conflicting) + ".");
  out.conflicts += static_cast<int>(conflicting.size());
  return out;
}

}  // namespace xr
