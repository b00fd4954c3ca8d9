#pragma once
// stratd's configuration: defaults, then the TOML file (--config), then
// STRATD_* environment variables, then command-line flags.
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace stratd {

struct ServerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 3000;
  size_t body_limit_bytes = 64 * 1024;
  int request_timeout_ms = 30'000;
  std::vector<std::string> cors_origins = {"*"};
};

struct FeedConfig {
  std::string source = "sim";
  int sim_interval_ms = 250;
  uint64_t sim_seed = 42;
};

struct RunnerPolicyConfig {
  int hang_timeout_ms = 5'000;
  int backoff_initial_ms = 100;
  int backoff_max_ms = 30'000;
  int crash_limit = 5;  // more than this many crashes in the window: Failed
  int crash_window_secs = 60;
  int stop_grace_ms = 5'000;
  int default_window_size = 200;
  int max_window_size = 10'000;
  int max_runners = 256;
  // Limits each worker process runs under (besides the Lua state's own cap).
  uint64_t worker_address_space_bytes = 1ull << 30;
  uint64_t worker_open_files = 64;
  // A worker's strategy thread runs this much nicer than stratd, so
  // strategies busy with their ticks never delay the API or event delivery
  // (0..19).
  int worker_nice = 5;
  // The error policy: a runner whose strategy raises this many errors in a
  // row (one per tick at most) is stopped and marked Failed. 0: keep running.
  uint64_t max_consecutive_strategy_errors = 0;
};

struct LuaConfig {
  uint64_t instruction_budget = 10'000'000;  // per strategy call
  uint64_t memory_limit_bytes = 64ull << 20;  // per Lua state
};

struct EventsConfig {
  size_t journal_capacity = 50'000;  // events kept in memory for replay (since=) and /api/events
  uint64_t journal_max_bytes = 64ull << 20;  // and at most this much of their JSON
  uint64_t store_retention = 100'000;  // non-tick events kept in the store
};

struct WebSocketConfig {
  size_t queue_limit = 4096;      // events a client may trail before ticks are shed
  int idle_timeout_ms = 60'000;   // pinged at half, closed when silent this long
  int initial_hold_ms = 250;      // a new client's first message may choose before everything streams
  size_t max_clients = 10'000;
  // Kernel send buffer per client: bounds what a stalled client holds
  // there, and makes it show as backpressure here.
  int send_buffer_bytes = 128 * 1024;
  // Threads writing to clients (the event hub's included): a burst of
  // events reaches many clients on several cores at once.
  size_t threads = 2;
};

struct BrokerConfig {
  double fee_bps = 10.0;  // per fill, on notional
  double slippage_bps = 0.0;
};

struct Config {
  ServerConfig server;
  FeedConfig feed;
  RunnerPolicyConfig runners;
  LuaConfig lua;
  BrokerConfig broker;
  EventsConfig events;
  WebSocketConfig websocket;
  std::string state_dir;       // empty: $STATE_DIRECTORY (systemd) or ./stratd-state
  std::string strategies_dir;  // empty: ./strategies, else the source tree's
  std::string log_level = "info";
  // A worker's or the feed's log is cut to its previous file past this size.
  uint64_t log_max_file_bytes = 16ull << 20;
  std::string config_file;
};

// What the command line asked for besides running.
enum class CliAction { Run, Help, Version };

struct LoadedConfig {
  Config config;
  CliAction action = CliAction::Run;
};

// Builds the configuration from argv, the environment and the file it names.
Expected<LoadedConfig> load_config(int argc, const char* const* argv);
std::string usage_text();

// Fills empty paths with their defaults and makes them absolute.
Status resolve_paths(Config& cfg, const std::string& fallback_strategies_dir);

}  // namespace stratd
