#pragma once
// The strategies directory: resolves a client's strategy_path inside it
// (never outside, symlinks included) and compile-checks the file without
// running any of it in the supervisor.
#include <string>
#include <vector>

#include "common/result.hpp"

namespace stratd::supervisor {

struct ResolvedStrategy {
  std::string relative;  // as the client named it, normalised
  std::string absolute;  // canonical path inside the directory
};

struct StrategyInfo {
  std::string path;  // relative to the strategies directory
  uint64_t size_bytes = 0;
};

class StrategyCatalog {
 public:
  explicit StrategyCatalog(std::string dir) : dir_(std::move(dir)) {}

  // Errors: INVALID_STRATEGY_PATH (outside, absolute, not a file name),
  // STRATEGY_NOT_FOUND, STRATEGY_INVALID (does not compile, too large).
  Expected<ResolvedStrategy> resolve(const std::string& relative) const;
  Status compile(const ResolvedStrategy& s) const;
  // Every .lua file under the directory.
  std::vector<StrategyInfo> list() const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;  // canonical
};

}  // namespace stratd::supervisor
