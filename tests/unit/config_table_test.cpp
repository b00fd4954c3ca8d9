// The configuration table itself: every row loads its own default, lies
// within its bounds, has names no other row has, and can be set by file,
// variable and flag alike.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "common/config.hpp"
#include "common/config_table.hpp"

using namespace stratd;

namespace {
Expected<LoadedConfig> load(std::vector<const char*> args) {
  args.insert(args.begin(), "stratd");
  return load_config(int(args.size()), args.data());
}
// What a setting that only loads with another needs besides (the TLS pair).
std::vector<const char*> with_partner(const std::string& key, std::vector<const char*> args) {
  if (key == "tls.cert") args.push_back("--tls-key=/partner");
  if (key == "tls.key") args.push_back("--tls-cert=/partner");
  return args;
}
// A value inside the row's bounds other than its default, as text.
// An Argon2id hash as stratd keygen prints them (of the key "k").
constexpr const char* kHash = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG";

std::string other_value(const Setting& s) {
  if (s.is_switch()) return "true";
  if (s.key == "auth.keys") return std::string("ops:admin:") + kHash;
  if (s.key == "auth.health") return "key";
  if (s.key == "auth.metrics") return "public";
  if (!s.is_number()) {
    if (s.key == "log.level") return "debug";
    if (s.key == "log.format") return "json";
    if (s.key == "runners.worker_seccomp") return "log";
    return "x";
  }
  const double d = std::strtod(std::string(s.default_value).c_str(), nullptr);
  double v = d + 1 <= s.max ? d + 1 : d - 1;
  if (s.key == "runners.backoff_initial_ms" || s.key == "runners.default_window_size") v = d - 1;
  return std::to_string(int64_t(v));
}
std::string read_back(const Setting& s, Config& c) {
  return std::visit(
      [&](auto at) -> std::string {
        const auto& f = at(c);
        using T = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return f;
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          return f.empty() ? "" : f.front();
        } else if constexpr (std::is_same_v<T, bool>) {
          return f ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::vector<ApiKeyEntry>>) {
          return f.empty() ? "" : f.front().name + ":" + f.front().role + ":" + f.front().hash;
        } else {
          return std::to_string(int64_t(f));
        }
      },
      s.field);
}
}  // namespace

TEST(ConfigTable, NamesAreUniqueAndFollowOnePattern) {
  std::set<std::string_view> keys, envs, flags;
  for (const auto& s : settings()) {
    EXPECT_TRUE(keys.insert(s.key).second) << s.key;
    EXPECT_TRUE(envs.insert(s.env).second) << s.env;
    EXPECT_TRUE(flags.insert(s.flag).second) << s.flag;
    EXPECT_EQ(s.env.substr(0, 7), "STRATD_") << s.key;
    EXPECT_EQ(s.flag.substr(0, 2), "--") << s.key;
    EXPECT_NE(s.key.find('.'), std::string_view::npos) << s.key;
    EXPECT_FALSE(s.help.empty()) << s.key;
  }
}

TEST(ConfigTable, EveryDefaultLoadsAndLiesWithinItsBounds) {
  for (const auto& s : settings()) {
    SCOPED_TRACE(std::string(s.key));
    if (!s.is_number()) continue;
    const double d = std::strtod(std::string(s.default_value).c_str(), nullptr);
    EXPECT_GE(d, s.min);
    EXPECT_LE(d, s.max);
    Config c;
    EXPECT_EQ(read_back(s, c), std::to_string(int64_t(d)));
  }
  EXPECT_TRUE(load({}));  // and they agree with each other
}

TEST(ConfigTable, EverySettingCanBeSetByFlagVariableAndFile) {
  const auto path = std::filesystem::temp_directory_path() / ("stratd-table-" + std::to_string(getpid()) + ".toml");
  for (const auto& s : settings()) {
    SCOPED_TRACE(std::string(s.key));
    if (s.key == "feed.source") continue;  // one value is allowed
    const std::string value = other_value(s);
    const std::string flag = std::string(s.flag) + "=" + value;
    auto by_flag = load(with_partner(std::string(s.key), {flag.c_str()}));
    ASSERT_TRUE(by_flag) << by_flag.error().message;
    EXPECT_EQ(read_back(s, by_flag->config), value);

    setenv(std::string(s.env).c_str(), value.c_str(), 1);
    auto by_env = load(with_partner(std::string(s.key), {}));
    unsetenv(std::string(s.env).c_str());
    ASSERT_TRUE(by_env) << by_env.error().message;
    EXPECT_EQ(read_back(s, by_env->config), value);

    const auto dot = s.key.find('.');
    const bool quoted = !s.is_number() && !s.is_switch();
    const bool list = s.field.index() == 1;
    if (s.key == "auth.keys") {
      std::ofstream(path) << "[[auth.keys]]\nname = \"ops\"\nrole = \"admin\"\nhash = \"" << kHash << "\"\n";
    } else {
      std::ofstream(path) << "[" << s.key.substr(0, dot) << "]\n"
                          << s.key.substr(dot + 1) << " = " << (list ? "[" : "") << (quoted ? "\"" : "") << value
                          << (quoted ? "\"" : "") << (list ? "]" : "") << "\n";
    }
    auto by_file = load(with_partner(std::string(s.key), {"--config", path.c_str()}));
    ASSERT_TRUE(by_file) << by_file.error().message;
    EXPECT_EQ(read_back(s, by_file->config), value);
  }
  std::filesystem::remove(path);
}

TEST(ConfigTable, OutOfBoundsIsRefusedNamingTheSetting) {
  for (const auto& s : settings()) {
    if (!s.is_number() || s.max >= 1e18) continue;
    const std::string flag = std::string(s.flag) + "=" + std::to_string(int64_t(s.max) + 1);
    auto c = load({flag.c_str()});
    ASSERT_FALSE(c) << s.key;
    EXPECT_NE(c.error().message.find(std::string(s.key)), std::string::npos) << c.error().message;
  }
}

TEST(ConfigTable, ATypoInOneOfOurSectionsIsRefusedOthersSectionsAreLeftAlone) {
  const auto path = std::filesystem::temp_directory_path() / ("stratd-typo-" + std::to_string(getpid()) + ".toml");
  std::ofstream(path) << "[runners]\nmax_runner = 5\n";
  auto typo = load({"--config", path.c_str()});
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().message.find("runners.max_runner"), std::string::npos);
  std::ofstream(path) << "[someone_else]\nanything = 1\n";
  EXPECT_TRUE(load({"--config", path.c_str()}));
  std::filesystem::remove(path);
}

TEST(ConfigTable, HelpListsEverySetting) {
  const std::string help = usage_text();
  for (const auto& s : settings()) {
    EXPECT_NE(help.find(std::string(s.flag) + " "), std::string::npos) << s.flag;
    EXPECT_NE(help.find(std::string(s.env)), std::string::npos) << s.env;
  }
}

// The docs' table is this table: regenerate it with
// `build/bin/stratd --settings-table` after changing a row.
TEST(ConfigTable, TheDocsListEverySettingAsTheTableHasIt) {
  std::ifstream in(std::string(STRATD_DOCS_DIR) + "/configuration.md");
  std::stringstream doc;
  doc << in.rdbuf();
  EXPECT_NE(doc.str().find(settings_table()), std::string::npos)
      << "docs/configuration.md is out of date: paste the output of stratd --settings-table";
}

TEST(ConfigTable, ARetiredSettingStillLoadsAndIsReported) {
  const auto path = std::filesystem::temp_directory_path() / ("stratd-retired-" + std::to_string(getpid()) + ".toml");
  std::ofstream(path) << "[websocket]\nthreads = 2\n";
  auto c = load({"--config", path.c_str()});
  std::filesystem::remove(path);
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->notices.size(), 1u);
  EXPECT_NE(c->notices[0].find("websocket.threads is ignored"), std::string::npos);
}
