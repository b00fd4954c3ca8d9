#pragma once
// What a client asked for in POST /api/runners, as stored and restored.
#include <cstdint>
#include <string>

namespace stratd::supervisor {

struct RunnerSpec {
  std::string runner_id;
  std::string symbol;
  std::string strategy_path;  // relative to the strategies directory
  uint32_t window_size = 0;
};

}  // namespace stratd::supervisor
