#pragma once
// What the REST handlers work with.
#include <cstdint>
#include <string>

#include "common/config.hpp"
#include "supervisor/event_hub.hpp"
#include "supervisor/feed_supervisor.hpp"
#include "supervisor/registry.hpp"
#include "supervisor/strategy_catalog.hpp"

namespace stratd::supervisor::http {

struct ApiContext {
  RunnerRegistry& registry;
  EventHub& hub;
  StrategyCatalog& catalog;
  FeedSupervisor& feed;
  const Config& config;
  int64_t started_ms;
  std::string instance;  // prefix of this stratd's shared-memory segment names
};

}  // namespace stratd::supervisor::http
