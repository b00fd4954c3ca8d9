#include "supervisor/logs/log_follower.hpp"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "supervisor/logs/log_line.hpp"

namespace stratd::supervisor {
namespace {
// What one wake-up reads of one log at most; the rest waits for the next
// turn of the loop, so a chatty strategy cannot hold the hub's thread.
constexpr size_t kReadPerTurn = 256 * 1024;
constexpr size_t kMaxLine = 16 * 1024;
}  // namespace

LogFollower::LogFollower(boost::asio::io_context& hub_io, std::string log_dir,
                         std::function<bool(const std::string&)> runner_exists)
    : io_(hub_io), log_dir_(std::move(log_dir)), runner_exists_(std::move(runner_exists)), inotify_(hub_io) {
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    spdlog::warn("no live log tails: inotify: {}", strerror(errno));
    return;
  }
  // Writes (IN_MODIFY) and rotation's truncate are both modifications.
  if (inotify_add_watch(fd, log_dir_.c_str(), IN_MODIFY | IN_CREATE) < 0) {
    spdlog::warn("no live log tails: watching {}: {}", log_dir_, strerror(errno));
    ::close(fd);
    return;
  }
  inotify_.assign(fd);
}

LogFollower::~LogFollower() {
  boost::system::error_code ec;
  inotify_.close(ec);
}

void LogFollower::follow(const std::string& runner_id, std::weak_ptr<LogListener> listener) {
  auto [it, fresh] = logs_.try_emplace(runner_id);
  if (fresh) {
    struct stat st{};
    it->second.offset = ::stat(path_of(runner_id).c_str(), &st) == 0 ? uint64_t(st.st_size) : 0;
  }
  auto& ls = it->second.listeners;
  const auto* raw = listener.lock().get();
  const bool already = std::any_of(ls.begin(), ls.end(), [&](const auto& w) { return w.lock().get() == raw; });
  if (!already) ls.push_back(std::move(listener));
  if (!watching_ && inotify_.is_open()) watch();
}

void LogFollower::unfollow(const std::string& runner_id, const LogListener* listener) {
  auto it = logs_.find(runner_id);
  if (it == logs_.end()) return;
  auto& ls = it->second.listeners;
  ls.erase(std::remove_if(ls.begin(), ls.end(),
                          [&](const auto& w) {
                            auto l = w.lock();
                            return !l || l.get() == listener;
                          }),
           ls.end());
  if (ls.empty()) logs_.erase(it);
}

void LogFollower::watch() {
  watching_ = true;
  inotify_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
    watching_ = false;
    if (ec) return;
    on_notify();
    if (!logs_.empty()) watch();
  });
}

void LogFollower::on_notify() {
  // Which followed logs changed; the events themselves are only a nudge.
  std::vector<std::string> changed;
  while (true) {
    const ssize_t n = ::read(inotify_.native_handle(), events_buf_.data(), events_buf_.size());
    if (n <= 0) break;
    for (ssize_t at = 0; at < n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(events_buf_.data() + at);
      at += ssize_t(sizeof(inotify_event) + ev->len);
      if (ev->mask & IN_Q_OVERFLOW) {
        for (const auto& [id, f] : logs_) changed.push_back(id);
        continue;
      }
      if (ev->len == 0) continue;
      const std::string_view name(ev->name);
      if (name.size() <= 4 || name.substr(name.size() - 4) != ".log") continue;
      const std::string id(name.substr(0, name.size() - 4));
      if (logs_.count(id) && std::find(changed.begin(), changed.end(), id) == changed.end()) changed.push_back(id);
    }
  }
  for (const auto& id : changed) {
    if (auto it = logs_.find(id); it != logs_.end()) read_new(id, it->second);
  }
}

void LogFollower::read_new(const std::string& runner_id, Followed& f) {
  const int fd = ::open(path_of(runner_id).c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st{};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return;
  }
  if (uint64_t(st.st_size) < f.offset) {  // rotated: the file started again
    f.offset = 0;
    f.partial.clear();
  }
  const size_t want = size_t(std::min<uint64_t>(uint64_t(st.st_size) - f.offset, kReadPerTurn));
  std::string chunk(want, '\0');
  const ssize_t got = want ? ::pread(fd, chunk.data(), want, off_t(f.offset)) : 0;
  ::close(fd);
  if (got <= 0) return;
  chunk.resize(size_t(got));
  f.offset += uint64_t(got);
  std::vector<LogLine> lines;
  size_t start = 0;
  for (size_t nl; (nl = chunk.find('\n', start)) != std::string::npos; start = nl + 1) {
    f.partial.append(chunk, start, nl - start);
    if (f.partial.size() > kMaxLine) f.partial.resize(kMaxLine);
    lines.push_back(LogLine{std::move(f.partial), std::nullopt});
    f.partial.clear();
  }
  f.partial.append(chunk, start, std::string::npos);
  if (f.partial.size() > kMaxLine) {  // a line without end: shown in pieces
    lines.push_back(LogLine{std::move(f.partial), std::nullopt});
    f.partial.clear();
  }
  for (auto& l : lines) l.timestamp_ms = line_timestamp_ms(l.text);
  auto& ls = f.listeners;
  ls.erase(std::remove_if(ls.begin(), ls.end(), [](const auto& w) { return w.expired(); }), ls.end());
  for (const auto& w : ls) {
    if (auto l = w.lock()) {
      for (const auto& line : lines) l->on_log_line(runner_id, line);
    }
  }
  if (ls.empty()) {
    logs_.erase(runner_id);
    return;
  }
  // More than one turn's worth was waiting: the rest on the next turn.
  if (uint64_t(st.st_size) > f.offset) {
    boost::asio::post(io_, [this, runner_id] {
      if (auto it = logs_.find(runner_id); it != logs_.end()) read_new(runner_id, it->second);
    });
  }
}

}  // namespace stratd::supervisor
