// Loading the configuration table's settings, layer over layer: defaults,
// file, environment, flags. Each layer is checked as it is laid on, so an
// error names where the bad value came from.
#include "common/config.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include <toml++/toml.h>

#include "common/config_table.hpp"
#include "common/host_authority.hpp"
#include "common/split_list.hpp"
#include "common/seccomp_mode.hpp"

namespace stratd {
namespace fs = std::filesystem;

namespace {

Unexpected<Error> invalid(std::string message) { return fail(ErrorCode::ConfigInvalid, std::move(message)); }

bool plain_key_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

}  // namespace

Status check_key_name_and_role(std::string_view name, std::string_view role, std::string_view where) {
  const std::string prefix = where.empty() ? "" : std::string(where) + ": ";
  if (!plain_key_name(name))
    return invalid(prefix + "name '" + std::string(name) + "' must be 1-64 of A-Z a-z 0-9 - _");
  if (role != "viewer" && role != "operator" && role != "admin")
    return invalid(prefix + "key '" + std::string(name) + "': role must be viewer, operator or admin");
  return ok();
}

Status check_key_entry(const ApiKeyEntry& k, std::string_view origin) {
  if (Status st = check_key_name_and_role(k.name, k.role, std::string(origin) + ": auth.keys"); !st) return st;
  if (k.hash.rfind("$argon2id$", 0) != 0)
    return invalid(std::string(origin) + ": auth.keys: key '" + k.name +
                   "': hash must be an Argon2id hash (stratd keygen prints one)");
  return ok();
}

namespace {

std::string number_text(double v) {
  char buf[32];
  // Whole numbers in full; the range check first, as casting a double
  // beyond int64 is undefined.
  const bool whole = v > -9.2e18 && v < 9.2e18 && v == double(int64_t(v));
  snprintf(buf, sizeof buf, whole ? "%.0f" : "%g", v);
  return buf;
}

Status check_bounds(const Setting& s, double value, std::string_view origin) {
  if (value >= s.min && value <= s.max) return ok();
  return invalid(std::string(origin) + ": " + std::string(s.key) + " is out of range: must be within [" +
                 number_text(s.min) + ", " + number_text(s.max) + "]");
}

Expected<bool> parse_switch(std::string_view text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  return Unexpected<Error>{Error{ErrorCode::ConfigInvalid, ""}};
}

// A value as written in a flag, a variable or a row's default.
Status apply_text(const Setting& s, Config& c, std::string_view text, std::string_view origin) {
  return std::visit(
      [&](auto at) -> Status {
        auto& field = at(c);
        using T = std::decay_t<decltype(field)>;
        if constexpr (std::is_same_v<T, std::string>) {
          field = std::string(text);
          return ok();
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          field = split_list(text);
          return ok();
        } else if constexpr (std::is_same_v<T, bool>) {
          auto v = parse_switch(text);
          if (!v) return invalid(std::string(origin) + ": " + std::string(s.key) + " must be true or false");
          field = *v;
          return ok();
        } else if constexpr (std::is_same_v<T, std::vector<ApiKeyEntry>>) {
          // "name:role:hash" entries, separated by spaces (an Argon2 hash
          // has commas of its own).
          std::vector<ApiKeyEntry> keys;
          std::string_view rest = text;
          while (!rest.empty()) {
            const auto start = rest.find_first_not_of(" \t\n");
            if (start == std::string_view::npos) break;
            rest.remove_prefix(start);
            const auto item = rest.substr(0, rest.find_first_of(" \t\n"));
            rest.remove_prefix(item.size());
            const auto c1 = item.find(':');
            const auto c2 = c1 == std::string_view::npos ? c1 : item.find(':', c1 + 1);
            if (c2 == std::string_view::npos)
              return invalid(std::string(origin) + ": auth.keys: each key is name:role:hash, separated by spaces");
            ApiKeyEntry k{std::string(item.substr(0, c1)), std::string(item.substr(c1 + 1, c2 - c1 - 1)),
                          std::string(item.substr(c2 + 1))};
            if (Status st = check_key_entry(k, origin); !st) return st;
            keys.push_back(std::move(k));
          }
          field = std::move(keys);
          return ok();
        } else {
          const std::string s_text(text);
          auto not_a_number = [&] {
            return invalid(std::string(origin) + ": " + std::string(s.key) + ": not a number: '" + s_text + "'");
          };
          if constexpr (std::is_floating_point_v<T>) {
            char* end = nullptr;
            const double v = std::strtod(s_text.c_str(), &end);
            if (s_text.empty() || *end != '\0') return not_a_number();
            if (Status st = check_bounds(s, v, origin); !st) return st;
            field = v;
          } else {
            // Integers exactly: a double would round large ones.
            T v{};
            auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec == std::errc::result_out_of_range) return check_bounds(s, s.max * 2 + 1, origin);
            if (ec != std::errc() || p != text.data() + text.size()) return not_a_number();
            if (Status st = check_bounds(s, double(v), origin); !st) return st;
            field = v;
          }
          return ok();
        }
      },
      s.field);
}

Status apply_toml_value(const Setting& s, Config& c, const toml::node& node, const std::string& origin) {
  const std::string key(s.key);
  return std::visit(
      [&](auto at) -> Status {
        auto& field = at(c);
        using T = std::decay_t<decltype(field)>;
        if constexpr (std::is_same_v<T, std::string>) {
          auto v = node.value<std::string>();
          if (!v || !node.is_string()) return invalid(origin + ": " + key + " must be a string");
          field = *v;
          return ok();
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          const auto* arr = node.as_array();
          if (!arr) return invalid(origin + ": " + key + " must be an array of strings");
          std::vector<std::string> out;
          for (const auto& e : *arr) {
            if (!e.is_string()) return invalid(origin + ": " + key + " must be an array of strings");
            out.push_back(*e.value<std::string>());
          }
          field = std::move(out);
          return ok();
        } else if constexpr (std::is_same_v<T, bool>) {
          if (!node.is_boolean()) return invalid(origin + ": " + key + " must be true or false");
          field = *node.value<bool>();
          return ok();
        } else if constexpr (std::is_same_v<T, std::vector<ApiKeyEntry>>) {
          // [[auth.keys]]: an array of tables.
          const auto* arr = node.as_array();
          const std::string shape = origin + ": " + key + " must be [[auth.keys]] tables of name, role and hash";
          if (!arr) return invalid(shape);
          std::vector<ApiKeyEntry> keys;
          for (const auto& e : *arr) {
            const auto* t = e.as_table();
            if (!t) return invalid(shape);
            const std::string entry = origin + " (key " + std::to_string(keys.size() + 1) + ")";
            ApiKeyEntry k;
            for (const auto& [field_name, v] : *t) {
              const std::string_view f = field_name.str();
              std::string* into = f == "name" ? &k.name : f == "role" ? &k.role : f == "hash" ? &k.hash : nullptr;
              if (!into) return invalid(entry + ": unknown field " + std::string(f) + " in " + key);
              if (!v.is_string()) return invalid(entry + ": " + key + "." + std::string(f) + " must be a string");
              *into = *v.template value<std::string>();
            }
            if (Status st = check_key_entry(k, entry); !st) return st;
            keys.push_back(std::move(k));
          }
          field = std::move(keys);
          return ok();
        } else {
          if (node.is_integer()) {
            const int64_t v = *node.value<int64_t>();
            if (Status st = check_bounds(s, double(v), origin); !st) return st;
            if constexpr (std::is_integral_v<T>) {
              if (!std::in_range<T>(v)) return check_bounds(s, s.max * 2 + 1, origin);
            }
            field = T(v);
            return ok();
          }
          if (std::is_floating_point_v<T> && node.is_floating_point()) {
            const double v = *node.value<double>();
            if (Status st = check_bounds(s, v, origin); !st) return st;
            field = T(v);
            return ok();
          }
          if (node.is_floating_point()) return invalid(origin + ": " + key + " must be an integer");
          return invalid(origin + ": " + key + " must be a number");
        }
      },
      s.field);
}

const Setting* find_by(std::string_view Setting::*name, std::string_view value) {
  for (const auto& s : settings()) {
    if (s.*name == value) return &s;
  }
  return nullptr;
}

// Settings that once were and are no more: a file that names one still
// loads, and the operator is told it no longer does anything.
struct Retired {
  std::string_view key;
  std::string_view why;
};
constexpr Retired kRetired[] = {
    {"websocket.threads", "one loop serves every WebSocket client (measured in docs/performance.md)"},
};

size_t index_of(const Setting* s) { return size_t(s - settings().data()); }

std::string line_of(const std::string& path, const toml::node& node) {
  const auto line = node.source().begin.line;
  return line > 0 ? path + ":" + std::to_string(line) : path;
}

Status apply_file(LoadedConfig& out, const std::string& path) {
  Config& c = out.config;
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto line = e.source().begin.line;
    return invalid(path + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " +
                   std::string(e.description()));
  }
  auto section_of = [](std::string_view key) { return key.substr(0, key.find('.')); };
  // Sections that are ours (or the seed plan's names for ours): a key in
  // one that no row names is a typo, and a typo silently ignored is a
  // setting silently not set. Sections of others' formats are left alone.
  auto ours = [&](std::string_view sec) {
    for (const auto& s : settings()) {
      if (section_of(s.key) == sec) return true;
    }
    for (const auto& a : setting_aliases()) {
      if (section_of(a.key) == sec) return true;
    }
    return false;
  };
  std::vector<std::string> set_at(settings().size());  // where the file set each, to refuse a second time
  for (const auto& [section, value] : t) {
    const std::string sec(section.str());
    if (!ours(sec)) continue;
    const auto* table = value.as_table();
    if (!table) return invalid(line_of(path, value) + ": [" + sec + "] must be a table");
    for (const auto& [name, node] : *table) {
      const std::string written = sec + "." + std::string(name.str());
      const std::string where = line_of(path, node);
      std::string key = written;
      for (const auto& a : setting_aliases()) {
        if (a.key == written) key = std::string(a.means);
      }
      const Setting* s = find_by(&Setting::key, key);
      const auto retired = std::find_if(std::begin(kRetired), std::end(kRetired),
                                        [&](const Retired& r) { return r.key == key; });
      if (!s && retired != std::end(kRetired)) {
        out.notices.push_back(where + ": " + key + " is ignored: " + std::string(retired->why));
        continue;
      }
      if (!s) return invalid(where + ": unknown setting " + written);
      std::string& earlier = set_at[index_of(s)];
      if (!earlier.empty()) return invalid(where + ": " + written + " sets " + key + " again (also at " + earlier + ")");
      earlier = where;
      if (Status st = apply_toml_value(*s, c, node, written == key ? where : where + " (" + written + ")"); !st) return st;
      out.origins[index_of(s)] = written == key ? where : where + " (as " + written + ")";
    }
  }
  return ok();
}

// What no single row can say: settings that bound each other.
Status check_relations(const Config& c) {
  if (c.feed.source != "sim") return invalid("feed.source: only 'sim' is available");
  if (c.runners.backoff_max_ms < c.runners.backoff_initial_ms)
    return invalid("runners.backoff_max_ms must be at least runners.backoff_initial_ms");
  if (c.runners.default_window_size > c.runners.max_window_size)
    return invalid("runners.default_window_size must be within [1, max_window_size]");
  if (c.runners.worker_address_space_bytes < c.lua.memory_limit_bytes + (256ull << 20))
    return invalid("runners.worker_address_space_bytes must exceed lua.memory_limit_bytes by 256 MiB");
  if (c.websocket.queue_limit >= c.events.journal_capacity)
    return invalid("websocket.queue_limit must be below events.journal_capacity");
  if (c.tls.cert.empty() != c.tls.key.empty())
    return invalid("tls.cert and tls.key go together: set both (HTTPS) or neither (plain HTTP)");
  if (c.server.max_connections_per_ip > c.server.max_connections)
    return invalid("server.max_connections_per_ip must be at most server.max_connections");
  // spdlog's names, its short ones included.
  static constexpr std::string_view kLevels[] = {"trace", "debug", "info",     "warn", "warning",
                                                 "error", "err",   "critical", "off"};
  if (std::find(std::begin(kLevels), std::end(kLevels), c.log.level) == std::end(kLevels))
    return invalid("log.level must be one of trace, debug, info, warn, error, critical, off");
  if (c.log.format != "text" && c.log.format != "json") return invalid("log.format must be text or json");
  for (size_t i = 0; i < c.auth.keys.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (c.auth.keys[i].name == c.auth.keys[j].name)
        return invalid("auth.keys: two keys are named '" + c.auth.keys[i].name + "'; names must be unique");
    }
  }
  for (const auto* access : {&c.auth.health, &c.auth.metrics}) {
    if (*access != "public" && *access != "key")
      return invalid(std::string(access == &c.auth.health ? "auth.health" : "auth.metrics") + " must be public or key");
  }
  if (!parse_seccomp_mode(c.runners.worker_seccomp))
    return invalid("runners.worker_seccomp must be kill, log or off");
  for (const auto& host : c.server.allowed_hosts) {
    if (host != "*" && !parse_host_authority(host))
      return invalid("server.allowed_hosts: '" + host + "' is not a host: a name, name:port, or an IPv6 address in "
                     "brackets ([::1]:3000), or *");
  }
  return ok();
}

}  // namespace

Config::Config() {
  for (const auto& s : settings()) {
    // A default that does not load is a bug in the table, caught by its test.
    (void)apply_text(s, *this, s.default_value, "default");
  }
}

std::string usage_text() {
  std::string out = "usage: stratd [options]   (each also a file setting and a variable; files: --config)\n";
  char line[256];
  snprintf(line, sizeof line, "  %-36s %s\n", "--config FILE", "TOML configuration file (STRATD_CONFIG)");
  out += line;
  for (const auto& s : settings()) {
    const auto dot = s.key.find('.');
    const std::string flag = std::string(s.flag) + (s.is_switch() ? "" : s.is_number() ? " N" : " VALUE");
    snprintf(line, sizeof line, "  %-36s %s\n", flag.c_str(), std::string(s.help).c_str());
    out += line;
    std::string where = "[" + std::string(s.key.substr(0, dot)) + "] " + std::string(s.key.substr(dot + 1)) + ", " +
                        std::string(s.env);
    if (!s.default_value.empty()) where += "; default " + std::string(s.default_value);
    if (s.reload == Reload::Live) where += "; reloads live";
    snprintf(line, sizeof line, "  %-36s %s\n", "", where.c_str());
    out += line;
  }
  out += "  --check-config: load and check everything, print each setting with where it came from\n";
  out += "  --cleanup: remove the shared-memory segments of every stratd on this host whose state directory is gone\n";
  out += "  --help, --version, --settings-table (every setting as a Markdown table)\n";
  return out;
}

std::string settings_table() {
  std::string out =
      "| file | variable | flag | default | range | on reload | what |\n| --- | --- | --- | --- | --- | --- | --- |\n";
  for (const auto& s : settings()) {
    const auto dot = s.key.find('.');
    const std::string range = s.is_number() ? number_text(s.min) + " – " + number_text(s.max) : "";
    out += "| `[" + std::string(s.key.substr(0, dot)) + "] " + std::string(s.key.substr(dot + 1)) + "` | `" +
           std::string(s.env) + "` | `" + std::string(s.flag) + "` | " +
           (s.default_value.empty() ? std::string() : "`" + std::string(s.default_value) + "`") + " | " + range +
           " | " + (s.reload == Reload::Live ? "live" : "restart") + " | " + std::string(s.help) + " |\n";
  }
  return out;
}

namespace {
// A setting's value as TOML.
std::string toml_value(const Setting& s, const Config& c) {
  return std::visit(
      [&](auto at) -> std::string {
        const auto& f = at(const_cast<Config&>(c));
        using T = std::decay_t<decltype(f)>;
        auto quoted = [](const std::string& v) {
          std::string q = "\"";
          for (char ch : v) {
            if (ch == '"' || ch == '\\') q += '\\';
            q += ch;
          }
          return q + "\"";
        };
        if constexpr (std::is_same_v<T, std::string>) {
          return quoted(f);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          std::string out = "[";
          for (size_t i = 0; i < f.size(); ++i) out += (i ? ", " : "") + quoted(f[i]);
          return out + "]";
        } else if constexpr (std::is_same_v<T, bool>) {
          return f ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::vector<ApiKeyEntry>>) {
          std::string out = "[";
          for (size_t i = 0; i < f.size(); ++i) {
            out += (i ? ", " : "") + std::string("{ name = ") + quoted(f[i].name) + ", role = " + quoted(f[i].role) +
                   ", hash = " + quoted(f[i].hash) + " }";
          }
          return out + "]";
        } else if constexpr (std::is_floating_point_v<T>) {
          return number_text(f);
        } else {
          return std::to_string(f);
        }
      },
      s.field);
}
}  // namespace

std::string describe_config(const LoadedConfig& loaded) {
  std::string out = "# stratd's effective configuration";
  out += loaded.config.config_file.empty() ? " (no file)\n" : " (file " + loaded.config.config_file + ")\n";
  std::string_view section;
  const auto rows = settings();
  for (size_t i = 0; i < rows.size(); ++i) {
    const Setting& s = rows[i];
    const auto dot = s.key.find('.');
    if (s.key.substr(0, dot) != section) {
      section = s.key.substr(0, dot);
      out += "\n[" + std::string(section) + "]\n";
    }
    out += std::string(s.key.substr(dot + 1)) + " = " + toml_value(s, loaded.config) + "  # " +
           (i < loaded.origins.size() ? loaded.origins[i] : std::string("default")) + "\n";
  }
  for (const auto& n : loaded.notices) out += "# notice: " + n + "\n";
  return out;
}

ReloadOutcome apply_reload(Config& loaded, const Config& fresh) {
  ReloadOutcome outcome;
  for (const auto& s : settings()) {
    if (toml_value(s, loaded) == toml_value(s, fresh)) continue;
    if (s.reload == Reload::Restart) {
      outcome.need_restart.emplace_back(s.key);
      continue;
    }
    std::visit([&](auto at) { at(loaded) = at(const_cast<Config&>(fresh)); }, s.field);
    outcome.applied.emplace_back(s.key);
  }
  return outcome;
}

void copy_live_settings(Config& to, const Config& from) {
  for (const auto& s : settings()) {
    if (s.reload == Reload::Live) std::visit([&](auto at) { at(to) = at(const_cast<Config&>(from)); }, s.field);
  }
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
    if (arg == "--settings-table") {
      out.action = CliAction::SettingsTable;
      return out;
    }
    if (arg == "--check-config") {
      out.action = CliAction::CheckConfig;
      continue;
    }
    if (arg == "--cleanup") {
      out.action = CliAction::Cleanup;
      continue;
    }
    std::string_view name = arg, value;
    const Setting* named = nullptr;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else if (named = find_by(&Setting::flag, name); named && named->is_switch()) {
      value = "true";
    } else {
      if (i + 1 >= argc) return invalid(std::string(name) + " needs a value");
      value = argv[++i];
    }
    if (name == "--config") {
      config_file = value;
      continue;
    }
    const Setting* s = find_by(&Setting::flag, name);
    if (!s) return invalid("unknown option " + std::string(name));
    flags.emplace_back(s, std::string(value));
  }
  Config& c = out.config;
  out.origins.assign(settings().size(), "default");
  if (!config_file.empty()) {
    if (auto st = apply_file(out, config_file); !st) return Unexpected<Error>{st.error()};
    c.config_file = config_file;
  }
  for (const auto& s : settings()) {
    if (const char* e = std::getenv(std::string(s.env).c_str())) {
      if (auto st = apply_text(s, c, e, s.env); !st) return Unexpected<Error>{st.error()};
      out.origins[index_of(&s)] = "environment " + std::string(s.env);
    }
  }
  for (const auto& [s, v] : flags) {
    if (auto st = apply_text(*s, c, v, s->flag); !st) return Unexpected<Error>{st.error()};
    out.origins[index_of(s)] = "flag " + std::string(s->flag);
  }
  if (auto st = check_relations(c); !st) return Unexpected<Error>{st.error()};
  return out;
}

Status resolve_paths(Config& cfg, const std::string& shipped_strategies_dir) {
  std::error_code ec;
  auto& p = cfg.paths;
  // Under systemd, StateDirectory=, RuntimeDirectory= and LogsDirectory=
  // say where these go; a unit that names several lists them with ':'.
  auto from_systemd = [](const char* variable) {
    const char* v = std::getenv(variable);
    const std::string_view all = v ? v : "";
    return std::string(all.substr(0, all.find(':')));
  };
  if (p.state_dir.empty()) {
    p.state_dir = from_systemd("STATE_DIRECTORY");
    if (p.state_dir.empty()) p.state_dir = "stratd-state";
  }
  if (p.strategies_dir.empty()) {
    p.strategies_dir = fs::is_directory("strategies", ec) ? "strategies" : shipped_strategies_dir;
  }
  fs::create_directories(p.state_dir, ec);
  if (ec) return invalid("cannot create state dir " + p.state_dir + ": " + ec.message());
  p.state_dir = fs::canonical(p.state_dir, ec).string();
  if (ec) return invalid("state dir: " + ec.message());
  if (p.runtime_dir.empty()) p.runtime_dir = from_systemd("RUNTIME_DIRECTORY");
  if (p.runtime_dir.empty()) p.runtime_dir = p.state_dir + "/run";
  if (p.logs_dir.empty()) p.logs_dir = from_systemd("LOGS_DIRECTORY");
  if (p.logs_dir.empty()) p.logs_dir = p.state_dir + "/logs";
  // Created by the state directory's owner as it opens; absolute here
  // because the children are handed them.
  p.runtime_dir = fs::absolute(p.runtime_dir).lexically_normal().string();
  p.logs_dir = fs::absolute(p.logs_dir).lexically_normal().string();
  if (!fs::is_directory(p.strategies_dir, ec)) return invalid("strategies dir does not exist: " + p.strategies_dir);
  p.strategies_dir = fs::canonical(p.strategies_dir, ec).string();
  if (ec) return invalid("strategies dir: " + ec.message());
  return ok();
}

}  // namespace stratd
