#include "tests/support/keyed_stratd.hpp"

#include <nlohmann/json.hpp>

namespace stratd::test {

const RoleKeys& keys() {
  static const RoleKeys k;
  return k;
}

std::map<std::string, std::string> bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

std::string error_code(const HttpResult& r) { return r.body.is_object() ? r.body["error"].value("code", "") : ""; }

std::string runner_body(const std::string& id) {
  return nlohmann::json{{"runner_id", id}, {"symbol", "BTCUSDT"}, {"strategy_path", "hold_long.lua"}}.dump();
}

KeyedStratd::KeyedStratd(std::vector<std::string> args, const std::string& extra_toml)
    : config(keys().toml() + "\n" + extra_toml), stratd([&] {
        StratdOptions o;
        o.extra_args = {"--config", config.path};
        o.extra_args.insert(o.extra_args.end(), args.begin(), args.end());
        return o;
      }()) {}

HttpResult KeyedStratd::as(const std::string& key, const std::string& method, const std::string& target,
                           const std::string& body) const {
  return stratd.http().request(method, target, body, key.empty() ? std::map<std::string, std::string>{} : bearer(key));
}

}  // namespace stratd::test
