// The configuration the package installs (/etc/stratd/stratd.toml): as
// shipped, everything commented out, it loads and leaves every default;
// and each example it shows, uncommented, is a setting stratd accepts.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "common/config.hpp"

using namespace stratd;

namespace {

std::string shipped() {
  std::ifstream in(STRATD_SHIPPED_CONFIG);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Expected<LoadedConfig> load_text(const std::string& toml) {
  const auto path = std::filesystem::temp_directory_path() / ("stratd-shipped-" + std::to_string(getpid()) + ".toml");
  std::ofstream(path) << toml;
  const std::string file = path.string();
  const char* argv[] = {"stratd", "--config", file.c_str()};
  auto loaded = load_config(3, argv);
  std::filesystem::remove(path);
  return loaded;
}

}  // namespace

TEST(ShippedConfig, LoadsAsShippedAndChangesNothing) {
  const std::string text = shipped();
  ASSERT_FALSE(text.empty()) << STRATD_SHIPPED_CONFIG;
  auto loaded = load_text(text);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->config.server.host, Config().server.host);
  EXPECT_EQ(loaded->config.server.port, Config().server.port);
  EXPECT_EQ(loaded->config.runners.max_runners, Config().runners.max_runners);
  EXPECT_TRUE(loaded->notices.empty());
}

TEST(ShippedConfig, EveryExampleIsARealSetting) {
  // "# key = value" lines are examples; other comments are prose.
  const std::regex example(R"(^# ([a-z_]+ = .*)$)");
  std::istringstream in(shipped());
  std::string line, uncommented;
  int examples = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, example)) {
      uncommented += m[1].str() + "\n";
      ++examples;
    } else {
      uncommented += line + "\n";
    }
  }
  EXPECT_GE(examples, 5);
  auto loaded = load_text(uncommented);
  ASSERT_TRUE(loaded) << loaded.error().message << "\n" << uncommented;
  EXPECT_EQ(loaded->config.paths.strategies_dir, "/etc/stratd/strategies");
}
