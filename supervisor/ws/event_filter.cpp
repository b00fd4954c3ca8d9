#include "supervisor/ws/event_filter.hpp"

namespace stratd::supervisor::ws {

void EventFilter::subscribe(const Selection& s) {
  types_.reset();
  if (s.event_types) {
    for (auto t : *s.event_types) types_.set(size_t(t));
  } else {
    types_.set();
  }
  runners_.reset();
  if (s.runners) runners_.emplace(s.runners->begin(), s.runners->end());
  symbols_.reset();
  if (s.symbols) symbols_.emplace(s.symbols->begin(), s.symbols->end());
  excluded_runners_.clear();
  excluded_symbols_.clear();
}

void EventFilter::unsubscribe(const Selection& s) {
  if (!s.runners && !s.event_types && !s.symbols) {
    types_.reset();
    return;
  }
  if (s.event_types) {
    for (auto t : *s.event_types) types_.reset(size_t(t));
  }
  // Removing from an explicit list shrinks it; removing from "all" excludes.
  auto narrow = [](const std::vector<std::string>& names, std::optional<std::set<std::string>>& chosen,
                   std::set<std::string>& excluded) {
    for (const auto& n : names) {
      if (chosen) {
        chosen->erase(n);
      } else {
        excluded.insert(n);
      }
    }
  };
  if (s.runners) narrow(*s.runners, runners_, excluded_runners_);
  if (s.symbols) narrow(*s.symbols, symbols_, excluded_symbols_);
}

}  // namespace stratd::supervisor::ws
