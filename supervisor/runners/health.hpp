#pragma once
// Whether a runner's worker shows signs of life: heartbeats fresher than
// half the hang timeout (healthy), older (unresponsive: the watchdog kills
// it at the full timeout), or no worker at all (down).
#include <cstdint>
#include <string_view>

namespace stratd::supervisor {

enum class Health : uint8_t { Healthy, Unresponsive, Down };

inline std::string_view to_string(Health h) {
  switch (h) {
    case Health::Healthy: return "healthy";
    case Health::Unresponsive: return "unresponsive";
    case Health::Down: return "down";
  }
  return "down";
}

}  // namespace stratd::supervisor
