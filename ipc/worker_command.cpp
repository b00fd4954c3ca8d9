#include "ipc/worker_command.hpp"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <variant>

#include "common/validation.hpp"
#include "common/seccomp_mode.hpp"

namespace stratd::ipc {
namespace {

// One row per option: its flag and the field it carries.
struct Option {
  std::string_view flag;
  std::variant<std::string WorkerCommand::*, uint64_t WorkerCommand::*, int64_t WorkerCommand::*,
               uint64_t LuaLimits::*, double BrokerSettings::*>
      field;
};

constexpr std::string_view kSegmentFlag = "--segment";

const Option kOptions[] = {
    {"--runner-id", &WorkerCommand::runner_id},
    {"--symbol", &WorkerCommand::symbol},
    {"--strategy", &WorkerCommand::strategy_path},
    {kSegmentFlag, &WorkerCommand::segment},
    {"--md-endpoint", &WorkerCommand::md_endpoint},
    {"--events-endpoint", &WorkerCommand::events_endpoint},
    {"--window", &WorkerCommand::window},
    {"--instruction-budget", &LuaLimits::instruction_budget},
    {"--memory-limit", &LuaLimits::memory_limit_bytes},
    {"--fee-bps", &BrokerSettings::fee_bps},
    {"--slippage-bps", &BrokerSettings::slippage_bps},
    {"--max-consecutive-errors", &WorkerCommand::max_consecutive_errors},
    {"--log-level", &WorkerCommand::log_level},
    {"--credential-fd", &WorkerCommand::credential_fd},
    {"--nice", &WorkerCommand::nice},
    {"--segment-fd", &WorkerCommand::segment_fd},
    {"--strategy-fd", &WorkerCommand::strategy_fd},
    {"--seccomp", &WorkerCommand::seccomp},
};

// The field a row names, inside the command (const or not).
template <class C, class T>
auto& field_of(C& c, T WorkerCommand::*m) { return c.*m; }
template <class C>
auto& field_of(C& c, uint64_t LuaLimits::*m) { return c.lua.*m; }
template <class C>
auto& field_of(C& c, double BrokerSettings::*m) { return c.broker.*m; }

std::string text_of(const std::string& v) { return v; }
template <class T>
std::string text_of(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", v);  // round-trips exactly
    return buf;
  } else {
    return std::to_string(v);
  }
}

bool parse_into(std::string_view text, std::string& out) {
  out = std::string(text);
  return true;
}
template <class T>
bool parse_into(std::string_view text, T& out) {
  if constexpr (std::is_floating_point_v<T>) {
    const std::string tmp(text);
    char* end = nullptr;
    out = std::strtod(tmp.c_str(), &end);
    return !tmp.empty() && *end == '\0';
  } else {
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && p == text.data() + text.size();
  }
}

}  // namespace

std::vector<std::string> to_args(const WorkerCommand& c) {
  std::vector<std::string> out;
  for (const auto& o : kOptions) {
    out.emplace_back(o.flag);
    std::visit([&](auto member) { out.push_back(text_of(field_of(c, member))); }, o.field);
  }
  return out;
}

Expected<WorkerCommand> parse_worker_command(const std::vector<std::string_view>& args) {
  WorkerCommand c;
  bool seen[std::size(kOptions)] = {};
  for (size_t i = 0; i < args.size(); i += 2) {
    const std::string_view name = args[i];
    if (i + 1 >= args.size()) return fail(ErrorCode::Usage, std::string(name) + " needs a value");
    size_t k = 0;
    while (k < std::size(kOptions) && kOptions[k].flag != name) ++k;
    if (k == std::size(kOptions)) return fail(ErrorCode::Usage, "unknown option " + std::string(name));
    const bool parsed = std::visit([&](auto member) { return parse_into(args[i + 1], field_of(c, member)); },
                                   kOptions[k].field);
    if (!parsed) return fail(ErrorCode::Usage, "bad value for " + std::string(name));
    seen[k] = true;
  }
  for (size_t k = 0; k < std::size(kOptions); ++k) {
    if (!seen[k]) return fail(ErrorCode::Usage, std::string(kOptions[k].flag) + " is missing");
  }
  if (!is_valid_runner_id(c.runner_id)) return fail(ErrorCode::Usage, "--runner-id is invalid");
  if (!is_valid_symbol(c.symbol)) return fail(ErrorCode::Usage, "--symbol is invalid");
  if (c.strategy_path.empty() || c.segment.empty() || c.md_endpoint.empty() || c.events_endpoint.empty())
    return fail(ErrorCode::Usage, "--strategy, --segment, --md-endpoint and --events-endpoint must not be empty");
  if (c.window == 0 || c.window > UINT32_MAX) return fail(ErrorCode::Usage, "--window must be positive");
  for (auto [fd, flag] : {std::pair{c.credential_fd, "--credential-fd"}, std::pair{c.segment_fd, "--segment-fd"},
                          std::pair{c.strategy_fd, "--strategy-fd"}}) {
    if (fd < 0 || fd > INT32_MAX) return fail(ErrorCode::Usage, std::string("bad value for ") + flag);
  }
  if (!parse_seccomp_mode(c.seccomp)) return fail(ErrorCode::Usage, "bad value for --seccomp");
  if (c.nice < 0 || c.nice > 19) return fail(ErrorCode::Usage, "bad value for --nice");
  return c;
}

std::optional<std::string> segment_of(const std::vector<std::string>& argv) {
  if (argv.empty() || std::filesystem::path(argv[0]).filename() != kWorkerProgram) return std::nullopt;
  for (size_t i = 1; i + 1 < argv.size(); ++i) {
    if (argv[i] == kSegmentFlag) return argv[i + 1];
  }
  return std::nullopt;
}

}  // namespace stratd::ipc
