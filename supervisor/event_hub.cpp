#include "supervisor/event_hub.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "common/clock.hpp"
#include "common/json_codec.hpp"
#include "common/msgpack_codec.hpp"
#include "ipc/bus.hpp"

namespace stratd::supervisor {
namespace {
constexpr size_t kMaxEventBytes = 64 * 1024;
constexpr size_t kMaxFields = 64;
constexpr size_t kMaxBatch = 1024;  // events per hand-off to the loop
}  // namespace

EventHub::EventHub(zmq::context_t& ctx, std::string endpoint, boost::asio::io_context& io)
    : socket_(ctx, zmq::socket_type::sub), endpoint_(std::move(endpoint)), io_(io) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw std::runtime_error("eventfd failed");
}

EventHub::~EventHub() {
  stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void EventHub::start(Sink sink) {
  sink_ = std::move(sink);
  socket_.set(zmq::sockopt::rcvhwm, 100'000);
  socket_.set(zmq::sockopt::linger, 0);
  // A peer sending a larger message is disconnected before it is buffered.
  socket_.set(zmq::sockopt::maxmsgsize, int64_t(kMaxEventBytes));
  socket_.set(zmq::sockopt::subscribe, std::string(ipc::kEventPrefix));
  socket_.bind(endpoint_);
  thread_ = std::thread([this] { run(); });
}

void EventHub::stop() {
  if (stop_.exchange(true)) return;
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

void EventHub::publish(Event e) {
  if (e.timestamp_ms == 0) e.timestamp_ms = wall_ms();
  if (e.publish_ns == 0) e.publish_ns = wall_ns();
  {
    std::lock_guard lock(mu_);
    outbox_.push_back(std::move(e));
  }
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

JournalEventPtr EventHub::number_and_encode(Event&& e) {
  {
    std::lock_guard lock(mu_);
    e.seq = ++stats_.last_seq;
    ++stats_.accepted;
  }
  auto je = std::make_shared<JournalEvent>();
  je->seq = e.seq;
  je->type = e.type;
  je->publish_ns = e.publish_ns;
  je->json = to_json(e).dump(-1, ' ', false, Json::error_handler_t::replace);
  je->runner_id = std::move(e.runner_id);
  je->symbol = std::move(e.symbol);
  return je;
}

void EventHub::run() {
  std::vector<JournalEventPtr> batch;
  std::vector<Event> local;
  while (!stop_) {
    zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}, {nullptr, wake_fd_, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, 2, std::chrono::milliseconds(200));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      spdlog::error("event hub poll: {}", e.what());
      return;
    }
    if (items[1].revents & ZMQ_POLLIN) {
      uint64_t n;
      (void)!::read(wake_fd_, &n, sizeof n);
      std::lock_guard lock(mu_);
      local.swap(outbox_);
    }
    for (auto& e : local) batch.push_back(number_and_encode(std::move(e)));
    local.clear();
    if (items[0].revents & ZMQ_POLLIN) {
      while (batch.size() < kMaxBatch) {
        bool malformed = false;
        auto msg = ipc::recv_message(socket_, &malformed);
        if (!msg) {
          if (!malformed) break;
          std::lock_guard lock(mu_);
          ++stats_.received;
          ++stats_.rejected;
          continue;
        }
        if (auto e = admit(msg->topic, msg->body)) batch.push_back(number_and_encode(std::move(*e)));
      }
    }
    if (!batch.empty()) {
      // In order: one thread numbers, and the loop runs posted work FIFO.
      boost::asio::post(io_, [this, b = std::move(batch)]() mutable { sink_(std::move(b)); });
      batch.clear();
    }
  }
}

std::optional<Event> EventHub::admit(const std::string& topic, const std::string& body) {
  auto decoded = body.size() <= kMaxEventBytes ? msgpack_decode<Event>(body)
                                               : Expected<Event>(fail("DECODE_ERROR", "too large"));
  std::lock_guard lock(mu_);
  ++stats_.received;
  auto reject = [&](const char* why) -> std::optional<Event> {
    ++stats_.rejected;
    if (stats_.rejected % 1000 == 1) spdlog::warn("event rejected ({}): topic '{}'", why, topic.substr(0, 80));
    return std::nullopt;
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
  return std::move(e);
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
  return stats_;
}

std::optional<RunnerEventStats> EventHub::runner_stats(const std::string& runner_id) const {
  std::lock_guard lock(mu_);
  auto it = runners_.find(runner_id);
  if (it == runners_.end()) return std::nullopt;
  return it->second.stats;
}

}  // namespace stratd::supervisor
