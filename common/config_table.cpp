// The rows. To add a setting: add its field to its section in
// settings.hpp and one row here; loading, bounds, --help and the
// environment variable follow from the row.
#include "common/config_table.hpp"

#include "common/config.hpp"

namespace stratd {
namespace {

constexpr double KiB = 1024.0, MiB = KiB * 1024, GiB = MiB * 1024;
constexpr double kHour = 3'600'000;  // ms
constexpr double kU64 = 18446744073709551615.0;

// The field a row sets, as a function pointer to it.
#define AT(path) +[](Config& c) -> auto& { return c.path; }
constexpr Reload kRestart = Reload::Restart, kLive = Reload::Live;

const Setting kSettings[] = {
    // key, env, flag, min, max, default, help, field
    {"server.host", "STRATD_HOST", "--host", 0, 0, "127.0.0.1", "listen address", AT(server.host), kRestart},
    {"server.port", "STRATD_PORT", "--port", 0, 65535, "3000", "listen port; 0 picks a free one", AT(server.port), kRestart},
    {"server.body_limit_bytes", "STRATD_BODY_LIMIT_BYTES", "--body-limit-bytes", KiB, 64 * MiB, "65536",
     "largest request body accepted (413 beyond)", AT(server.body_limit_bytes), kLive},
    {"server.header_limit_bytes", "STRATD_HEADER_LIMIT_BYTES", "--header-limit-bytes", KiB, MiB, "8192",
     "largest request header accepted (431 beyond)", AT(server.header_limit_bytes), kLive},
    {"server.max_url_bytes", "STRATD_MAX_URL_BYTES", "--max-url-bytes", 256, MiB, "4096",
     "longest request target (path and query) accepted (414 beyond)", AT(server.max_url_bytes), kLive},
    {"server.header_timeout_ms", "STRATD_HEADER_TIMEOUT_MS", "--header-timeout-ms", 100, kHour, "10000",
     "time a client has to send a request's head, from its first byte (from the accept on a new connection); "
     "408 and closed beyond",
     AT(server.header_timeout_ms), kLive},
    {"server.body_timeout_ms", "STRATD_BODY_TIMEOUT_MS", "--body-timeout-ms", 100, kHour, "30000",
     "time a client has to send a request's body, from the end of its head; 408 and closed beyond",
     AT(server.body_timeout_ms), kLive},
    {"server.idle_timeout_ms", "STRATD_IDLE_TIMEOUT_MS", "--idle-timeout-ms", 100, kHour, "60000",
     "a kept-alive connection with no new request for this long is closed", AT(server.idle_timeout_ms), kLive},
    {"server.request_timeout_ms", "STRATD_REQUEST_TIMEOUT_MS", "--request-timeout-ms", 100, kHour, "30000",
     "time a client has to read an answer (the write deadline)", AT(server.request_timeout_ms), kLive},
    {"server.max_connections", "STRATD_MAX_CONNECTIONS", "--max-connections", 1, 1e7, "16384",
     "open connections at once, WebSocket ones included (503 beyond)", AT(server.max_connections), kLive},
    {"server.max_connections_per_ip", "STRATD_MAX_CONNECTIONS_PER_IP", "--max-connections-per-ip", 1, 1e7, "1024",
     "open connections from one client address (503 beyond)", AT(server.max_connections_per_ip), kLive},
    {"server.allowed_hosts", "STRATD_ALLOWED_HOSTS", "--allowed-hosts", 0, 0, "",
     "Host headers answered (comma-separated names, name:port, IPv6 in brackets; * for any) besides localhost, "
     "*.localhost, 127.0.0.1, [::1] and server.host, against DNS rebinding; none: only those while listening on "
     "loopback, any on another address (421 HOST_NOT_ALLOWED beyond)",
     AT(server.allowed_hosts), kLive},

    {"tls.cert", "STRATD_TLS_CERT", "--tls-cert", 0, 0, "",
     "PEM certificate (and chain) for HTTPS and WSS; empty: plain HTTP. Re-read on SIGHUP", AT(tls.cert), kLive},
    {"tls.key", "STRATD_TLS_KEY", "--tls-key", 0, 0, "", "PEM private key of tls.cert. Re-read on SIGHUP",
     AT(tls.key), kLive},

    {"server.insecure", "STRATD_INSECURE", "--insecure", 0, 0, "false",
     "allow a non-loopback host without [[auth.keys]]: anyone who reaches the port controls stratd",
     AT(server.insecure), kRestart},

    {"auth.keys", "STRATD_AUTH_KEYS", "--auth-keys", 0, 0, "",
     "API keys ([[auth.keys]] name, role, hash; as text name:role:hash ...); none: no key is asked for",
     AT(auth.keys), kLive},
    {"auth.health", "STRATD_AUTH_HEALTH", "--auth-health", 0, 0, "public",
     "GET /health: public, or key (any role)", AT(auth.health), kLive},
    {"auth.metrics", "STRATD_AUTH_METRICS", "--auth-metrics", 0, 0, "key",
     "GET /metrics: public, or key (any role)", AT(auth.metrics), kLive},
    {"auth.cache_entries", "STRATD_AUTH_CACHE_ENTRIES", "--auth-cache-entries", 1, 1e6, "1024",
     "verified keys remembered, so each is hashed (Argon2id) once", AT(auth.cache_entries), kRestart},

    {"limits.requests_per_sec", "STRATD_REQUESTS_PER_SEC", "--requests-per-sec", 0, 1e7, "200",
     "requests a client (its key, else its address) may make per second; 0: no limit (429 beyond)",
     AT(limits.requests_per_sec), kLive},
    {"limits.request_burst", "STRATD_REQUEST_BURST", "--request-burst", 1, 1e7, "400",
     "requests a client may make at once above that rate", AT(limits.request_burst), kLive},
    {"limits.mutations_per_sec", "STRATD_MUTATIONS_PER_SEC", "--mutations-per-sec", 0, 1e6, "10",
     "of those, requests that change things (POST, PUT, PATCH, DELETE); 0: no limit", AT(limits.mutations_per_sec),
     kLive},
    {"limits.mutation_burst", "STRATD_MUTATION_BURST", "--mutation-burst", 1, 1e6, "50",
     "changing requests a client may make at once", AT(limits.mutation_burst), kLive},
    {"limits.auth_failures_per_min", "STRATD_AUTH_FAILURES_PER_MIN", "--auth-failures-per-min", 0, 1e6, "10",
     "failed keys an address may present per minute before it is refused (429); 0: no limit",
     AT(limits.auth_failures_per_min), kLive},
    {"limits.auth_failure_burst", "STRATD_AUTH_FAILURE_BURST", "--auth-failure-burst", 1, 1e6, "20",
     "failed keys an address may present at once", AT(limits.auth_failure_burst), kLive},
    {"limits.max_tracked_clients", "STRATD_MAX_TRACKED_CLIENTS", "--max-tracked-clients", 16, 1e7, "65536",
     "clients whose buckets are kept; beyond, those that have been idle longest are forgotten",
     AT(limits.max_tracked_clients), kRestart},
    {"limits.exempt", "STRATD_LIMITS_EXEMPT", "--limits-exempt", 0, 0, "127.0.0.1,::1",
     "client addresses not limited by requests_per_sec and mutations_per_sec (failed keys always are)",
     AT(limits.exempt), kLive},

    {"audit.retention_days", "STRATD_AUDIT_RETENTION_DAYS", "--audit-retention-days", 1, 36'500, "90",
     "days the audit log keeps an entry", AT(audit.retention_days), kLive},
    {"audit.max_entries", "STRATD_AUDIT_MAX_ENTRIES", "--audit-max-entries", 1000, 1e9, "1000000",
     "entries the audit log keeps at most (the oldest go first)", AT(audit.max_entries), kLive},

    {"cors.allowed_origins", "STRATD_CORS_ORIGINS", "--cors-origins", 0, 0, "",
     "origins browsers may call the API and /ws from (comma-separated; * for any); none: the API's own, and "
     "loopback ones while listening on loopback",
     AT(server.cors_origins), kLive},
    {"cors.max_age", "STRATD_CORS_MAX_AGE", "--cors-max-age", 0, 86'400, "3600",
     "seconds a browser may cache a preflight's answer", AT(server.cors_max_age_secs), kLive},

    {"feed.source", "STRATD_FEED_SOURCE", "--feed-source", 0, 0, "sim", "market data source (sim)", AT(feed.source), kRestart},
    {"feed.sim_interval_ms", "STRATD_SIM_INTERVAL_MS", "--sim-interval-ms", 1, kHour, "250",
     "simulated feed: time between ticks", AT(feed.sim_interval_ms), kRestart},
    {"feed.sim_seed", "STRATD_SIM_SEED", "--sim-seed", 0, kU64, "42", "simulated feed: random seed", AT(feed.sim_seed), kRestart},

    {"runners.hang_timeout_ms", "STRATD_HANG_TIMEOUT_MS", "--hang-timeout-ms", 500, kHour, "5000",
     "heartbeat age that counts as hung: the worker is killed and restarted", AT(runners.hang_timeout_ms), kRestart},
    {"runners.backoff_initial_ms", "STRATD_BACKOFF_INITIAL_MS", "--backoff-initial-ms", 1, kHour, "100",
     "delay before the first restart after a crash; doubles per crash", AT(runners.backoff_initial_ms), kRestart},
    {"runners.backoff_max_ms", "STRATD_BACKOFF_MAX_MS", "--backoff-max-ms", 1, 24 * kHour, "30000",
     "longest delay between restarts", AT(runners.backoff_max_ms), kRestart},
    {"runners.crash_limit", "STRATD_CRASH_LIMIT", "--crash-limit", 0, 1e6, "5",
     "more crashes than this within the window: the runner is Failed", AT(runners.crash_limit), kRestart},
    {"runners.crash_window_secs", "STRATD_CRASH_WINDOW_SECS", "--crash-window-secs", 1, 86'400, "60",
     "the window crashes are counted in", AT(runners.crash_window_secs), kRestart},
    {"runners.stop_grace_ms", "STRATD_STOP_GRACE_MS", "--stop-grace-ms", 0, 600'000, "5000",
     "time a worker has after SIGTERM before SIGKILL", AT(runners.stop_grace_ms), kRestart},
    {"runners.default_window_size", "STRATD_DEFAULT_WINDOW_SIZE", "--default-window-size", 1, 1e6, "200",
     "bars a runner keeps when it does not say", AT(runners.default_window_size), kRestart},
    {"runners.max_window_size", "STRATD_MAX_WINDOW_SIZE", "--max-window-size", 1, 1e6, "10000",
     "most bars a runner may ask for", AT(runners.max_window_size), kRestart},
    {"runners.max_runners", "STRATD_MAX_RUNNERS", "--max-runners", 1, 100'000, "256", "most runners at once",
     AT(runners.max_runners), kLive},
    {"runners.worker_address_space_bytes", "STRATD_WORKER_ADDRESS_SPACE_BYTES", "--worker-address-space-bytes",
     256 * MiB, 16 * 1024 * GiB, "1073741824", "address space a worker may map (RLIMIT_AS)",
     AT(runners.worker_address_space_bytes), kRestart},
    {"runners.worker_open_files", "STRATD_WORKER_OPEN_FILES", "--worker-open-files", 32, 1 << 20, "64",
     "descriptors a worker may hold (RLIMIT_NOFILE)", AT(runners.worker_open_files), kRestart},
    {"runners.worker_nice", "STRATD_WORKER_NICE", "--worker-nice", 0, 19, "5",
     "how much nicer than stratd a worker's strategy thread runs", AT(runners.worker_nice), kRestart},
    {"runners.max_consecutive_strategy_errors", "STRATD_MAX_CONSECUTIVE_STRATEGY_ERRORS",
     "--max-consecutive-strategy-errors", 0, 1e9, "0",
     "strategy errors in a row that stop a runner (Failed); 0 keeps it running",
     AT(runners.max_consecutive_strategy_errors), kRestart},
    {"runners.worker_user", "STRATD_WORKER_USER", "--worker-user", 0, 0, "nobody",
     "user workers and the feed run as when stratd runs as root (never root; a stratd that is not root runs "
     "them as itself)",
     AT(runners.worker_user), kRestart},
    {"runners.worker_seccomp", "STRATD_WORKER_SECCOMP", "--worker-seccomp", 0, 0, "kill",
     "workers' and the feed's system call filter: kill (a forbidden call ends the process), log (let through "
     "and logged by the kernel) or off",
     AT(runners.worker_seccomp), kRestart},

    {"lua.instruction_budget", "STRATD_LUA_INSTRUCTION_BUDGET", "--lua-instruction-budget", 1000, 1e12,
     "10000000", "Lua instructions a strategy call may run", AT(lua.instruction_budget), kRestart},
    {"lua.memory_limit_bytes", "STRATD_LUA_MEMORY_LIMIT_BYTES", "--lua-memory-limit-bytes", MiB, 64 * GiB,
     "67108864", "memory a strategy's Lua state may hold", AT(lua.memory_limit_bytes), kRestart},

    {"broker.fee_bps", "STRATD_FEE_BPS", "--fee-bps", 0, 10'000, "10", "paper broker fee per fill, on notional",
     AT(broker.fee_bps), kRestart},
    {"broker.slippage_bps", "STRATD_SLIPPAGE_BPS", "--slippage-bps", 0, 10'000, "0",
     "paper broker slippage per fill", AT(broker.slippage_bps), kRestart},

    {"events.journal_capacity", "STRATD_JOURNAL_CAPACITY", "--journal-capacity", 100, 1e7, "50000",
     "events kept in memory for resuming clients and /api/events", AT(events.journal_capacity), kRestart},
    {"events.journal_max_bytes", "STRATD_JOURNAL_MAX_BYTES", "--journal-max-bytes", MiB, 64 * GiB, "67108864",
     "and at most this much of their JSON", AT(events.journal_max_bytes), kRestart},
    {"events.store_retention", "STRATD_STORE_RETENTION", "--store-retention", 0, 1e12, "100000",
     "non-tick events kept in the store", AT(events.store_retention), kRestart},

    {"websocket.queue_limit", "STRATD_WS_QUEUE_LIMIT", "--ws-queue-limit", 16, 1e7, "4096",
     "events a client may trail before its ticks are shed (1008 if the rest overflow)", AT(websocket.queue_limit), kRestart},
    {"websocket.max_batch_events", "STRATD_WS_MAX_BATCH_EVENTS", "--ws-max-batch-events", 1, 100'000, "2048",
     "events per batch message", AT(websocket.max_batch_events), kRestart},
    {"websocket.max_control_pending", "STRATD_WS_MAX_CONTROL_PENDING", "--ws-max-control-pending", 1, 100'000,
     "64", "replies a client may leave unread before it is closed", AT(websocket.max_control_pending), kRestart},
    {"websocket.max_message_bytes", "STRATD_WS_MAX_MESSAGE_BYTES", "--ws-max-message-bytes", KiB, 16 * MiB,
     "65536", "largest message a client may send", AT(websocket.max_message_bytes), kRestart},
    {"websocket.max_clients", "STRATD_WS_MAX_CLIENTS", "--ws-max-clients", 0, 1e6, "10000",
     "WebSocket clients at once (503 beyond)", AT(websocket.max_clients), kRestart},
    {"websocket.send_buffer_bytes", "STRATD_WS_SEND_BUFFER_BYTES", "--ws-send-buffer-bytes", 4 * KiB, 64 * MiB,
     "131072", "kernel send buffer per client", AT(websocket.send_buffer_bytes), kRestart},
    {"websocket.idle_timeout_ms", "STRATD_WS_IDLE_TIMEOUT_MS", "--ws-idle-timeout-ms", 1000, 24 * kHour, "60000",
     "a silent client is pinged at half this and closed at all of it", AT(websocket.idle_timeout_ms), kRestart},
    {"websocket.initial_hold_ms", "STRATD_WS_INITIAL_HOLD_MS", "--ws-initial-hold-ms", 0, 10'000, "250",
     "how long a new client's first message may choose before everything streams", AT(websocket.initial_hold_ms), kRestart},
    {"websocket.client_messages_per_sec", "STRATD_WS_CLIENT_MESSAGES_PER_SEC", "--ws-client-messages-per-sec", 0.1,
     1e6, "20", "messages a client may send per second on average (RATE_LIMITED beyond)",
     AT(websocket.client_messages_per_sec), kRestart},
    {"websocket.client_messages_burst", "STRATD_WS_CLIENT_MESSAGES_BURST", "--ws-client-messages-burst", 1, 1e6,
     "40", "messages a client may send at once; as many refused in a row close it (1008)",
     AT(websocket.client_messages_burst), kRestart},
    {"websocket.max_log_follows", "STRATD_WS_MAX_LOG_FOLLOWS", "--ws-max-log-follows", 0, 10'000, "16",
     "runners' logs one client may follow at once", AT(websocket.max_log_follows), kRestart},

    {"log.level", "STRATD_LOG_LEVEL", "--log-level", 0, 0, "info", "trace, debug, info, warn, error, critical or off",
     AT(log.level), kLive},
    {"log.format", "STRATD_LOG_FORMAT", "--log-format", 0, 0, "text",
     "stratd's own log lines: text, or json (one object per line)", AT(log.format), kRestart},
    {"log.max_file_bytes", "STRATD_LOG_MAX_FILE_BYTES", "--log-max-file-bytes", 64 * KiB, 1024 * GiB, "16777216",
     "a worker's or the feed's log moves to <log>.1 past this size", AT(log.max_file_bytes), kRestart},

    {"paths.state_dir", "STRATD_STATE_DIR", "--state-dir", 0, 0, "",
     "state directory (default $STATE_DIRECTORY, else ./stratd-state)", AT(paths.state_dir), kRestart},
    {"paths.runtime_dir", "STRATD_RUNTIME_DIR", "--runtime-dir", 0, 0, "",
     "ZeroMQ sockets (default $RUNTIME_DIRECTORY, else <state dir>/run)", AT(paths.runtime_dir), kRestart},
    {"paths.logs_dir", "STRATD_LOGS_DIR", "--logs-dir", 0, 0, "",
     "worker and feed logs (default $LOGS_DIRECTORY, else <state dir>/logs)", AT(paths.logs_dir), kRestart},
    {"paths.strategies_dir", "STRATD_STRATEGIES_DIR", "--strategies-dir", 0, 0, "",
     "strategies directory (default ./strategies, else the shipped ones: ../share/stratd/strategies from the "
     "binary)",
     AT(paths.strategies_dir), kRestart},
};

#undef AT

}  // namespace

// The seed plan's config.toml sections, as it writes them, and our
// earlier name of the CORS list.
const SettingAlias kAliases[] = {
    {"engine.max_runners", "runners.max_runners"},
    {"engine.data_source", "feed.source"},
    {"server.cors_origins", "cors.allowed_origins"},
};

std::span<const Setting> settings() { return kSettings; }
std::span<const SettingAlias> setting_aliases() { return kAliases; }

}  // namespace stratd
