#pragma once
// What stratd knows about one runner: its configuration, its worker
// process, and where its lifecycle stands.
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "ipc/segment.hpp"
#include "supervisor/child_process.hpp"
#include "supervisor/process_stats.hpp"
#include "supervisor/restart_policy.hpp"

namespace stratd::supervisor {

enum class Lifecycle { Starting, Running, Stopping, Stopped, Crashed, Restarting, Failed };
std::string_view to_string(Lifecycle l);

// What a client asked for in POST /api/runners.
struct RunnerSpec {
  std::string runner_id;
  std::string symbol;
  std::string strategy_path;  // relative to the strategies directory
  uint32_t window_size = 200;
};

struct Runner {
  RunnerSpec spec;
  std::string strategy_file;  // canonical path
  int64_t created_at_ms = 0;

  Lifecycle lifecycle = Lifecycle::Stopped;
  pid_t pid = 0;
  int64_t spawned_mono_ms = 0;   // when the current worker was started
  int64_t running_since_ms = 0;  // wall clock, for uptime
  uint32_t restarts = 0;         // automatic restarts after crashes and hangs
  std::optional<ExitStatus> last_exit;
  std::string last_exit_reason;
  std::string health = "down";   // healthy | unresponsive | down

  RestartPolicy policy;
  std::string segment_name;
  std::unique_ptr<ipc::SegmentMapping> segment;
  std::unique_ptr<ipc::SegmentReader> reader;
  std::unique_ptr<boost::asio::steady_timer> backoff;
  ProcessSampler sampler;
  ProcessUsage usage;
  uint64_t persisted_commits = 0;  // the segment commit last written to the store
  // Commits whose snapshot did not decode as this runner's (an untrusted
  // worker wrote them), and the last one seen.
  mutable uint64_t segment_errors = 0;
  mutable uint64_t bad_commit = UINT64_MAX;

  // What happens when the worker being stopped has exited.
  enum class AfterStop { StayStopped, Start, Delete };
  AfterStop after_stop = AfterStop::StayStopped;
  bool hang_kill = false;  // the current worker is being killed for hanging
  std::vector<std::function<void()>> on_deleted;

  // Rendered JSON, reused while what it shows is unchanged: a dashboard
  // polls a runner thousands of times between two of its ticks.
  struct RenderedView {
    std::string key;
    std::string json;
  };
  mutable RenderedView summary_view;
  mutable RenderedView snapshot_view;

  explicit Runner(RestartPolicySettings s) : policy(s) {}
  bool has_process() const { return pid > 0; }
};

}  // namespace stratd::supervisor
