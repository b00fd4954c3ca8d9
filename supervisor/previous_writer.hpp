#pragma once
// The one thing never to risk: two workers writing one segment. A worker
// of a previous stratd may still be dying when a new one starts (it gets
// SIGKILL when its supervisor dies, but that takes a moment).
#include <cstdint>
#include <string>

namespace stratd::supervisor {

// Makes sure the worker `pid` recorded in a segment is gone: if it is
// still that segment's strat-worker, kills it and waits (up to 5 s).
// False if it is alive and will not go.
bool end_previous_writer(int32_t pid, const std::string& segment);

}  // namespace stratd::supervisor
