#include "worker/worker_options.hpp"

#include <charconv>
#include <cstdlib>
#include <string_view>

#include "common/validation.hpp"

namespace stratd::worker {
namespace {
template <class T>
bool parse(std::string_view s, T& out) {
  if constexpr (std::is_floating_point_v<T>) {
    char* end = nullptr;
    const std::string tmp(s);
    out = T(std::strtod(tmp.c_str(), &end));
    return end && *end == '\0' && !tmp.empty();
  } else {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
  }
}
}  // namespace

Expected<WorkerOptions> parse_worker_options(int argc, const char* const* argv) {
  WorkerOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view name = argv[i];
    if (i + 1 >= argc) return fail("USAGE", std::string(name) + " needs a value");
    const std::string_view v = argv[++i];
    bool good = true;
    if (name == "--runner-id") o.runner_id = v;
    else if (name == "--symbol") o.symbol = v;
    else if (name == "--strategy") o.strategy_path = v;
    else if (name == "--segment") o.segment = v;
    else if (name == "--md-endpoint") o.md_endpoint = v;
    else if (name == "--events-endpoint") o.events_endpoint = v;
    else if (name == "--window") good = parse(v, o.window);
    else if (name == "--instruction-budget") good = parse(v, o.lua.instruction_budget);
    else if (name == "--memory-limit") good = parse(v, o.lua.memory_limit_bytes);
    else if (name == "--fee-bps") good = parse(v, o.broker.fee_bps);
    else if (name == "--slippage-bps") good = parse(v, o.broker.slippage_bps);
    else if (name == "--max-consecutive-errors") good = parse(v, o.max_consecutive_errors);
    else if (name == "--log-level") o.log_level = v;
    else if (name == "--credential-fd") good = parse(v, o.credential_fd) && o.credential_fd >= 0;
    else if (name == "--nice") good = parse(v, o.nice) && o.nice >= 0 && o.nice <= 19;
    else return fail("USAGE", "unknown option " + std::string(name));
    if (!good) return fail("USAGE", "bad value for " + std::string(name));
  }
  if (!is_valid_runner_id(o.runner_id)) return fail("USAGE", "--runner-id is missing or invalid");
  if (!is_valid_symbol(o.symbol)) return fail("USAGE", "--symbol is missing or invalid");
  if (o.strategy_path.empty() || o.segment.empty() || o.md_endpoint.empty() ||
      o.events_endpoint.empty())
    return fail("USAGE", "--strategy, --segment, --md-endpoint and --events-endpoint are required");
  if (o.window == 0) return fail("USAGE", "--window must be positive");
  return o;
}

}  // namespace stratd::worker
