#pragma once
// What of a runner survives stratd, both ways: its newest snapshot (with
// the positions in it) going to the store, and the stored runners coming
// back at start-up, from their segments if those survived (stratd was
// killed) or from the store (the machine rebooted), each with what it is
// to do next.
#include <memory>
#include <string>
#include <vector>

#include "common/settings.hpp"
#include "supervisor/runners/build_runner.hpp"
#include "supervisor/runners/runner.hpp"
#include "supervisor/store.hpp"
#include "supervisor/strategy_catalog.hpp"

namespace stratd::supervisor {

// Writes the runner's newest snapshot and positions to the store, if its
// worker committed anything since the last time.
void save_new_snapshot(Runner& r, Store& store);

struct RestoredRunner {
  std::unique_ptr<Runner> runner;
  enum class Next { Start, StayStopped, StayFailed, CannotStart } next;
  std::string reason;  // why it stays Failed, cannot start, or has no strategy file
};

// Every runner the store knows and can be rebuilt. Invalid rows are
// logged and skipped.
std::vector<RestoredRunner> restore_runners(const std::vector<StoredRunner>& stored, const StrategyCatalog& catalog,
                                            const RunnerSettings& settings, const RunnerDeps& deps);

}  // namespace stratd::supervisor
