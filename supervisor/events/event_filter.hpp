#pragma once
// What one client wants to see: runners, event types and symbols. An empty
// selection means everything; unsubscribing narrows it further.
#include <bitset>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "supervisor/events/event_journal.hpp"

namespace stratd::supervisor {

struct Selection {
  std::optional<std::vector<std::string>> runners;
  std::optional<std::vector<EventType>> event_types;
  std::optional<std::vector<std::string>> symbols;
};

class EventFilter {
 public:
  // Names excluded from "all" by unsubscribing, at most (per kind).
  static constexpr size_t kMaxExcluded = 4096;

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
  // Removes what is given; with nothing given, removes everything. False,
  // and nothing changed, if the exclusions would pass kMaxExcluded.
  bool unsubscribe(const Selection& s);

  // What is selected now: a list, or nullopt for all (minus the excluded).
  std::optional<std::vector<std::string>> runners() const { return list(runners_); }
  std::optional<std::vector<std::string>> symbols() const { return list(symbols_); }
  std::vector<EventType> event_types() const;
  const std::set<std::string>& excluded_runners() const { return excluded_runners_; }
  const std::set<std::string>& excluded_symbols() const { return excluded_symbols_; }

 private:
  static std::optional<std::vector<std::string>> list(const std::optional<std::set<std::string>>& s) {
    if (!s) return std::nullopt;
    return std::vector<std::string>(s->begin(), s->end());
  }
  std::bitset<size_t(EventType::kCount)> types_ = std::bitset<size_t(EventType::kCount)>().set();
  std::optional<std::set<std::string>> runners_;
  std::optional<std::set<std::string>> symbols_;
  std::set<std::string> excluded_runners_;
  std::set<std::string> excluded_symbols_;
};

}  // namespace stratd::supervisor
