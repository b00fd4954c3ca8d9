#include "supervisor/event_hub.hpp"

#include <spdlog/spdlog.h>

#include "common/clock.hpp"
#include "common/msgpack_codec.hpp"
#include "ipc/bus.hpp"

namespace stratd::supervisor {
namespace {
constexpr size_t kMaxEventBytes = 64 * 1024;
constexpr size_t kMaxFields = 64;
}  // namespace

EventHub::EventHub(zmq::context_t& ctx, std::string endpoint, size_t journal_capacity)
    : socket_(ctx, zmq::socket_type::sub), endpoint_(std::move(endpoint)), capacity_(journal_capacity) {}

EventHub::~EventHub() { stop(); }

void EventHub::start() {
  socket_.set(zmq::sockopt::rcvhwm, 100'000);
  socket_.set(zmq::sockopt::linger, 0);
  // Refuse absurd frames before they are buffered.
  socket_.set(zmq::sockopt::maxmsgsize, int64_t(kMaxEventBytes));
  socket_.set(zmq::sockopt::subscribe, std::string(ipc::kEventPrefix));
  socket_.bind(endpoint_);
  thread_ = std::thread([this] { run(); });
}

void EventHub::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void EventHub::run() {
  while (!stop_) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    try {
      zmq::poll(&item, 1, std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      spdlog::error("event hub poll: {}", e.what());
      return;
    }
    if (!(item.revents & ZMQ_POLLIN)) continue;
    for (int n = 0; n < 1024; ++n) {
      bool malformed = false;
      auto msg = ipc::recv_message(socket_, &malformed);
      if (!msg) {
        if (!malformed) break;
        std::lock_guard lock(mu_);
        ++stats_.received;
        ++stats_.rejected;
        continue;
      }
      intake(msg->topic, msg->body);
    }
  }
}

void EventHub::intake(const std::string& topic, const std::string& body) {
  auto decoded = body.size() <= kMaxEventBytes ? msgpack_decode<Event>(body)
                                               : Expected<Event>(fail("DECODE_ERROR", "too large"));
  std::lock_guard lock(mu_);
  ++stats_.received;
  auto reject = [&](const char* why) {
    ++stats_.rejected;
    if (stats_.rejected % 1000 == 1) spdlog::warn("event rejected ({}): topic '{}'", why, topic.substr(0, 80));
  };
  if (!decoded) return reject("undecodable");
  Event& e = *decoded;
  if (size_t(e.type) >= size_t(EventType::kCount)) return reject("unknown type");
  if (is_supervisor_event(e.type)) return reject("worker claimed a supervisor event");
  if (topic != ipc::event_topic(e.runner_id)) return reject("topic does not match runner");
  if (e.data.size() > kMaxFields) return reject("too many fields");
  auto it = runners_.find(e.runner_id);
  if (it == runners_.end()) return reject("unknown runner");
  RunnerEntry& r = it->second;
  if (e.symbol != r.symbol) {
    ++r.stats.rejected;
    return reject("symbol does not match runner");
  }
  if (r.seq_known && e.runner_seq <= r.stats.last_runner_seq) {
    ++r.stats.rejected;
    return reject("sequence number replayed");
  }
  if (r.seq_known && e.runner_seq > r.stats.last_runner_seq + 1) {
    const uint64_t missing = e.runner_seq - r.stats.last_runner_seq - 1;
    r.stats.gaps += missing;
    stats_.gaps += missing;
  }
  r.stats.last_runner_seq = e.runner_seq;
  r.seq_known = true;
  journal_locked(std::move(e));
}

void EventHub::journal_locked(Event&& e) {
  e.seq = ++stats_.last_seq;
  ++stats_.accepted;
  journal_.push_back(std::move(e));
  while (journal_.size() > capacity_) journal_.pop_front();
}

uint64_t EventHub::publish(Event e) {
  if (e.timestamp_ms == 0) e.timestamp_ms = wall_ms();
  if (e.publish_ns == 0) e.publish_ns = wall_ns();
  std::lock_guard lock(mu_);
  journal_locked(std::move(e));
  return stats_.last_seq;
}

void EventHub::register_runner(const std::string& runner_id, const std::string& symbol,
                               std::optional<uint64_t> last_seq) {
  std::lock_guard lock(mu_);
  RunnerEntry entry;
  entry.symbol = symbol;
  entry.seq_known = last_seq.has_value();
  entry.stats.last_runner_seq = last_seq.value_or(0);
  runners_[runner_id] = entry;
}

void EventHub::unregister_runner(const std::string& runner_id) {
  std::lock_guard lock(mu_);
  runners_.erase(runner_id);
}

EventHubStats EventHub::stats() const {
  std::lock_guard lock(mu_);
  EventHubStats s = stats_;
  s.journal_size = journal_.size();
  return s;
}

std::optional<RunnerEventStats> EventHub::runner_stats(const std::string& runner_id) const {
  std::lock_guard lock(mu_);
  auto it = runners_.find(runner_id);
  if (it == runners_.end()) return std::nullopt;
  return it->second.stats;
}

std::vector<Event> EventHub::since(uint64_t after, size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<Event> out;
  if (journal_.empty() || limit == 0) return out;
  // The journal is ordered by seq with no holes: index arithmetic finds the start.
  const uint64_t first = journal_.front().seq;
  size_t start = after < first ? 0 : size_t(after - first + 1);
  for (size_t i = start; i < journal_.size() && out.size() < limit; ++i) out.push_back(journal_[i]);
  return out;
}

}  // namespace stratd::supervisor
