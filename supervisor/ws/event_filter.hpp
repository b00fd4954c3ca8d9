#pragma once
// What one client wants to see: runners, event types and symbols. An empty
// selection means everything; unsubscribing narrows it further.
#include <bitset>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "supervisor/event_journal.hpp"

namespace stratd::supervisor::ws {

struct Selection {
  std::optional<std::vector<std::string>> runners;
  std::optional<std::vector<EventType>> event_types;
  std::optional<std::vector<std::string>> symbols;
};

class EventFilter {
 public:
  bool matches(const JournalEvent& e) const {
    if (!types_.test(size_t(e.type))) return false;
    if (runners_ && !runners_->count(e.runner_id)) return false;
    if (excluded_runners_.count(e.runner_id)) return false;
    if (symbols_ && !symbols_->count(e.symbol)) return false;
    return !excluded_symbols_.count(e.symbol);
  }
  // Replaces the filter: what is given is the whole selection, what is
  // omitted means "all".
  void subscribe(const Selection& s);
  // Removes what is given; with nothing given, removes everything.
  void unsubscribe(const Selection& s);

 private:
  std::bitset<size_t(EventType::kCount)> types_ = std::bitset<size_t(EventType::kCount)>().set();
  std::optional<std::set<std::string>> runners_;
  std::optional<std::set<std::string>> symbols_;
  std::set<std::string> excluded_runners_;
  std::set<std::string> excluded_symbols_;
};

}  // namespace stratd::supervisor::ws
