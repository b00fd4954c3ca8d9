#pragma once
// The byte layout of a runner's shared-memory segment. Both processes map
// it; only the worker writes. Two slots, each under its own seqlock: the
// worker always writes the slot readers are not directed to, so a reader
// rarely retries, and a worker killed mid-write leaves the other slot whole.
//
//   SegmentHeader | Slot 0 | Slot 1
//   Slot = SlotHeader | snapshot bytes [snapshot_capacity] | Bar ring [window_capacity]
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "common/market_data.hpp"

namespace stratd::ipc {

inline constexpr uint64_t kSegmentMagic = 0x4745'5354'4152'5453ull;  // "STRATSEG"
inline constexpr uint32_t kLayoutVersion = 1;
inline constexpr uint32_t kSnapshotCapacity = 64 * 1024;
inline constexpr uint32_t kSlotCount = 2;

struct alignas(64) SegmentHeader {
  std::atomic<uint64_t> magic;  // written last at creation
  uint32_t layout_version;
  uint32_t window_capacity;
  uint32_t snapshot_capacity;
  uint32_t reserved;
  uint64_t slot_bytes;
  uint64_t total_bytes;
  alignas(64) std::atomic<int32_t> worker_pid;      // the worker attached now, 0 if none
  std::atomic<int64_t> heartbeat_mono_ns;           // CLOCK_MONOTONIC of the last stamp
  std::atomic<uint32_t> latest_slot;                // slot of the newest commit
  std::atomic<uint64_t> commits;                    // commits ever made
};

struct alignas(64) SlotHeader {
  std::atomic<uint64_t> seq;  // seqlock counter, odd while being written
  uint64_t generation;        // commit number held by this slot, 0 = never written
  uint64_t bars_total;        // bars ever appended; ring index = n % window_capacity
  uint32_t snapshot_len;
  uint32_t reserved;
};

static_assert(std::is_trivially_copyable_v<Bar>);
static_assert(std::atomic<int64_t>::is_always_lock_free && std::atomic<int32_t>::is_always_lock_free);

inline constexpr uint64_t slot_bytes_for(uint32_t window_capacity) {
  const uint64_t raw = sizeof(SlotHeader) + kSnapshotCapacity + uint64_t(window_capacity) * sizeof(Bar);
  return (raw + 63) & ~uint64_t(63);
}

inline constexpr uint64_t segment_bytes_for(uint32_t window_capacity) {
  return sizeof(SegmentHeader) + kSlotCount * slot_bytes_for(window_capacity);
}

}  // namespace stratd::ipc
