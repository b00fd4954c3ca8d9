#pragma once
// stratd's configuration: each setting's default, then the TOML file
// (--config), then STRATD_* environment variables, then command-line flags.
// Every setting is one row of the table in config_table.cpp.
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/settings.hpp"

namespace stratd {

struct Config {
  HttpSettings server;
  AuthSettings auth;
  LimitSettings limits;
  AuditSettings audit;
  TlsSettings tls;
  FeedSettings feed;
  RunnerSettings runners;
  LuaLimits lua;
  BrokerSettings broker;
  EventsSettings events;
  WsSettings websocket;
  LogSettings log;
  PathSettings paths;
  std::string config_file;  // the file read, if any

  // Every setting at its default.
  Config();
};

// What the command line asked for besides running.
enum class CliAction { Run, Help, Version, SettingsTable, CheckConfig, Cleanup };

struct LoadedConfig {
  Config config;
  CliAction action = CliAction::Run;
  // What the operator should hear once logging is up (a retired setting).
  std::vector<std::string> notices;
  // Where each setting's value came from, by its index in settings():
  // "default", "<file>:<line>", "environment STRATD_X", "flag --x".
  std::vector<std::string> origins;
};

// Builds the configuration from argv, the environment and the file it names.
Expected<LoadedConfig> load_config(int argc, const char* const* argv);
// --help: every setting with its flag, variable, default and meaning.
std::string usage_text();
// --settings-table: the same as a Markdown table (docs/configuration.md).
std::string settings_table();

// --check-config: every setting as TOML, with where its value came from.
std::string describe_config(const LoadedConfig& loaded);

// What a reload (SIGHUP) did with a freshly loaded configuration.
struct ReloadOutcome {
  std::vector<std::string> applied;       // live settings that changed, now in effect
  std::vector<std::string> need_restart;  // changed, but only a restart applies them
};
// Compares a freshly loaded configuration with the one loaded before
// (both before resolve_paths) and copies the live settings that changed
// into `loaded`.
ReloadOutcome apply_reload(Config& loaded, const Config& fresh);
// Copies every live setting of `from` into `to`.
void copy_live_settings(Config& to, const Config& from);

// One [[auth.keys]] entry: a plain name, a role, an Argon2id hash.
// `origin` prefixes the error (where the entry was written).
Status check_key_entry(const ApiKeyEntry& key, std::string_view origin);
// Its name and role alone: what `stratd keygen` checks before it hashes.
// `where`, if not empty, prefixes the error.
Status check_key_name_and_role(std::string_view name, std::string_view role, std::string_view where);

// Fills empty paths with their defaults (systemd's directories when it
// gives them, `shipped_strategies_dir` when ./strategies does not exist)
// and makes them absolute.
Status resolve_paths(Config& cfg, const std::string& shipped_strategies_dir);

}  // namespace stratd
