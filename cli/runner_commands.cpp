// ls, show, add, rm, start, stop, restart: the runner CRUD and control
// endpoints, one request each (ls: the list, then each runner's details).
#include <optional>

#include "cli/commands.hpp"
#include "cli/error_report.hpp"
#include "cli/runner_view.hpp"

namespace stratd::cli {
using Json = nlohmann::json;

namespace {

// Runs `one` for each id given; a failure is reported and the next id
// tried, except when stratd cannot be reached at all.
template <class F>
CliStatus for_each_id(CommandContext& ctx, F one) {
  std::optional<CliError> failed;
  for (const auto& id : ctx.args.positionals) {
    CliStatus s = one(id);
    if (s) continue;
    if (s.error().exit == ExitCode::CannotConnect) return s;
    report_error(s.error(), ctx.json, ctx.out, ctx.err);
    failed = s.error();
    failed->reported = true;
  }
  if (failed) return Unexpected<CliError>{*failed};
  return Ok{};
}

std::string field(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string("-");
}

CliStatus control(CommandContext& ctx, const char* action) {
  auto api = ctx.api();
  return for_each_id(ctx, [&](const std::string& id) -> CliStatus {
    auto r = api.post(runner_path(id, std::string("/") + action));
    if (!r) return Unexpected<CliError>{r.error()};
    if (ctx.json) {
      ctx.print_json(*r);
    } else {
      const std::string lifecycle = field(*r, "lifecycle");
      ctx.out << paint(id, Style::Cyan, ctx.color) << ": " << paint(lifecycle, lifecycle_style(lifecycle), ctx.color)
              << '\n';
    }
    return Ok{};
  });
}

}  // namespace

CliStatus run_ls(CommandContext& ctx) {
  auto api = ctx.api();
  auto runners = fetch_runner_details(api);
  if (!runners) return Unexpected<CliError>{runners.error()};
  if (ctx.json) {
    ctx.print_json(Json(*runners));
  } else if (runners->empty()) {
    ctx.out << "no runners\n";
  } else {
    ctx.out << runner_table(*runners).render(ctx.color);
  }
  return Ok{};
}

CliStatus run_show(CommandContext& ctx) {
  auto api = ctx.api();
  auto r = api.get(runner_path(ctx.args.positionals[0]));
  if (!r) return Unexpected<CliError>{r.error()};
  if (ctx.json) {
    ctx.print_json(*r);
  } else {
    ctx.out << runner_card(*r, ctx.color);
  }
  return Ok{};
}

CliStatus run_add(CommandContext& ctx) {
  const auto& p = ctx.args.positionals;
  Json body{{"runner_id", p[0]}, {"symbol", p[1]}, {"strategy_path", p[2]}};
  if (auto w = ctx.args.value("window-size")) {
    auto n = parse_uint_option("--window-size", *w, 1, UINT32_MAX);
    if (!n) return Unexpected<CliError>{n.error()};
    body["window_size"] = *n;  // stratd checks it against its own bound
  }
  auto api = ctx.api();
  auto r = api.post("/api/runners", body.dump(-1, ' ', false, Json::error_handler_t::replace));
  if (!r) return Unexpected<CliError>{r.error()};
  if (ctx.json) {
    ctx.print_json(*r);
  } else {
    const std::string lifecycle = field(*r, "lifecycle");
    ctx.out << "added " << paint(field(*r, "runner_id"), Style::Cyan, ctx.color) << " (" << field(*r, "symbol")
            << ", " << field(*r, "strategy_path") << "): " << paint(lifecycle, lifecycle_style(lifecycle), ctx.color)
            << '\n';
  }
  return Ok{};
}

CliStatus run_rm(CommandContext& ctx) {
  auto api = ctx.api();
  return for_each_id(ctx, [&](const std::string& id) -> CliStatus {
    auto r = api.del(runner_path(id));
    if (!r) return Unexpected<CliError>{r.error()};
    if (ctx.json) {
      ctx.print_json(Json{{"runner_id", id}, {"removed", true}});
    } else {
      ctx.out << "removed " << paint(id, Style::Cyan, ctx.color) << '\n';
    }
    return Ok{};
  });
}

CliStatus run_start(CommandContext& ctx) { return control(ctx, "start"); }
CliStatus run_stop(CommandContext& ctx) { return control(ctx, "stop"); }
CliStatus run_restart(CommandContext& ctx) { return control(ctx, "restart"); }

}  // namespace stratd::cli
