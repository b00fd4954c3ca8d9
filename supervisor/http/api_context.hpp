#pragma once
// What the REST handlers work with.
#include <cstdint>
#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/config.hpp"
#include "supervisor/audit/audit_log.hpp"
#include "supervisor/events/event_hub.hpp"
#include "supervisor/events/event_journal.hpp"
#include "supervisor/feed_supervisor.hpp"
#include "supervisor/http/connection_limits.hpp"
#include "supervisor/http/rejections.hpp"
#include "supervisor/runners/runner_registry.hpp"
#include "supervisor/store.hpp"
#include "supervisor/strategy_catalog.hpp"
#include "supervisor/ws/ws_hub.hpp"

namespace stratd::supervisor::http {

struct ApiContext {
  boost::asio::io_context& http_io;  // the loop HTTP sessions run on
  RunnerRegistry& registry;
  EventHub& hub;
  const EventJournal& journal;  // on the hub's thread: read it there
  const ws::WsHub& websocket;
  StrategyCatalog& catalog;
  Store& store;
  FeedSupervisor& feed;
  const Config& config;
  int64_t started_ms;
  std::string instance;  // prefix of this stratd's shared-memory segment names
  Rejections& rejections;  // what was refused before a handler ran
  // Reloads the configuration as SIGHUP does (none: not offered).
  std::function<Expected<ReloadOutcome>()> reload = {};
  // For /metrics (none: their families are left out).
  const ConnectionLimits* connections = nullptr;  // the listener's open connections
  const audit::AuditLog* audit = nullptr;         // what the audit log lost
};

}  // namespace stratd::supervisor::http
