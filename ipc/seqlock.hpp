#pragma once
// A sequence lock over memory shared between processes. One writer, any
// number of readers, no mutex: a writer that dies mid-write cannot block
// anyone, it only leaves the counter odd, which readers detect.
//
// Writer: counter goes odd, release fence, data, counter goes even (release).
// Reader: counter (acquire), copy, acquire fence, counter again; the copy is
// good if both reads saw the same even value.
#include <atomic>
#include <cstdint>

namespace stratd::ipc {

static_assert(std::atomic<uint64_t>::is_always_lock_free, "seqlock needs lock-free 64-bit atomics");

// Marks the start of a write and returns the odd value to pass to end_write.
// A counter that is already odd (a writer died mid-write) stays odd.
inline uint64_t begin_write(std::atomic<uint64_t>& seq) {
  uint64_t s = seq.load(std::memory_order_relaxed);
  if ((s & 1) == 0) {
    ++s;
    seq.store(s, std::memory_order_relaxed);
  }
  std::atomic_thread_fence(std::memory_order_release);
  return s;
}

inline void end_write(std::atomic<uint64_t>& seq, uint64_t odd) {
  seq.store(odd + 1, std::memory_order_release);
}

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

enum class ReadOutcome {
  Ok,
  WriteInProgress,  // the counter stayed odd for every attempt
  Torn,             // the counter kept moving under the reader
};

// Runs `copy` until it observes a stable, even counter, or gives up after
// `attempts`. `copy` must only copy bytes out; it may run several times.
template <class CopyFn>
ReadOutcome read_consistent(const std::atomic<uint64_t>& seq, CopyFn&& copy, int attempts = 64,
                            uint64_t* observed = nullptr) {
  bool saw_odd = false;
  for (int i = 0; i < attempts; ++i) {
    const uint64_t s1 = seq.load(std::memory_order_acquire);
    if (s1 & 1) {
      saw_odd = true;
      cpu_relax();
      continue;
    }
    copy();
    std::atomic_thread_fence(std::memory_order_acquire);
    const uint64_t s2 = seq.load(std::memory_order_relaxed);
    if (s1 == s2) {
      if (observed) *observed = s1;
      return ReadOutcome::Ok;
    }
  }
  return saw_odd ? ReadOutcome::WriteInProgress : ReadOutcome::Torn;
}

}  // namespace stratd::ipc
