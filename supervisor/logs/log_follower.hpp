#pragma once
// Live tails of runners' logs for /ws clients. One inotify watch on the
// logs directory tells, on the event hub's loop, which log grew; the new
// complete lines of a followed log go to each client that follows it.
// Clients are held weakly: one that is gone is simply dropped. A log that
// shrank was rotated (its content moved to `.1`): reading starts over.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "supervisor/logs/log_reader.hpp"

namespace stratd::supervisor {

class LogListener {
 public:
  virtual ~LogListener() = default;
  virtual void on_log_line(const std::string& runner_id, const LogLine& line) = 0;
};

class LogFollower {
 public:
  // `runner_exists` is asked on the hub's loop.
  LogFollower(boost::asio::io_context& hub_io, std::string log_dir,
              std::function<bool(const std::string&)> runner_exists);
  ~LogFollower();

  bool runner_exists(const std::string& runner_id) const { return runner_exists_(runner_id); }
  // From now on `listener` gets the runner's new lines. Hub thread only.
  void follow(const std::string& runner_id, std::weak_ptr<LogListener> listener);
  void unfollow(const std::string& runner_id, const LogListener* listener);
  size_t followed() const { return logs_.size(); }

 private:
  struct Followed {
    uint64_t offset = 0;
    std::string partial;  // the start of a line not finished yet
    std::vector<std::weak_ptr<LogListener>> listeners;
  };
  void watch();
  void on_notify();
  void read_new(const std::string& runner_id, Followed& f);
  std::string path_of(const std::string& runner_id) const { return log_dir_ + "/" + runner_id + ".log"; }

  boost::asio::io_context& io_;
  std::string log_dir_;
  std::function<bool(const std::string&)> runner_exists_;
  boost::asio::posix::stream_descriptor inotify_;
  bool watching_ = false;
  std::unordered_map<std::string, Followed> logs_;
  std::vector<char> events_buf_ = std::vector<char>(16 * 1024);
};

}  // namespace stratd::supervisor
