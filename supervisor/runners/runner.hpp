#pragma once
// What stratd knows about one runner: its configuration, its worker
// process, its segment, and where its lifecycle stands.
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "supervisor/child_process.hpp"
#include "supervisor/process_stats.hpp"
#include "supervisor/restart_policy.hpp"
#include "supervisor/runners/exit_reason.hpp"
#include "supervisor/runners/health.hpp"
#include "supervisor/runners/lifecycle.hpp"
#include "supervisor/runners/runner_segment.hpp"
#include "supervisor/runners/runner_spec.hpp"

namespace stratd::supervisor {

struct Runner {
  RunnerSpec spec;
  std::string strategy_file;  // canonical path; empty while it cannot be found
  int64_t created_at_ms = 0;

  // Changed by RunnerRegistry::handle alone, through the lifecycle table.
  LifecycleState state;
  Health health = Health::Down;

  pid_t pid = 0;
  int64_t spawned_mono_ms = 0;   // when the current worker was started
  int64_t running_since_ms = 0;  // wall clock, for uptime
  uint32_t restarts = 0;         // automatic restarts after crashes and hangs
  std::array<uint32_t, size_t(ExitKind::kCount)> restarts_by_kind{};  // the same, by why the worker was gone
  std::optional<ExitStatus> last_exit;
  std::string last_exit_reason;
  bool hang_kill = false;  // the current worker is being killed for hanging

  RestartPolicy policy;
  RunnerSegment segment;
  uint64_t persisted_commits = 0;  // the segment commit last written to the store
  boost::asio::steady_timer backoff;
  ProcessSampler sampler;
  ProcessUsage usage;
  std::vector<std::function<void()>> on_deleted;

  // Rendered JSON, reused while what it shows is unchanged: a dashboard
  // polls a runner thousands of times between two of its ticks.
  struct RenderedView {
    std::string key;
    std::string json;
  };
  mutable RenderedView summary_view;
  mutable RenderedView snapshot_view;

  Runner(RunnerSpec s, int64_t created, RunnerSegment seg, const RestartPolicySettings& policy_settings,
         boost::asio::io_context& io)
      : spec(std::move(s)), created_at_ms(created), policy(policy_settings), segment(std::move(seg)), backoff(io) {}

  Lifecycle lifecycle() const { return state.lifecycle; }
  bool has_process() const { return pid > 0; }
};

}  // namespace stratd::supervisor
