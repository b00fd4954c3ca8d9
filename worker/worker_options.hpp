#pragma once
// strat-worker's command line, as stratd builds it.
#include <cstdint>
#include <string>

#include "common/result.hpp"
#include "worker/lua_sandbox.hpp"
#include "worker/paper_broker.hpp"

namespace stratd::worker {

// Exit codes stratd tells apart.
inline constexpr int kExitUsage = 64;          // bad command line
inline constexpr int kExitStrategyInvalid = 78; // the strategy cannot run: retrying will not help
inline constexpr int kExitTooManyErrors = 79;   // the error policy stopped it: retrying will not help

struct WorkerOptions {
  std::string runner_id;
  std::string symbol;
  std::string strategy_path;
  std::string segment;
  std::string md_endpoint;
  std::string events_endpoint;
  uint32_t window = 200;
  LuaLimits lua;
  BrokerSettings broker;
  uint64_t max_consecutive_errors = 0;  // 0: keep running whatever the strategy does
  std::string log_level = "info";
  int credential_fd = -1;  // where stratd's credential for our events is to be read
  int nice = 0;            // how much below stratd the strategy's thread runs
};

Expected<WorkerOptions> parse_worker_options(int argc, const char* const* argv);

}  // namespace stratd::worker
