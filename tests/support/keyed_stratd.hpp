#pragma once
// A stratd with API keys, for the tests of who may do what: one key per
// role from the real `stratd keygen`, made once per test program (Argon2
// is slow on purpose), and a stratd whose configuration file holds them.
#include <map>
#include <string>
#include <vector>

#include "tests/support/stratd_command.hpp"
#include "tests/support/stratd_process.hpp"

namespace stratd::test {

struct RoleKeys {
  GeneratedKey admin = generate_key("ops", "admin");
  GeneratedKey operator_ = generate_key("oncall", "operator");
  GeneratedKey viewer = generate_key("dash", "viewer");
  // The three `[[auth.keys]]` entries.
  std::string toml() const { return admin.entry + "\n" + operator_.entry + "\n" + viewer.entry; }
};
const RoleKeys& keys();

std::map<std::string, std::string> bearer(const std::string& key);
// The envelope's error code ("" if the body is not one).
std::string error_code(const HttpResult& r);
// A runner to add: `hold_long.lua` on BTCUSDT.
std::string runner_body(const std::string& id);

struct KeyedStratd {
  TempFile config;
  StratdProcess stratd;
  explicit KeyedStratd(std::vector<std::string> args = {}, const std::string& extra_toml = "");
  // A request with `key` ("" for none).
  HttpResult as(const std::string& key, const std::string& method, const std::string& target,
                const std::string& body = "") const;
};

}  // namespace stratd::test
