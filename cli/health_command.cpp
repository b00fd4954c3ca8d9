// health: GET /api/engine/health as a short report. It exits 0 whenever
// stratd answers, degraded or not: the status is in the output.
#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/table.hpp"

namespace stratd::cli {
using Json = nlohmann::json;

namespace {
std::string num(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && !it->is_null() ? it->dump() : std::string("-");
}
}  // namespace

CliStatus run_health(CommandContext& ctx) {
  auto api = ctx.api();
  auto h = api.get("/api/engine/health");
  if (!h) return Unexpected<CliError>{h.error()};
  if (ctx.json) {
    ctx.print_json(*h);
    return Ok{};
  }
  const Json& d = *h;
  Table t;
  t.add_column("");
  t.add_column("");
  t.hide_header();
  auto row = [&](const char* key, std::string value, Style style = Style::Plain) {
    t.add_row({{key, Style::Bold}, {std::move(value), style}});
  };
  const std::string status = d.value("status", std::string("-"));
  row("status", status, status == "healthy" ? Style::Green : Style::Red);
  if (auto up = d.find("uptime_secs"); up != d.end() && up->is_number_integer()) {
    row("uptime", duration_text(up->get<int64_t>()));
  }
  if (d.contains("instance")) row("instance", d["instance"].is_string() ? d["instance"].get<std::string>() : num(d, "instance"));
  std::string runners = num(d, "total_runners") + " (" + num(d, "healthy_runners") + " healthy)";
  if (auto by = d.find("runners_by_lifecycle"); by != d.end() && by->is_object() && !by->empty()) {
    std::string parts;
    for (const auto& [lifecycle, n] : by->items()) parts += (parts.empty() ? "" : ", ") + lifecycle + " " + n.dump();
    runners += ": " + parts;
  }
  row("runners", runners);
  if (auto f = d.find("feed"); f != d.end() && f->is_object()) {
    const bool running = f->value("running", false);
    std::string feed = f->value("source", std::string("-")) + ", " + (running ? "running" : "down");
    if (running) feed += ", pid " + num(*f, "pid");
    feed += ", " + num(*f, "restarts") + " restarts";
    row("feed", feed, running ? Style::Plain : Style::Red);
  }
  if (auto e = d.find("events"); e != d.end() && e->is_object()) {
    row("events", "last seq " + num(*e, "last_seq") + ", received " + num(*e, "received") + ", accepted " +
                      num(*e, "accepted") + ", rejected " + num(*e, "rejected") + ", gaps " + num(*e, "gaps"));
    std::string journal = "seq " + num(*e, "journal_first_seq") + " on, " + num(*e, "journal_size") + " of " +
                          num(*e, "journal_capacity") + " events";
    if (auto b = e->find("journal_bytes"); b != e->end() && b->is_number_unsigned()) {
      journal += ", " + bytes_text(b->get<uint64_t>());
      if (auto m = e->find("journal_max_bytes"); m != e->end() && m->is_number_unsigned()) {
        journal += " of " + bytes_text(m->get<uint64_t>());
      }
    }
    row("journal", journal);
  }
  row("websocket clients", num(d, "websocket_clients"));
  ctx.out << t.render(ctx.color);
  return Ok{};
}

}  // namespace stratd::cli
