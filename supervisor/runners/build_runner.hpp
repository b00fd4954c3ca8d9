#pragma once
// The one way a Runner comes to be, whether a client adds it, stratd
// restores it at start-up, or its segment is rebuilt because a worker
// scribbled on it: its segment is opened by origin (RunnerSegment::Origin)
// and seeded from the store where it must be.
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/result.hpp"
#include "common/settings.hpp"
#include "supervisor/runners/runner.hpp"
#include "supervisor/store.hpp"

namespace stratd::supervisor {

struct RunnerDeps {
  boost::asio::io_context& io;
  const RestartPolicySettings& policy;
  std::string instance;  // names this stratd's shared-memory segments
  Store& store;
};

Expected<std::unique_ptr<Runner>> build_runner(const RunnerSpec& spec, int64_t created_at_ms,
                                               RunnerSegment::Origin origin, const RunnerDeps& deps);
// Replaces r's segment by one rebuilt from the store's copy.
Status rebuild_segment(Runner& r, const RunnerDeps& deps);

}  // namespace stratd::supervisor
