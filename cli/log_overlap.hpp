#pragma once
// `logs -f` subscribes to new lines first and reads the page of old ones
// second, so no line falls between the two; lines written in between
// arrive twice, as the page's last lines and as the first live ones. This
// drops those: live lines are matched against the page until one does not
// match. A live line is a repeat only if its time stamp and text equal a
// page line's (the first, stamped, fixes where in the page the repeats
// begin; unstamped ones must then follow in order). Pure, unit-tested.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stratd::cli {

struct LogLine {
  std::string text;
  std::optional<int64_t> timestamp_ms;
  bool operator==(const LogLine&) const = default;
};

class LogOverlap {
 public:
  explicit LogOverlap(std::vector<LogLine> page) : page_(std::move(page)) {}
  // Whether this live line is one the page already showed.
  bool repeat(const LogLine& live);

 private:
  std::vector<LogLine> page_;
  std::optional<size_t> next_;  // the page line the next repeat must equal
  bool done_ = false;           // a line did not match: no more repeats
};

}  // namespace stratd::cli
