#include "ipc/segment.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <boost/interprocess/shared_memory_object.hpp>

#include "common/clock.hpp"
#include "ipc/seqlock.hpp"

namespace stratd::ipc {
namespace bip = boost::interprocess;

namespace {
constexpr uint32_t kMaxWindow = 1'000'000;

Status check_header(const SegmentHeader& h, uint64_t mapped) {
  if (h.magic.load(std::memory_order_acquire) != kSegmentMagic)
    return fail(ErrorCode::SegmentInvalid, "bad magic");
  if (h.layout_version != kLayoutVersion) return fail(ErrorCode::SegmentInvalid, "layout version mismatch");
  if (h.snapshot_capacity != kSnapshotCapacity)
    return fail(ErrorCode::SegmentInvalid, "snapshot capacity mismatch");
  if (h.window_capacity == 0 || h.window_capacity > kMaxWindow)
    return fail(ErrorCode::SegmentInvalid, "bad window capacity");
  if (h.slot_bytes != slot_bytes_for(h.window_capacity) ||
      h.total_bytes != segment_bytes_for(h.window_capacity) || h.total_bytes > mapped)
    return fail(ErrorCode::SegmentInvalid, "size mismatch");
  return ok();
}
}  // namespace

std::string segment_name(std::string_view instance, std::string_view runner_id) {
  return "stratd." + std::string(instance) + "." + std::string(runner_id);
}

SlotHeader& SegmentMapping::slot(uint32_t i) const {
  auto* base = static_cast<uint8_t*>(region_.get_address()) + sizeof(SegmentHeader);
  return *reinterpret_cast<SlotHeader*>(base + i * slot_bytes_);
}

uint8_t* SegmentMapping::snapshot_area(uint32_t i) const {
  return reinterpret_cast<uint8_t*>(&slot(i)) + sizeof(SlotHeader);
}

Bar* SegmentMapping::ring(uint32_t i) const {
  return reinterpret_cast<Bar*>(snapshot_area(i) + kSnapshotCapacity);
}

Expected<SegmentMapping> SegmentMapping::create(const std::string& name, uint32_t window_capacity) {
  if (window_capacity == 0 || window_capacity > kMaxWindow)
    return fail(ErrorCode::SegmentInvalid, "window capacity out of range");
  if (auto existing = open(name, true); existing && existing->window_capacity() == window_capacity)
    return existing;
  try {
    bip::shared_memory_object::remove(name.c_str());
    // Only stratd's user may read a runner's state: /dev/shm is shared by
    // every user of the host (and Boost's default is 0644, umask ignored).
    bip::shared_memory_object shm(bip::create_only, name.c_str(), bip::read_write, bip::permissions(0600));
    const uint64_t total = segment_bytes_for(window_capacity);
    shm.truncate(bip::offset_t(total));  // zero-filled by the kernel
    SegmentMapping m;
    m.region_ = bip::mapped_region(shm, bip::read_write, 0, total);
    m.window_ = window_capacity;
    m.slot_bytes_ = slot_bytes_for(window_capacity);
    auto& h = m.header();
    h.layout_version = kLayoutVersion;
    h.window_capacity = window_capacity;
    h.snapshot_capacity = kSnapshotCapacity;
    h.slot_bytes = m.slot_bytes_;
    h.total_bytes = total;
    h.magic.store(kSegmentMagic, std::memory_order_release);
    return m;
  } catch (const bip::interprocess_exception& e) {
    return fail(ErrorCode::SegmentError, std::string("create ") + name + ": " + e.what());
  }
}

Expected<SegmentMapping> SegmentMapping::checked(bip::mapped_region region, uint64_t size) {
  SegmentMapping m;
  m.region_ = std::move(region);
  if (auto s = check_header(m.header(), size); !s) return Unexpected<Error>{s.error()};
  m.window_ = m.header().window_capacity;
  m.slot_bytes_ = m.header().slot_bytes;
  return m;
}

Expected<SegmentMapping> SegmentMapping::open(const std::string& name, bool writable) {
  try {
    const auto mode = writable ? bip::read_write : bip::read_only;
    bip::shared_memory_object shm(bip::open_only, name.c_str(), mode);
    bip::offset_t size = 0;
    if (!shm.get_size(size) || uint64_t(size) < sizeof(SegmentHeader))
      return fail(ErrorCode::SegmentInvalid, "segment too small");
    return checked(bip::mapped_region(shm, mode, 0, size_t(size)), uint64_t(size));
  } catch (const bip::interprocess_exception& e) {
    return fail(ErrorCode::SegmentError, std::string("open ") + name + ": " + e.what());
  }
}

namespace {
// What Boost maps: anything that names its descriptor and its mode.
struct InheritedDescriptor {
  int fd;
  bip::mode_t mode;
  bip::mapping_handle_t get_mapping_handle() const {
    bip::mapping_handle_t h;
    h.handle = fd;
    h.is_xsi = false;
    return h;
  }
  bip::mode_t get_mode() const { return mode; }
};
}  // namespace

Expected<SegmentMapping> SegmentMapping::open_fd(int fd, bool writable) {
  struct stat st{};
  if (fstat(fd, &st) != 0) return fail(ErrorCode::SegmentError, std::string("segment descriptor: ") + strerror(errno));
  if (uint64_t(st.st_size) < sizeof(SegmentHeader)) return fail(ErrorCode::SegmentInvalid, "segment too small");
  try {
    const auto mode = writable ? bip::read_write : bip::read_only;
    return checked(bip::mapped_region(InheritedDescriptor{fd, mode}, mode, 0, size_t(st.st_size)), uint64_t(st.st_size));
  } catch (const bip::interprocess_exception& e) {
    return fail(ErrorCode::SegmentError, std::string("map segment descriptor: ") + e.what());
  }
}

bool SegmentMapping::remove(const std::string& name) {
  return bip::shared_memory_object::remove(name.c_str());
}

bool SegmentMapping::exists(const std::string& name) {
  try {
    bip::shared_memory_object shm(bip::open_only, name.c_str(), bip::read_only);
    return true;
  } catch (const bip::interprocess_exception&) {
    return false;
  }
}

// ---------------------------------------------------------------- writer

SegmentWriter::SegmentWriter(SegmentMapping mapping) : m_(std::move(mapping)) {}

std::optional<CommittedState> SegmentWriter::restore() const {
  auto st = SegmentReader(m_).committed(m_.window_capacity());
  if (!st) return std::nullopt;
  return std::move(*st);
}

void SegmentWriter::attach(int32_t pid) {
  for (uint32_t i = 0; i < kSlotCount; ++i) {
    // A slot left odd was being written when its writer died: its bytes are
    // not to be patched incrementally.
    full_rewrite_[i] = (m_.slot(i).seq.load(std::memory_order_relaxed) & 1) != 0 ||
                       m_.slot(i).generation == 0;
  }
  m_.header().worker_pid.store(pid, std::memory_order_release);
  heartbeat();
}

void SegmentWriter::detach() { m_.header().worker_pid.store(0, std::memory_order_release); }

void SegmentWriter::heartbeat() {
  m_.header().heartbeat_mono_ns.store(mono_ns(), std::memory_order_release);
}

bool SegmentWriter::commit(std::string_view snapshot, const BarRing& bars) {
  return commit_to(m_, full_rewrite_, snapshot, bars);
}

bool SegmentWriter::seed(const SegmentMapping& m, std::string_view snapshot) {
  bool full_rewrite[kSlotCount] = {true, true};
  return commit_to(m, full_rewrite, snapshot, BarRing(m.window_capacity()));
}

bool SegmentWriter::commit_to(const SegmentMapping& m, bool (&full_rewrite)[kSlotCount], std::string_view snapshot,
                              const BarRing& bars) {
  if (snapshot.size() > kSnapshotCapacity) return false;
  auto& h = m.header();
  const uint32_t latest = h.latest_slot.load(std::memory_order_relaxed) % kSlotCount;
  const uint64_t commits = h.commits.load(std::memory_order_relaxed);
  // Before the first commit both slots are empty; start with slot 0.
  const uint32_t target = commits == 0 ? 0 : 1 - latest;
  auto& slot = m.slot(target);
  Bar* ring = m.ring(target);
  const uint32_t cap = m.window_capacity();

  const uint64_t odd = begin_write(slot.seq);
  // Copy only the bars this slot has not seen yet (usually one or two).
  const uint64_t total = bars.total();
  const uint64_t window_start = total - bars.size();
  uint64_t from = full_rewrite[target] ? window_start : slot.bars_total;
  if (from < window_start || from > total) from = window_start;
  for (uint64_t n = from; n < total; ++n) ring[n % cap] = bars.at_absolute(n);
  std::memcpy(m.snapshot_area(target), snapshot.data(), snapshot.size());
  slot.snapshot_len = uint32_t(snapshot.size());
  slot.bars_total = total;
  slot.generation = commits + 1;
  end_write(slot.seq, odd);
  full_rewrite[target] = false;

  h.latest_slot.store(target, std::memory_order_release);
  h.commits.store(commits + 1, std::memory_order_release);
  return true;
}

// ---------------------------------------------------------------- reader

// Copies from the newest consistent slot that the header says is
// published. The writer completes a slot before it stores the header, so a
// slot can hold a whole commit that `commits` does not count yet; taking it
// then, and the header's older slot on the next read, would move a reader
// backwards. `copy(slot_index, header_copy, generation)` must only read;
// it may run several times.
template <class CopyFn>
ReadStatus SegmentReader::read_newest(CopyFn&& copy) const {
  const auto& h = m_.header();
  bool busy = false;
  for (int attempt = 0; attempt < 4; ++attempt) {
    const uint32_t latest = h.latest_slot.load(std::memory_order_acquire) % kSlotCount;
    const uint64_t commits = h.commits.load(std::memory_order_acquire);
    if (commits == 0) return ReadStatus::Empty;
    uint64_t gens[kSlotCount] = {};
    for (uint32_t k = 0; k < kSlotCount; ++k) {
      const uint32_t i = (latest + k) % kSlotCount;
      const auto& slot = m_.slot(i);
      if (read_consistent(slot.seq, [&] { gens[i] = slot.generation; }) != ReadOutcome::Ok) {
        gens[i] = 0;
        busy = true;
        continue;
      }
      // The slot the header points at holds the newest commit: done.
      if (k == 0 && gens[i] == commits) break;
    }
    // Read after the slots: whatever it counts was complete before. A
    // writer is at most one commit ahead of it; more is garbage.
    const uint64_t published = h.commits.load(std::memory_order_acquire);
    int best_slot = -1;
    for (uint32_t i = 0; i < kSlotCount; ++i) {
      if (gens[i] > published + 1) return ReadStatus::Corrupt;
      if (gens[i] > 0 && gens[i] <= published && (best_slot < 0 || gens[i] > gens[best_slot])) best_slot = int(i);
    }
    if (best_slot < 0) continue;  // the writer moved on meanwhile: look again
    const auto& slot = m_.slot(uint32_t(best_slot));
    bool sane = true;
    uint64_t gen = 0;
    auto outcome = read_consistent(slot.seq, [&] {
      gen = slot.generation;
      sane = copy(uint32_t(best_slot), slot, gen);
    });
    if (outcome != ReadOutcome::Ok) return ReadStatus::Busy;
    // Rewritten since it was chosen (with a commit maybe not published
    // yet): choose again.
    if (gen != gens[best_slot]) continue;
    if (!sane) return ReadStatus::Corrupt;
    return ReadStatus::Ok;
  }
  return busy ? ReadStatus::Busy : ReadStatus::Empty;
}

namespace {
// The newest `max_count` bars of slot i, oldest first.
void copy_bars(const SegmentMapping& m, uint32_t i, uint64_t total, size_t max_count,
               std::vector<Bar>& out) {
  const uint32_t cap = m.window_capacity();
  const uint64_t n = std::min<uint64_t>({uint64_t(max_count), total, uint64_t(cap)});
  out.resize(size_t(n));
  const Bar* ring = m.ring(i);
  for (uint64_t k = 0; k < n; ++k) out[size_t(k)] = ring[(total - n + k) % cap];
}

}  // namespace

ReadResult<std::string> SegmentReader::snapshot() const {
  std::string out;
  out.reserve(4096);
  auto st = read_newest([&](uint32_t i, const SlotHeader& slot, uint64_t) {
    const uint32_t len = slot.snapshot_len;
    if (len > kSnapshotCapacity) return false;
    out.resize(len);
    std::memcpy(out.data(), m_.snapshot_area(i), len);
    return true;
  });
  if (st != ReadStatus::Ok) return Unexpected<ReadStatus>{st};
  return out;
}

ReadResult<std::vector<Bar>> SegmentReader::history(size_t max_count) const {
  std::vector<Bar> out;
  out.reserve(std::min<size_t>(max_count, m_.window_capacity()));
  auto st = read_newest([&](uint32_t i, const SlotHeader& slot, uint64_t) {
    copy_bars(m_, i, slot.bars_total, max_count, out);
    return true;
  });
  if (st == ReadStatus::Empty) return std::vector<Bar>{};
  if (st != ReadStatus::Ok) return Unexpected<ReadStatus>{st};
  return out;
}

ReadResult<CommittedState> SegmentReader::committed(size_t max_bars) const {
  CommittedState out;
  auto st = read_newest([&](uint32_t i, const SlotHeader& slot, uint64_t gen) {
    const uint32_t len = slot.snapshot_len;
    if (len > kSnapshotCapacity) return false;
    out.snapshot.assign(reinterpret_cast<const char*>(m_.snapshot_area(i)), len);
    out.bars_total = slot.bars_total;
    out.generation = gen;
    copy_bars(m_, i, out.bars_total, max_bars, out.bars);
    return true;
  });
  if (st != ReadStatus::Ok) return Unexpected<ReadStatus>{st};
  return out;
}

int32_t SegmentReader::worker_pid() const {
  return m_.header().worker_pid.load(std::memory_order_acquire);
}

std::optional<int64_t> SegmentReader::heartbeat_age_ms() const {
  const int64_t hb = m_.header().heartbeat_mono_ns.load(std::memory_order_acquire);
  if (hb == 0) return std::nullopt;
  const int64_t age = (mono_ns() - hb) / 1'000'000;
  return age < 0 ? 0 : age;
}

uint64_t SegmentReader::commits() const {
  return m_.header().commits.load(std::memory_order_acquire);
}

bool SegmentReader::has_slot_mid_write() const {
  for (uint32_t i = 0; i < kSlotCount; ++i) {
    if (m_.slot(i).seq.load(std::memory_order_acquire) & 1) return true;
  }
  return false;
}

}  // namespace stratd::ipc
