#include "supervisor/events/event_filter.hpp"

namespace stratd::supervisor {

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

std::vector<EventType> EventFilter::event_types() const {
  std::vector<EventType> out;
  for (size_t i = 0; i < types_.size(); ++i) {
    if (types_.test(i)) out.push_back(EventType(i));
  }
  return out;
}

bool EventFilter::unsubscribe(const Selection& s) {
  if (!s.runners && !s.event_types && !s.symbols) {
    types_.reset();
    return true;
  }
  auto too_many = [](const std::optional<std::vector<std::string>>& names, const std::optional<std::set<std::string>>& chosen,
                     const std::set<std::string>& excluded) {
    return names && !chosen && excluded.size() + names->size() > kMaxExcluded;
  };
  if (too_many(s.runners, runners_, excluded_runners_) || too_many(s.symbols, symbols_, excluded_symbols_)) return false;
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
  return true;
}

}  // namespace stratd::supervisor
