#include "supervisor/events/event_admission.hpp"

#include <cerrno>
#include <cstring>

#include <sys/random.h>

#include <spdlog/spdlog.h>

#include "common/msgpack_codec.hpp"
#include "ipc/bus.hpp"

namespace stratd::supervisor {
namespace {

// Takes as long whatever the first difference: a forger learns nothing
// from how fast a guess is refused.
bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

Expected<std::string> new_credential() {
  unsigned char raw[16];
  size_t got = 0;
  while (got < sizeof raw) {
    const ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
    if (n < 0 && errno == EINTR) continue;  // only before the kernel's pool is ready
    if (n < 0) return fail(ErrorCode::SpawnFailed, std::string("getrandom: ") + strerror(errno));
    got += size_t(n);
  }
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

void EventAdmission::register_runner(const std::string& runner_id, const std::string& symbol,
                                     std::optional<uint64_t> last_seq) {
  Entry entry;
  entry.symbol = symbol;
  entry.seq_known = last_seq.has_value();
  entry.stats.last_runner_seq = last_seq.value_or(0);
  runners_[runner_id] = std::move(entry);
}

void EventAdmission::unregister_runner(const std::string& runner_id) { runners_.erase(runner_id); }

void EventAdmission::set_credential(const std::string& runner_id, const std::string& credential) {
  auto it = runners_.find(runner_id);
  if (it == runners_.end()) return;
  it->second.previous_credential = std::move(it->second.credential);
  it->second.credential = credential;
}

void EventAdmission::count_malformed() {
  ++stats_.received;
  ++stats_.rejected;
}

std::optional<Event> EventAdmission::admit(std::string_view topic, std::string_view credential, std::string_view body) {
  ++stats_.received;
  auto reject = [&](const char* why, Entry* r = nullptr) -> std::optional<Event> {
    ++stats_.rejected;
    if (r) ++r->stats.rejected;
    if (stats_.rejected % 1000 == 1) spdlog::warn("event rejected ({}): topic '{}'", why, topic.substr(0, 80));
    return std::nullopt;
  };
  // Who it claims to be, and whether it can prove it, before anything else
  // of it is looked at.
  if (topic.substr(0, ipc::kEventPrefix.size()) != ipc::kEventPrefix) return reject("not an event topic");
  auto it = runners_.find(topic.substr(ipc::kEventPrefix.size()));
  if (it == runners_.end()) return reject("unknown runner");
  Entry& r = it->second;
  if (same_secret(credential, r.credential)) {
    r.previous_credential.clear();  // the new worker speaks: the last one is done
  } else if (!same_secret(credential, r.previous_credential)) {
    return reject("wrong credential", &r);
  }
  if (body.size() > kMaxEventBytes) return reject("too large", &r);
  auto decoded = msgpack_decode<Event>(body);
  if (!decoded) return reject("undecodable", &r);
  Event& e = *decoded;
  if (size_t(e.type) >= size_t(EventType::kCount)) return reject("unknown type", &r);
  if (is_supervisor_event(e.type)) return reject("worker claimed a supervisor event", &r);
  if (e.runner_id != it->first) return reject("runner does not match topic", &r);
  if (e.symbol != r.symbol) return reject("symbol does not match runner", &r);
  if (e.data.size() > kMaxFields) return reject("too many fields", &r);
  if (r.seq_known && e.runner_seq <= r.stats.last_runner_seq) return reject("sequence number replayed", &r);
  if (r.seq_known && e.runner_seq > r.stats.last_runner_seq + 1) {
    const uint64_t missing = e.runner_seq - r.stats.last_runner_seq - 1;
    r.stats.gaps += missing;
    stats_.gaps += missing;
  }
  r.stats.last_runner_seq = e.runner_seq;
  r.seq_known = true;
  return std::move(e);
}

std::optional<RunnerEventStats> EventAdmission::runner_stats(const std::string& runner_id) const {
  auto it = runners_.find(runner_id);
  if (it == runners_.end()) return std::nullopt;
  return it->second.stats;
}

std::vector<std::pair<std::string, RunnerEventStats>> EventAdmission::all_runner_stats() const {
  std::vector<std::pair<std::string, RunnerEventStats>> out;
  out.reserve(runners_.size());
  for (const auto& [id, entry] : runners_) out.emplace_back(id, entry.stats);
  return out;
}

}  // namespace stratd::supervisor
