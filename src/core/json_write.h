// Small JSON writers for the figures the core reports (site_metrics.h, labelled_evaluation.h): numbers
// that read back exactly (%.17g), null for an absent value, strings escaped.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace xr::json {

std::string number(double v);
std::string number(const std::optional<double>& v);  // null when absent
std::string string(const std::string& s);
std::string strings(const std::vector<std::string>& items);  // ["a","b"]

}  // namespace xr::json
