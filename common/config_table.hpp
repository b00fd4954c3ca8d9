#pragma once
// The configuration table: one row per setting, as Redis's config.c has
// it. A row names the setting three ways (TOML key, environment variable,
// flag), bounds it, gives its default as the text a user would write, says
// what it means, and points at the field of Config it sets. Loading,
// checking, --help and the docs' table all come from these rows.
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/settings.hpp"

namespace stratd {

struct Config;

// Whether a reload (SIGHUP) applies a new value at once, or only a restart
// of stratd does.
enum class Reload { Restart, Live };

struct Setting {
  using Field = std::variant<std::string& (*)(Config&), std::vector<std::string>& (*)(Config&),
                             uint16_t& (*)(Config&), int64_t& (*)(Config&), uint64_t& (*)(Config&),
                             double& (*)(Config&), bool& (*)(Config&), std::vector<ApiKeyEntry>& (*)(Config&)>;

  std::string_view key;   // "section.name" in the TOML file
  std::string_view env;   // STRATD_...
  std::string_view flag;  // --...
  double min;             // numbers only: the value must lie within [min, max]
  double max;
  std::string_view default_value;  // as written in a flag; a list is comma-separated
  std::string_view help;
  Field field;
  Reload reload;

  bool is_number() const { return field.index() >= 2 && field.index() <= 5; }
  // A flag without a value (--insecure); "=false" turns it off.
  bool is_switch() const { return field.index() == 6; }
};

// Every setting, in the order --help lists them.
std::span<const Setting> settings();

// Names of the seed plan's config.toml that mean one of our settings
// (`[engine] max_runners` is `[runners] max_runners`), and old names of ours.
struct SettingAlias {
  std::string_view key;
  std::string_view means;
};
std::span<const SettingAlias> setting_aliases();

}  // namespace stratd
