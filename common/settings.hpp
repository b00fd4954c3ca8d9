#pragma once
// The sections of stratd's configuration, each the settings type of the
// component it configures: the HTTP server takes HttpSettings, the Lua
// sandbox LuaLimits, and so on. Defaults, bounds, names and help live in
// one row per setting (common/config_table.cpp); nothing here repeats them,
// so a default-constructed section is all zeros: take a configured one
// (`default_config().lua`), never `LuaLimits{}`.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace stratd {

// [server]
struct HttpSettings {
  std::string host;
  uint16_t port;
  uint64_t body_limit_bytes;
  uint64_t header_limit_bytes;
  uint64_t max_url_bytes;
  int64_t header_timeout_ms;   // a request's head, from its first byte
  int64_t body_timeout_ms;     // its body, from the end of its head
  int64_t idle_timeout_ms;     // a kept-alive connection's wait for the next request
  int64_t request_timeout_ms;  // the client's time to read an answer (the write deadline)
  uint64_t max_connections;
  uint64_t max_connections_per_ip;
  std::vector<std::string> allowed_hosts;  // Host headers answered besides the local names
  std::vector<std::string> cors_origins;  // [cors] allowed_origins
  int64_t cors_max_age_secs;              // [cors] max_age
  bool insecure;                          // a non-loopback address without API keys
};

// One API key of [[auth.keys]]: its name (in logs and the audit), its
// role, and an Argon2id hash of it (never the key itself).
struct ApiKeyEntry {
  std::string name;
  std::string role;  // viewer, operator or admin
  std::string hash;  // crypto_pwhash_str's encoding
  bool operator==(const ApiKeyEntry&) const = default;
};

// [auth]
struct AuthSettings {
  std::vector<ApiKeyEntry> keys;  // none: no key is asked for
  std::string health;             // public, or key
  std::string metrics;            // public, or key (viewer)
  uint64_t cache_entries;         // verified keys remembered, so Argon2 runs once per key
};

// [audit]
struct AuditSettings {
  int64_t retention_days;
  uint64_t max_entries;
};

// [limits]: per client (its key's name, else its address) token buckets.
struct LimitSettings {
  double requests_per_sec;      // 0: no limit
  double request_burst;
  double mutations_per_sec;     // POST, PUT, PATCH, DELETE
  double mutation_burst;
  double auth_failures_per_min;  // per address: failed keys
  double auth_failure_burst;
  uint64_t max_tracked_clients;  // buckets kept; the fullest are forgotten first
  std::vector<std::string> exempt;  // addresses whose requests are not rate limited
};

// [tls]: both empty, plain HTTP; both set, HTTPS and WSS only.
struct TlsSettings {
  std::string cert;  // PEM: the certificate, then its chain
  std::string key;   // PEM: its private key
  bool enabled() const { return !cert.empty(); }
};

// [feed]
struct FeedSettings {
  std::string source;
  int64_t sim_interval_ms;
  uint64_t sim_seed;
};

// When to bring a crashed process back (runners and the feed alike).
struct RestartPolicySettings {
  int64_t backoff_initial_ms;
  int64_t backoff_max_ms;
  int64_t crash_limit;  // more than this many crashes in the window: give up
  int64_t crash_window_secs;
};

// [runners]: the restart policy and what each runner's worker runs under.
struct RunnerSettings : RestartPolicySettings {
  int64_t hang_timeout_ms;
  int64_t stop_grace_ms;
  int64_t default_window_size;
  int64_t max_window_size;
  int64_t max_runners;
  uint64_t worker_address_space_bytes;
  uint64_t worker_open_files;
  int64_t worker_nice;
  uint64_t max_consecutive_strategy_errors;  // 0: keep running whatever the strategy does
  std::string worker_user;     // who workers and the feed run as under a root stratd
  std::string worker_seccomp;  // kill, log or off (ipc/seccomp_mode.hpp)
};

// [lua]: per strategy.
struct LuaLimits {
  uint64_t instruction_budget;  // per call
  uint64_t memory_limit_bytes;  // the whole Lua state
};

// [broker]: the paper broker's fills.
struct BrokerSettings {
  double fee_bps;
  double slippage_bps;
};

// [events]
struct EventsSettings {
  uint64_t journal_capacity;
  uint64_t journal_max_bytes;
  uint64_t store_retention;
};

// [websocket]
struct WsSettings {
  uint64_t queue_limit;
  uint64_t max_batch_events;
  uint64_t max_control_pending;
  uint64_t max_message_bytes;
  uint64_t max_clients;
  int64_t send_buffer_bytes;
  int64_t idle_timeout_ms;
  int64_t initial_hold_ms;
  double client_messages_per_sec;  // what one client may send, on average
  uint64_t client_messages_burst;  // and at once
  uint64_t max_log_follows;        // live log tails one client may hold
};

// [log]
struct LogSettings {
  std::string level;
  std::string format;  // text or json
  uint64_t max_file_bytes;
};

// [paths]
struct PathSettings {
  std::string state_dir;       // empty: $STATE_DIRECTORY (systemd) or ./stratd-state
  std::string runtime_dir;     // empty: $RUNTIME_DIRECTORY (systemd) or <state_dir>/run
  std::string logs_dir;        // empty: $LOGS_DIRECTORY (systemd) or <state_dir>/logs
  std::string strategies_dir;  // empty: ./strategies, else the shipped ones beside the binary
};

}  // namespace stratd
