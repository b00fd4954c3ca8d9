#include "common/event.hpp"

#include <array>

namespace stratd {
namespace {
constexpr std::array<std::string_view, size_t(EventType::kCount)> kNames = {
    "TickReceived",  "StateTransition", "PositionOpened",  "PositionClosed",
    "PositionUpdated", "StrategyError", "RunnerStarted",   "RunnerStopped",
    "RunnerCrashed", "RunnerRestarted", "RunnerFailed",    "HealthChanged",
};
}  // namespace

std::string_view to_string(EventType t) {
  const auto i = size_t(t);
  return i < kNames.size() ? kNames[i] : "Unknown";
}

std::optional<EventType> event_type_from_string(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return EventType(i);
  }
  return std::nullopt;
}

bool is_supervisor_event(EventType t) {
  switch (t) {
    case EventType::RunnerStarted:
    case EventType::RunnerStopped:
    case EventType::RunnerCrashed:
    case EventType::RunnerRestarted:
    case EventType::RunnerFailed:
    case EventType::HealthChanged: return true;
    default: return false;
  }
}

const Scalar* Event::find(std::string_view key) const {
  for (const auto& f : data) {
    if (f.key == key) return &f.value;
  }
  return nullptr;
}

}  // namespace stratd
