// strat-worker's command line: what stratd builds is what the worker parses.
#include <gtest/gtest.h>

#include "common/config.hpp"
#include "ipc/worker_command.hpp"

using namespace stratd;
using namespace stratd::ipc;

namespace {
WorkerCommand sample() {
  const Config cfg;
  WorkerCommand c;
  c.runner_id = "btc_ema";
  c.symbol = "BTCUSDT";
  c.strategy_path = "/srv/strategies/ema crossover.lua";
  c.segment = "stratd.abc.btc_ema";
  c.md_endpoint = "ipc:///run/md.ipc";
  c.events_endpoint = "ipc:///run/events.ipc";
  c.window = 200;
  c.lua = cfg.lua;
  c.broker = cfg.broker;
  c.broker.slippage_bps = 0.1;  // not exact in binary: must still round-trip
  c.max_consecutive_errors = 7;
  c.log_level = "debug";
  c.credential_fd = 3;
  c.nice = 5;
  c.segment_fd = 4;
  c.strategy_fd = 5;
  c.seccomp = "log";
  return c;
}
std::vector<std::string_view> views(const std::vector<std::string>& args) {
  return std::vector<std::string_view>(args.begin(), args.end());
}
}  // namespace

TEST(WorkerCommand, WhatStratdBuildsTheWorkerParsesBack) {
  const WorkerCommand c = sample();
  const auto args = to_args(c);
  auto parsed = parse_worker_command(views(args));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->runner_id, c.runner_id);
  EXPECT_EQ(parsed->strategy_path, c.strategy_path);
  EXPECT_EQ(parsed->segment, c.segment);
  EXPECT_EQ(parsed->window, c.window);
  EXPECT_EQ(parsed->lua.instruction_budget, c.lua.instruction_budget);
  EXPECT_EQ(parsed->lua.memory_limit_bytes, c.lua.memory_limit_bytes);
  EXPECT_EQ(parsed->broker.fee_bps, c.broker.fee_bps);
  EXPECT_EQ(parsed->broker.slippage_bps, c.broker.slippage_bps);
  EXPECT_EQ(parsed->max_consecutive_errors, 7u);
  EXPECT_EQ(parsed->log_level, "debug");
  EXPECT_EQ(parsed->credential_fd, 3);
  EXPECT_EQ(parsed->nice, 5);
  EXPECT_EQ(parsed->segment_fd, 4);
  EXPECT_EQ(parsed->strategy_fd, 5);
  EXPECT_EQ(parsed->seccomp, "log");
}

TEST(WorkerCommand, AnythingMissingUnknownOrMalformedIsAUsageError) {
  auto args = to_args(sample());
  auto without_window = args;
  for (size_t i = 0; i < without_window.size(); i += 2) {
    if (without_window[i] == "--window") without_window.erase(without_window.begin() + long(i), without_window.begin() + long(i) + 2);
  }
  EXPECT_EQ(parse_worker_command(views(without_window)).error().code, ErrorCode::Usage);
  auto unknown = args;
  unknown.insert(unknown.end(), {"--bogus", "1"});
  EXPECT_FALSE(parse_worker_command(views(unknown)));
  auto bad = args;
  for (size_t i = 0; i < bad.size(); i += 2) {
    if (bad[i] == "--nice") bad[i + 1] = "20";
    if (bad[i] == "--window") bad[i + 1] = "ten";
  }
  EXPECT_FALSE(parse_worker_command(views(bad)));
  auto bad_filter = to_args(sample());
  for (size_t i = 0; i < bad_filter.size(); i += 2) {
    if (bad_filter[i] == "--seccomp") bad_filter[i + 1] = "strict";
  }
  EXPECT_EQ(parse_worker_command(views(bad_filter)).error().code, ErrorCode::Usage);
  args.pop_back();
  EXPECT_FALSE(parse_worker_command(views(args)));
}

TEST(WorkerCommand, ThePreviousWriterCheckReadsTheSegmentFromArgv) {
  std::vector<std::string> argv{"/usr/bin/strat-worker"};
  for (auto& a : to_args(sample())) argv.push_back(a);
  EXPECT_EQ(segment_of(argv), "stratd.abc.btc_ema");
  argv[0] = "/usr/bin/sleep";
  EXPECT_FALSE(segment_of(argv));
  EXPECT_FALSE(segment_of({"strat-worker", "--runner-id", "x"}));
}
