#pragma once
// The one thing never to risk: two workers writing one segment. A worker
// of a previous stratd may still be dying when a new one starts (it gets
// SIGKILL when its supervisor dies, but that takes a moment). Neither
// function here waits on the loop: the restore waits asynchronously, and a
// spawn that finds a writer still dying kills it and reports it, to be
// retried like any failed spawn.
#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace stratd::supervisor {

// Whether the worker `pid` recorded in `segment` is gone (or the number
// now belongs to another process). If it is still that segment's
// strat-worker, it is sent SIGKILL, and this says whether it was gone at
// once (it usually takes a moment).
bool previous_writer_gone(int32_t pid, const std::string& segment);

struct PreviousWriter {
  int32_t pid;
  std::string segment;
};

// Kills every one of `writers` that still writes its segment, all at once,
// and waits for them on the loop: `done` gets the segments whose writer
// was still alive at the deadline.
void end_previous_writers(boost::asio::io_context& io, std::vector<PreviousWriter> writers,
                          std::chrono::milliseconds deadline, std::function<void(std::set<std::string> stuck)> done);

}  // namespace stratd::supervisor
