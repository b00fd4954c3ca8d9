#pragma once
// The strategy's `context` table as kept between calls and across restarts:
// scalar values only, split by type as the seed's snapshot shows them.
#include <cstdint>
#include <map>
#include <string>

#include <msgpack.hpp>

namespace stratd {

struct Context {
  // Bounds keep a snapshot inside its shared-memory slot whatever a
  // strategy stores.
  static constexpr size_t kMaxEntries = 128;
  static constexpr size_t kMaxKeyBytes = 64;
  static constexpr size_t kMaxStringBytes = 256;

  std::map<std::string, double> numbers;
  std::map<std::string, int64_t> integers;
  std::map<std::string, std::string> strings;
  std::map<std::string, bool> booleans;

  size_t size() const { return numbers.size() + integers.size() + strings.size() + booleans.size(); }
  void clear() {
    numbers.clear();
    integers.clear();
    strings.clear();
    booleans.clear();
  }
  bool operator==(const Context&) const = default;

  MSGPACK_DEFINE(numbers, integers, strings, booleans)
};

}  // namespace stratd
