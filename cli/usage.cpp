#include "cli/usage.hpp"

#include "cli/table.hpp"

namespace stratd::cli {
namespace {

std::string options_text(std::span<const OptionSpec> options) {
  Table t;
  t.add_column("");
  t.add_column("");
  t.hide_header();
  for (const auto& o : options) {
    std::string names = o.short_name ? std::string("-") + o.short_name + ", " : std::string("    ");
    names += "--" + std::string(o.name);
    if (!o.value_name.empty()) names += " " + std::string(o.value_name);
    t.add_row({{"  " + names}, {std::string(o.help)}});
  }
  return t.render(false);
}

}  // namespace

std::string general_usage() {
  std::string out = "usage: stratctl [options] <command> [arguments]\n\n"
                    "stratd's command-line client.\n\ncommands:\n";
  Table t;
  t.add_column("");
  t.add_column("");
  t.hide_header();
  for (const auto& c : commands()) {
    std::string name = "  " + std::string(c.spec.name);
    if (!c.spec.args.empty()) name += " " + std::string(c.spec.args);
    t.add_row({{name}, {std::string(c.spec.summary)}});
  }
  out += t.render(false);
  out += "\noptions (for every command):\n" + options_text(global_options());
  out += "\nexit status: 0 ok, 1 stratd answered with an error, 2 usage error, 3 cannot connect.\n"
         "Run 'stratctl help <command>' for a command's options.\n";
  return out;
}

std::string command_usage(const Command& c) {
  std::string out = "usage: stratctl " + std::string(c.spec.name);
  if (!c.spec.options.empty()) out += " [options]";
  if (!c.spec.args.empty()) out += " " + std::string(c.spec.args);
  out += "\n\n" + std::string(c.spec.summary) + "\n";
  if (!c.help.empty()) out += "\n" + std::string(c.help) + "\n";
  if (!c.spec.options.empty()) out += "\noptions:\n" + options_text(c.spec.options);
  out += "\nglobal options:\n" + options_text(global_options());
  return out;
}

CliStatus run_help(CommandContext& ctx) {
  if (ctx.args.positionals.empty()) {
    ctx.out << general_usage();
    return Ok{};
  }
  const Command* c = find_command(ctx.args.positionals[0]);
  if (!c) return usage_error("unknown command '" + ctx.args.positionals[0].substr(0, 80) + "'");
  ctx.out << command_usage(*c);
  return Ok{};
}

}  // namespace stratd::cli
