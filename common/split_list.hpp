#pragma once
// "a,b,,c" -> {"a", "b", "c"}: a list as written in a flag, a variable or
// a query string. Empty items are dropped.
#include <string>
#include <string_view>
#include <vector>

namespace stratd {

inline std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    if (auto item = text.substr(0, comma); !item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace stratd
