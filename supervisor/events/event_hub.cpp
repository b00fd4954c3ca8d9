#include "supervisor/events/event_hub.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "common/clock.hpp"
#include "common/json_codec.hpp"
#include "common/msgpack_codec.hpp"
#include "ipc/bus.hpp"

namespace stratd::supervisor {
namespace {
constexpr size_t kMaxBatch = 1024;  // messages per turn, so clients get served in between

int make_eventfd() {
  const int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) throw std::runtime_error("eventfd failed");
  return fd;
}
}  // namespace

EventHub::EventHub(zmq::context_t& ctx, std::string endpoint)
    : socket_(ctx, zmq::socket_type::sub),
      endpoint_(std::move(endpoint)),
      work_(io_.get_executor()),
      bus_fd_(io_),
      monitor_(ctx, zmq::socket_type::pair),
      monitor_fd_(io_),
      wake_fd_(io_, make_eventfd()) {}

EventHub::~EventHub() { stop(); }

void EventHub::start(Sink sink) {
  sink_ = std::move(sink);
  // Per connection: what a worker has sent and stratd not yet read is
  // bounded here (1000 x 64 KiB at worst); beyond it the worker holds it.
  socket_.set(zmq::sockopt::rcvhwm, 1'000);
  socket_.set(zmq::sockopt::linger, 0);
  // A peer sending a larger message is disconnected before it is buffered.
  socket_.set(zmq::sockopt::maxmsgsize, int64_t(EventAdmission::kMaxEventBytes));
  socket_.set(zmq::sockopt::subscribe, std::string(ipc::kEventPrefix));
  socket_.bind(endpoint_);
  bus_fd_.assign(socket_.get(zmq::sockopt::fd));
  const std::string monitor_ep = "inproc://stratd-bus-monitor-" + std::to_string(reinterpret_cast<uintptr_t>(this));
  if (zmq_socket_monitor(socket_.handle(), monitor_ep.c_str(), ZMQ_EVENT_DISCONNECTED) != 0) {
    throw zmq::error_t();
  }
  monitor_.set(zmq::sockopt::linger, 0);
  monitor_.connect(monitor_ep);
  monitor_fd_.assign(monitor_.get(zmq::sockopt::fd));
  started_ = true;
  thread_ = std::thread([this] {
    watch_zmq(bus_fd_, &EventHub::drain_bus);
    watch_zmq(monitor_fd_, &EventHub::drain_monitor);
    watch_outbox();
    drain_bus();  // anything that arrived before the first wait
    drain_monitor();
    io_.run();
  });
}

void EventHub::stop() {
  if (started_) {
    started_ = false;
    // Last events (e.g. RunnerStopped at shutdown) still reach the sink.
    boost::asio::post(io_, [this] {
      drain_outbox();
      drain_bus();
      io_.stop();
    });
    if (thread_.joinable()) thread_.join();
  }
  // The descriptors belong to the ZeroMQ sockets, also after a start that
  // failed half-way: never closed here.
  if (bus_fd_.is_open()) bus_fd_.release();
  if (monitor_fd_.is_open()) monitor_fd_.release();
}

void EventHub::number_after(uint64_t last) {
  std::lock_guard lock(mu_);
  stats_.last_seq = last;
}

// ZMQ_FD only signals that the socket's state may have changed (and the
// loop's epoll is edge-triggered): after each wake-up the socket is read
// until ZMQ_EVENTS says empty, and once more after re-arming, so a message
// arriving in between is not left waiting for the next one.
void EventHub::watch_zmq(boost::asio::posix::stream_descriptor& fd, void (EventHub::*drain)()) {
  fd.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                [this, &fd, drain](const boost::system::error_code& ec) {
                  if (ec) return;
                  (this->*drain)();
                  watch_zmq(fd, drain);
                  (this->*drain)();
                });
}

void EventHub::drain_bus() {
  size_t n = 0;
  while (n < kMaxBatch && (socket_.get(zmq::sockopt::events) & ZMQ_POLLIN)) {
    bool malformed = false;
    auto msg = ipc::recv_signed_message(socket_, &malformed);
    if (!msg) {
      if (!malformed) break;
      std::lock_guard lock(mu_);
      admission_.count_malformed();
      continue;
    }
    ++n;
    std::optional<Event> e;
    {
      std::lock_guard lock(mu_);
      e = admission_.admit(msg->topic, msg->credential, msg->body);
    }
    if (e) batch_.push_back(number_and_encode(std::move(*e)));
  }
  deliver();
  // More than one turn's worth: let clients be served, then continue.
  if (n == kMaxBatch) boost::asio::post(io_, [this] { drain_bus(); });
}

void EventHub::drain_monitor() {
  while (monitor_.get(zmq::sockopt::events) & ZMQ_POLLIN) {
    // [uint16 event, uint32 value][endpoint]
    zmq::message_t head, address;
    if (!monitor_.recv(head, zmq::recv_flags::dontwait)) break;
    if (head.more()) (void)monitor_.recv(address, zmq::recv_flags::none);
    uint16_t event = 0;
    if (head.size() >= sizeof event) std::memcpy(&event, head.data(), sizeof event);
    if (event == ZMQ_EVENT_DISCONNECTED) {
      std::lock_guard lock(mu_);
      ++stats_.disconnects;
    }
  }
}

void EventHub::watch_outbox() {
  wake_fd_.async_read_some(boost::asio::buffer(&wake_buf_, sizeof wake_buf_),
                           [this](const boost::system::error_code& ec, size_t) {
                             if (ec) return;
                             drain_outbox();
                             watch_outbox();
                           });
}

void EventHub::drain_outbox() {
  std::vector<Event> local;
  {
    std::lock_guard lock(mu_);
    local.swap(outbox_);
  }
  for (auto& e : local) batch_.push_back(number_and_encode(std::move(e)));
  deliver();
}

void EventHub::deliver() {
  if (batch_.empty()) return;
  sink_(batch_);
  batch_.clear();
}

void EventHub::publish(Event e) {
  if (e.timestamp_ms == 0) e.timestamp_ms = wall_ms();
  if (e.publish_ns == 0) e.publish_ns = wall_ns();
  {
    std::lock_guard lock(mu_);
    outbox_.push_back(std::move(e));
  }
  const uint64_t one = 1;
  (void)!::write(wake_fd_.native_handle(), &one, sizeof one);
}

JournalEventPtr EventHub::number_and_encode(Event&& e) {
  {
    std::lock_guard lock(mu_);
    e.seq = ++stats_.last_seq;
    ++stats_.accepted;
  }
  e.received_ns = wall_ns();
  auto je = std::make_shared<JournalEvent>();
  je->seq = e.seq;
  je->type = e.type;
  je->publish_ns = e.publish_ns;
  je->json = event_json_text(e);
  if (auto p = position_record(e)) je->position = std::make_shared<const PositionRecord>(std::move(*p));
  je->runner_id = std::move(e.runner_id);
  je->symbol = std::move(e.symbol);
  return je;
}

void EventHub::register_runner(const std::string& runner_id, const std::string& symbol,
                               std::optional<uint64_t> last_seq) {
  std::lock_guard lock(mu_);
  admission_.register_runner(runner_id, symbol, last_seq);
}

void EventHub::unregister_runner(const std::string& runner_id) {
  std::lock_guard lock(mu_);
  admission_.unregister_runner(runner_id);
}

void EventHub::set_credential(const std::string& runner_id, const std::string& credential) {
  std::lock_guard lock(mu_);
  admission_.set_credential(runner_id, credential);
}

EventHubStats EventHub::stats() const {
  std::lock_guard lock(mu_);
  EventHubStats out = stats_;
  const auto& a = admission_.stats();
  out.received = a.received;
  out.rejected = a.rejected;
  out.gaps = a.gaps;
  return out;
}

std::optional<RunnerEventStats> EventHub::runner_stats(const std::string& runner_id) const {
  std::lock_guard lock(mu_);
  return admission_.runner_stats(runner_id);
}

std::vector<std::pair<std::string, RunnerEventStats>> EventHub::all_runner_stats() const {
  std::lock_guard lock(mu_);
  return admission_.all_runner_stats();
}

}  // namespace stratd::supervisor
