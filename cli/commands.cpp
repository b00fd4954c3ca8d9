#include "cli/commands.hpp"

#include <cstdint>
#include <vector>

#include "cli/usage.hpp"

namespace stratd::cli {
namespace {
constexpr size_t kMany = SIZE_MAX;

const std::vector<OptionSpec> kGlobals = {
    {"url", 0, "URL", "stratd's address (default: $STRATD_URL, else http://127.0.0.1:3000)"},
    {"cacert", 0, "FILE", "https: trust the CA certificates in FILE (PEM; default: $STRATD_CACERT, else the system's)"},
    {"json", 0, "", "print JSON (one document, or one per line for streams) instead of text"},
    {"no-color", 0, "", "no colours, even on a terminal (NO_COLOR in the environment does the same)"},
    {"key-file", 0, "FILE", "the API key to send, read from this file (default: $STRATD_API_KEY)"},
    {"timeout", 0, "SECS", "give up on connecting or on an answer after this long (default 10)"},
    {"help", 'h', "", "show help"},
};

const std::vector<Command> kCommands = {
    {{"ls", "", "list runners: a table with their process and strategy state", 0, 0, {}}, &run_ls,
     "Columns: id, symbol, strategy, lifecycle, state, position, PnL (realized +\n"
     "unrealized), ticks, restarts, CPU, RSS, heartbeat age, uptime.\n"
     "With --json: an array of every runner's details."},
    {{"show", "<id>", "every detail of one runner", 1, 1, {}}, &run_show,
     "With --json: the runner's details as stratd gives them."},
    {{"add",
      "<id> <symbol> <strategy>",
      "add a runner and start it",
      3,
      3,
      {{"window-size", 0, "N", "bars of history the strategy sees (default: stratd's)"}}},
     &run_add,
     "<strategy> is a path inside stratd's strategies directory (ema_crossover.lua).\n"
     "Example: stratctl add btc_ema BTCUSDT ema_crossover.lua --window-size 50"},
    {{"rm", "<id>...", "stop runners and remove them", 1, kMany, {}}, &run_rm, ""},
    {{"start", "<id>...", "start stopped or failed runners", 1, kMany, {}}, &run_start, ""},
    {{"stop", "<id>...", "stop runners (they stay, stopped)", 1, kMany, {}}, &run_stop, ""},
    {{"restart", "<id>...", "restart runners' workers", 1, kMany, {}}, &run_restart, ""},
    {{"logs",
      "<id>",
      "a runner's worker log",
      1,
      1,
      {{"tail", 0, "N", "the last N lines (1-10000, default 100)"},
       {"since", 0, "TIME", "lines at or after TIME: epoch milliseconds or RFC 3339 (2026-12-02T01:00:00Z)"},
       {"follow", 'f', "", "then print new lines as they are written, until Ctrl-C"}}},
     &run_logs,
     "With --json: the page as stratd gives it; with -f, one JSON object per line."},
    {{"watch",
      "",
      "live events, filtered, optionally resumed",
      0,
      0,
      {{"runner", 0, "ID", "only these runners (repeat, or a comma list)", true},
       {"type", 0, "TYPE", "only these event types (RunnerStopped, PositionOpened, ...)", true},
       {"symbol", 0, "SYMBOL", "only these symbols", true},
       {"since", 0, "SEQ", "first replay what came after event SEQ (resume)"},
       {"count", 'n', "N", "exit after N events"},
       {"tick-interval", 0, "MS", "at most one TickReceived per runner every MS milliseconds"}}},
     &run_watch,
     "One line per event: time (UTC), #seq, type, runner, symbol, data. With --json:\n"
     "each event as stratd sends it, one per line.\n"
     "If the connection drops, stratctl exits 3 and prints the last seq it saw;\n"
     "run it again with --since SEQ to get what was missed."},
    {{"health", "", "stratd's health: feed, runners, events", 0, 0, {}}, &run_health, ""},
    {{"top",
      "",
      "the runner table, refreshed until q or Ctrl-C",
      0,
      0,
      {{"interval", 0, "SECS", "time between refreshes (default 1)"},
       {"count", 'n', "N", "exit after N refreshes"}}},
     &run_top,
     "Not on a terminal, each refresh is printed after the last, with no escape codes.\n"
     "With --json: each refresh as one line, an object with health and runners."},
    {{"help", "[command]", "help on stratctl or one command", 0, 1, {}}, &run_help, ""},
};

}  // namespace

std::span<const Command> commands() { return kCommands; }
std::span<const OptionSpec> global_options() { return kGlobals; }

const Command* find_command(std::string_view name) {
  for (const auto& c : kCommands) {
    if (c.spec.name == name) return &c;
  }
  return nullptr;
}

const Command* command_of(const CommandSpec* spec) {
  for (const auto& c : kCommands) {
    if (&c.spec == spec) return &c;
  }
  return nullptr;
}

}  // namespace stratd::cli
