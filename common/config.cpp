#include "common/config.hpp"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <utility>

#include <toml++/toml.h>

namespace stratd {
namespace fs = std::filesystem;

namespace {

template <class T>
Status parse_number(std::string_view text, T& out, std::string_view name) {
  T v{};
  const auto* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end) {
    return fail("CONFIG_INVALID", std::string(name) + ": not a number: '" + std::string(text) + "'");
  }
  out = v;
  return ok();
}

Status parse_port(std::string_view text, uint16_t& out, std::string_view name) {
  int v = 0;
  if (auto s = parse_number(text, v, name); !s) return s;
  if (v < 0 || v > 65535) return fail("CONFIG_INVALID", std::string(name) + ": port out of range");
  out = uint16_t(v);
  return ok();
}

// One setting reachable by flag and environment variable.
struct Setting {
  const char* flag;
  const char* env;
  Status (*apply)(Config&, std::string_view);
};

Status set_int(int& field, std::string_view v, std::string_view name, int min, int max) {
  int x = 0;
  if (auto s = parse_number(v, x, name); !s) return s;
  if (x < min || x > max) {
    return fail("CONFIG_INVALID", std::string(name) + " must be within [" + std::to_string(min) +
                                      ", " + std::to_string(max) + "]");
  }
  field = x;
  return ok();
}

const Setting kSettings[] = {
    {"--host", "STRATD_HOST", [](Config& c, std::string_view v) { c.server.host = v; return ok(); }},
    {"--port", "STRATD_PORT",
     [](Config& c, std::string_view v) { return parse_port(v, c.server.port, "port"); }},
    {"--state-dir", "STRATD_STATE_DIR",
     [](Config& c, std::string_view v) { c.state_dir = v; return ok(); }},
    {"--strategies-dir", "STRATD_STRATEGIES_DIR",
     [](Config& c, std::string_view v) { c.strategies_dir = v; return ok(); }},
    {"--sim-interval-ms", "STRATD_SIM_INTERVAL_MS",
     [](Config& c, std::string_view v) {
       return set_int(c.feed.sim_interval_ms, v, "sim-interval-ms", 1, 3'600'000);
     }},
    {"--log-level", "STRATD_LOG_LEVEL",
     [](Config& c, std::string_view v) { c.log_level = v; return ok(); }},
    {"--hang-timeout-ms", "STRATD_HANG_TIMEOUT_MS",
     [](Config& c, std::string_view v) {
       return set_int(c.runners.hang_timeout_ms, v, "hang-timeout-ms", 500, 3'600'000);
     }},
};

Status apply_toml(Config& c, const std::string& path) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return fail("CONFIG_INVALID", path + ": " + std::string(e.description()));
  }
  // The first value that is of the wrong type or does not fit its field.
  std::string invalid;
  auto str = [&](const char* sec, const char* key, std::string& out) {
    const auto node = t[sec][key];
    if (!node) return;
    if (auto v = node.value<std::string>()) {
      out = *v;
    } else if (invalid.empty()) {
      invalid = std::string(sec) + "." + key + " must be a string";
    }
  };
  auto num = [&](const char* sec, const char* key, auto& out) {
    using T = std::decay_t<decltype(out)>;
    const auto node = t[sec][key];
    if (!node) return;
    const std::string name = std::string(sec) + "." + key;
    if constexpr (std::is_floating_point_v<T>) {
      if (auto v = node.template value<double>()) {
        out = *v;
        return;
      }
    } else if (auto v = node.template value<int64_t>()) {
      if (std::in_range<T>(*v)) {
        out = T(*v);
        return;
      }
      if (invalid.empty()) invalid = name + " is out of range";
      return;
    }
    if (invalid.empty()) invalid = name + " must be a number";
  };
  str("server", "host", c.server.host);
  if (t["server"]["port"]) {
    auto v = t["server"]["port"].value<int64_t>();
    if (!v || *v < 0 || *v > 65535) return fail("CONFIG_INVALID", path + ": server.port must be a port number");
    c.server.port = uint16_t(*v);
  }
  num("server", "body_limit_bytes", c.server.body_limit_bytes);
  num("server", "request_timeout_ms", c.server.request_timeout_ms);
  if (t["server"]["cors_origins"]) {
    auto* arr = t["server"]["cors_origins"].as_array();
    if (!arr) return fail("CONFIG_INVALID", path + ": server.cors_origins must be an array of strings");
    c.server.cors_origins.clear();
    for (auto& e : *arr) {
      auto s = e.value<std::string>();
      if (!s) return fail("CONFIG_INVALID", path + ": server.cors_origins must be an array of strings");
      c.server.cors_origins.push_back(*s);
    }
  }
  str("paths", "state_dir", c.state_dir);
  str("paths", "strategies_dir", c.strategies_dir);
  str("feed", "source", c.feed.source);
  num("feed", "sim_interval_ms", c.feed.sim_interval_ms);
  num("feed", "sim_seed", c.feed.sim_seed);
  num("runners", "hang_timeout_ms", c.runners.hang_timeout_ms);
  num("runners", "backoff_initial_ms", c.runners.backoff_initial_ms);
  num("runners", "backoff_max_ms", c.runners.backoff_max_ms);
  num("runners", "crash_limit", c.runners.crash_limit);
  num("runners", "crash_window_secs", c.runners.crash_window_secs);
  num("runners", "stop_grace_ms", c.runners.stop_grace_ms);
  num("runners", "default_window_size", c.runners.default_window_size);
  num("runners", "max_window_size", c.runners.max_window_size);
  num("runners", "max_runners", c.runners.max_runners);
  num("runners", "worker_address_space_bytes", c.runners.worker_address_space_bytes);
  num("runners", "worker_open_files", c.runners.worker_open_files);
  num("runners", "worker_nice", c.runners.worker_nice);
  num("runners", "max_consecutive_strategy_errors", c.runners.max_consecutive_strategy_errors);
  num("lua", "instruction_budget", c.lua.instruction_budget);
  num("lua", "memory_limit_bytes", c.lua.memory_limit_bytes);
  num("broker", "fee_bps", c.broker.fee_bps);
  num("broker", "slippage_bps", c.broker.slippage_bps);
  num("events", "journal_capacity", c.events.journal_capacity);
  num("events", "journal_max_bytes", c.events.journal_max_bytes);
  num("events", "store_retention", c.events.store_retention);
  num("websocket", "queue_limit", c.websocket.queue_limit);
  num("websocket", "idle_timeout_ms", c.websocket.idle_timeout_ms);
  num("websocket", "initial_hold_ms", c.websocket.initial_hold_ms);
  num("websocket", "max_clients", c.websocket.max_clients);
  num("websocket", "send_buffer_bytes", c.websocket.send_buffer_bytes);
  num("websocket", "threads", c.websocket.threads);
  str("log", "level", c.log_level);
  num("log", "max_file_bytes", c.log_max_file_bytes);
  if (!invalid.empty()) return fail("CONFIG_INVALID", path + ": " + invalid);
  return ok();
}

Status check(const Config& c) {
  auto bad = [](std::string m) { return fail("CONFIG_INVALID", std::move(m)); };
  if (c.feed.source != "sim") return bad("feed.source: only 'sim' is available");
  if (c.feed.sim_interval_ms < 1) return bad("feed.sim_interval_ms must be >= 1");
  if (c.runners.backoff_initial_ms < 1 || c.runners.backoff_max_ms < c.runners.backoff_initial_ms)
    return bad("runners.backoff_*: need 1 <= initial <= max");
  if (c.runners.crash_limit < 0 || c.runners.crash_window_secs < 1)
    return bad("runners.crash_limit/crash_window_secs out of range");
  if (c.runners.hang_timeout_ms < 500) return bad("runners.hang_timeout_ms must be >= 500");
  if (c.runners.stop_grace_ms < 0 || c.runners.stop_grace_ms > 600'000)
    return bad("runners.stop_grace_ms must be within [0, 600000]");
  if (c.runners.max_runners < 1 || c.runners.max_runners > 100'000)
    return bad("runners.max_runners must be within [1, 100000]");
  if (c.runners.max_window_size < 1 || c.runners.max_window_size > 1'000'000)
    return bad("runners.max_window_size must be within [1, 1000000]");
  if (c.server.request_timeout_ms < 100) return bad("server.request_timeout_ms must be >= 100");
  if (c.log_max_file_bytes < (64u << 10)) return bad("log.max_file_bytes must be >= 65536");
  if (c.runners.default_window_size < 1 ||
      c.runners.default_window_size > c.runners.max_window_size)
    return bad("runners.default_window_size must be within [1, max_window_size]");
  if (c.lua.instruction_budget < 1000) return bad("lua.instruction_budget must be >= 1000");
  if (c.runners.worker_address_space_bytes < c.lua.memory_limit_bytes + (256ull << 20))
    return bad("runners.worker_address_space_bytes must exceed lua.memory_limit_bytes by 256 MiB");
  if (c.runners.worker_open_files < 32) return bad("runners.worker_open_files must be >= 32");
  if (c.runners.worker_nice < 0 || c.runners.worker_nice > 19) return bad("runners.worker_nice must be within [0, 19]");
  if (c.lua.memory_limit_bytes < (1u << 20)) return bad("lua.memory_limit_bytes must be >= 1 MiB");
  if (c.broker.fee_bps < 0 || c.broker.slippage_bps < 0) return bad("broker: fees must be >= 0");
  if (c.server.body_limit_bytes < 1024) return bad("server.body_limit_bytes must be >= 1024");
  if (c.events.journal_capacity < 100 || c.events.journal_capacity > 10'000'000)
    return bad("events.journal_capacity must be within [100, 10000000]");
  if (c.events.journal_max_bytes < (1u << 20)) return bad("events.journal_max_bytes must be >= 1 MiB");
  if (c.websocket.queue_limit < 16 || c.websocket.queue_limit >= c.events.journal_capacity)
    return bad("websocket.queue_limit must be >= 16 and below events.journal_capacity");
  if (c.websocket.idle_timeout_ms < 1000) return bad("websocket.idle_timeout_ms must be >= 1000");
  if (c.websocket.initial_hold_ms < 0 || c.websocket.initial_hold_ms > 10'000)
    return bad("websocket.initial_hold_ms must be within [0, 10000]");
  if (c.websocket.send_buffer_bytes < 4096) return bad("websocket.send_buffer_bytes must be >= 4096");
  if (c.websocket.threads < 1 || c.websocket.threads > 64) return bad("websocket.threads must be within [1, 64]");
  return ok();
}

}  // namespace

std::string usage_text() {
  return R"(usage: stratd [options]
  --config FILE           TOML configuration file (STRATD_CONFIG)
  --host HOST             listen address, default 127.0.0.1 (STRATD_HOST)
  --port PORT             listen port, default 3000; 0 picks a free one (STRATD_PORT)
  --state-dir DIR         state directory (STRATD_STATE_DIR)
  --strategies-dir DIR    strategies directory (STRATD_STRATEGIES_DIR)
  --sim-interval-ms N     simulated feed tick interval, default 250 (STRATD_SIM_INTERVAL_MS)
  --hang-timeout-ms N     heartbeat age that counts as hung, default 5000
  --log-level LEVEL       trace|debug|info|warn|error (STRATD_LOG_LEVEL)
  --help, --version
)";
}

Expected<LoadedConfig> load_config(int argc, const char* const* argv) {
  LoadedConfig out;
  // Flags are collected first: --config decides which file is read before
  // the environment and the other flags are laid over it.
  std::vector<std::pair<const Setting*, std::string>> flags;
  std::string config_file;
  if (const char* e = std::getenv("STRATD_CONFIG")) config_file = e;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      out.action = CliAction::Help;
      return out;
    }
    if (arg == "--version") {
      out.action = CliAction::Version;
      return out;
    }
    std::string_view name = arg, value;
    bool has_value = false;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    if (!has_value) {
      if (i + 1 >= argc) return fail("CONFIG_INVALID", std::string(name) + " needs a value");
      value = argv[++i];
    }
    if (name == "--config") {
      config_file = value;
      continue;
    }
    const Setting* found = nullptr;
    for (const auto& s : kSettings) {
      if (name == s.flag) found = &s;
    }
    if (!found) return fail("CONFIG_INVALID", "unknown option " + std::string(name));
    flags.emplace_back(found, std::string(value));
  }
  Config& c = out.config;
  if (!config_file.empty()) {
    if (auto s = apply_toml(c, config_file); !s) return Unexpected<Error>{s.error()};
    c.config_file = config_file;
  }
  for (const auto& s : kSettings) {
    if (const char* e = std::getenv(s.env)) {
      if (auto st = s.apply(c, e); !st) return Unexpected<Error>{st.error()};
    }
  }
  for (const auto& [s, v] : flags) {
    if (auto st = s->apply(c, v); !st) return Unexpected<Error>{st.error()};
  }
  if (auto s = check(c); !s) return Unexpected<Error>{s.error()};
  return out;
}

Status resolve_paths(Config& cfg, const std::string& fallback_strategies_dir) {
  std::error_code ec;
  if (cfg.state_dir.empty()) {
    // Under systemd, StateDirectory= tells us where to keep state.
    const char* sd = std::getenv("STATE_DIRECTORY");
    cfg.state_dir = sd && *sd ? std::string(sd) : std::string("stratd-state");
  }
  if (cfg.strategies_dir.empty()) {
    cfg.strategies_dir = fs::is_directory("strategies", ec) ? "strategies" : fallback_strategies_dir;
  }
  fs::create_directories(cfg.state_dir, ec);
  if (ec) return fail("CONFIG_INVALID", "cannot create state dir " + cfg.state_dir + ": " + ec.message());
  cfg.state_dir = fs::canonical(cfg.state_dir, ec).string();
  if (ec) return fail("CONFIG_INVALID", "state dir: " + ec.message());
  if (!fs::is_directory(cfg.strategies_dir, ec)) {
    return fail("CONFIG_INVALID", "strategies dir does not exist: " + cfg.strategies_dir);
  }
  cfg.strategies_dir = fs::canonical(cfg.strategies_dir, ec).string();
  if (ec) return fail("CONFIG_INVALID", "strategies dir: " + ec.message());
  return ok();
}

}  // namespace stratd
