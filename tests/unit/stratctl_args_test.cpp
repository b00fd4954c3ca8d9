// stratctl's command line: globals anywhere, the command's own options
// only after it, every value form, and the errors that make exit code 2.
#include <gtest/gtest.h>

#include "cli/args.hpp"

using namespace stratd::cli;

namespace {

const std::vector<OptionSpec> kGlobals = {{"url", 0, "URL", ""}, {"json", 0, "", ""}, {"help", 'h', "", ""}};
const std::vector<CommandSpec> kCommands = {
    {"ls", "", "", 0, 0, {}},
    {"stop", "<id>...", "", 1, SIZE_MAX, {}},
    {"watch", "", "", 0, 0, {{"type", 0, "TYPE", "", true}, {"count", 'n', "N", ""}, {"since", 0, "SEQ", ""}}},
    {"logs", "<id>", "", 1, 1, {{"follow", 'f', "", ""}, {"tail", 0, "N", ""}}},
};

CliExpected<ParsedArgs> parse(std::vector<std::string> words) {
  return parse_args(words, kGlobals, [](std::string_view name) -> const CommandSpec* {
    for (const auto& c : kCommands) {
      if (c.name == name) return &c;
    }
    return nullptr;
  });
}

std::string usage_message(std::vector<std::string> words) {
  auto r = parse(std::move(words));
  if (r) return "(parsed)";
  EXPECT_EQ(r.error().exit, ExitCode::Usage);
  return r.error().message;
}

}  // namespace

TEST(StratctlArgs, GlobalsBeforeOrAfterTheCommand) {
  auto a = parse({"--url", "http://h:1", "ls", "--json"});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->command->name, "ls");
  EXPECT_EQ(a->value("url"), "http://h:1");
  EXPECT_TRUE(a->has("json"));
  auto b = parse({"ls", "--url=http://h:2"});
  ASSERT_TRUE(b);
  EXPECT_EQ(b->value("url"), "http://h:2");
}

TEST(StratctlArgs, ValueFormsAndRepeatableLists) {
  auto a = parse({"watch", "--type", "RunnerStopped,RunnerStarted", "--type=PositionOpened", "-n", "3", "--since=7"});
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->list("type"), (std::vector<std::string>{"RunnerStopped", "RunnerStarted", "PositionOpened"}));
  EXPECT_EQ(a->value("count"), "3");
  EXPECT_EQ(a->value("since"), "7");
  auto b = parse({"watch", "-n5"});
  ASSERT_TRUE(b);
  EXPECT_EQ(b->value("count"), "5");
  auto c = parse({"logs", "x", "-f", "--tail", "20"});
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->has("follow"));
  EXPECT_EQ(c->positionals, std::vector<std::string>{"x"});
}

TEST(StratctlArgs, DoubleDashEndsOptions) {
  auto a = parse({"stop", "--", "-odd-id"});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->positionals, std::vector<std::string>{"-odd-id"});
}

TEST(StratctlArgs, UsageErrors) {
  EXPECT_EQ(usage_message({"frobnicate"}), "unknown command 'frobnicate'");
  EXPECT_EQ(usage_message({"ls", "--bogus"}), "unknown option '--bogus' for 'ls'");
  EXPECT_EQ(usage_message({"--bogus", "ls"}), "unknown option '--bogus'");
  // A command's option is not known before the command.
  EXPECT_EQ(usage_message({"-f", "logs", "x"}), "unknown option '-f'");
  EXPECT_EQ(usage_message({"ls", "-f"}), "unknown option '-f' for 'ls'");
  EXPECT_EQ(usage_message({"logs"}), "'logs' needs <id>");
  EXPECT_EQ(usage_message({"logs", "a", "b"}), "'logs' takes <id>, not 'b'");
  EXPECT_EQ(usage_message({"ls", "extra"}), "'ls' takes no arguments, not 'extra'");
  EXPECT_EQ(usage_message({"watch", "--count"}), "--count needs a value (N)");
  EXPECT_EQ(usage_message({"ls", "--json=yes"}), "--json takes no value");
  EXPECT_EQ(usage_message({"watch", "-n", "1", "--count", "2"}), "--count is given twice");
  EXPECT_EQ(usage_message({"logs", "x", "-fx"}), "unknown option '-fx' for 'logs'");
}

TEST(StratctlArgs, HelpSkipsTheArgumentCount) {
  auto a = parse({"logs", "--help"});
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->has("help"));
}

TEST(StratctlArgs, Numbers) {
  EXPECT_EQ(*parse_uint_option("--n", "42", 1, 100), 42u);
  EXPECT_FALSE(parse_uint_option("--n", "0", 1, 100));
  EXPECT_FALSE(parse_uint_option("--n", "101", 1, 100));
  EXPECT_FALSE(parse_uint_option("--n", "4x", 1, 100));
  EXPECT_FALSE(parse_uint_option("--n", "", 1, 100));
  EXPECT_FALSE(parse_uint_option("--n", "-1", 0, 100));
  EXPECT_EQ(parse_uint_option("--n", "x", 1, 9).error().message, "--n must be an integer from 1 to 9, not 'x'");

  using std::chrono::milliseconds;
  const milliseconds lo(100), hi(3'600'000);
  EXPECT_EQ(*parse_seconds_option("--i", "1", lo, hi), milliseconds(1000));
  EXPECT_EQ(*parse_seconds_option("--i", "0.25", lo, hi), milliseconds(250));
  EXPECT_EQ(*parse_seconds_option("--i", ".5", lo, hi), milliseconds(500));
  EXPECT_EQ(*parse_seconds_option("--i", "2.1", lo, hi), milliseconds(2100));
  for (const char* bad : {"", ".", "1.", "0.0001", "0.05", "1e3", "-1", "abc", "3601"}) {
    EXPECT_FALSE(parse_seconds_option("--i", bad, lo, hi)) << bad;
  }
  EXPECT_EQ(parse_seconds_option("--i", "0", lo, hi).error().message,
            "--i must be seconds from 0.1 s to 3600 s, not '0'");
}
