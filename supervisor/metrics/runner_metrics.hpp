#pragma once
// The runners' families, one sample per runner each (the runner id is the
// `runner` label, bounded by max_runners): what stratd knows of each
// (lifecycle, health, restarts by reason, its worker's CPU and memory as
// last sampled, the heartbeat's age, the events it sent that were
// rejected or never arrived) and what its worker last published in its
// snapshot (strategy state, ticks, strategy errors, trades, the position,
// PnL). Runs on the HTTP loop, where the registry lives.
#include "supervisor/events/event_hub.hpp"
#include "supervisor/metrics/exposition.hpp"
#include "supervisor/runners/runner_registry.hpp"

namespace stratd::supervisor::metrics {

void write_runner_metrics(Exposition& out, const RunnerRegistry& registry, const EventHub& hub);

}  // namespace stratd::supervisor::metrics
