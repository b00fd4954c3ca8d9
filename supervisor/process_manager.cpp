#include "supervisor/process_manager.hpp"

#include <signal.h>

#include <spdlog/spdlog.h>

namespace stratd::supervisor {

namespace {
constexpr auto kLogCheckPeriod = std::chrono::seconds(1);
}

ProcessManager::ProcessManager(boost::asio::io_context& io, uint64_t log_max_bytes)
    : io_(io), log_max_bytes_(log_max_bytes), log_timer_(io) {
  schedule_log_check();
}

ProcessManager::~ProcessManager() {
  log_timer_.cancel();
  kill_all_now();
}

// A strategy that prints on every tick must not fill the disk: each child's
// log is checked once a second while it runs.
void ProcessManager::schedule_log_check() {
  log_timer_.expires_after(kLogCheckPeriod);
  log_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    for (const auto& [pid, c] : children_) trim_log_if_large(c->log_path, log_max_bytes_);
    schedule_log_check();
  });
}

Expected<pid_t> ProcessManager::spawn(const SpawnSpec& spec, ExitHandler on_exit) {
  trim_log_if_large(spec.log_path, log_max_bytes_);
  auto child = spawn_child(spec);
  if (!child) return Unexpected<Error>{child.error()};
  const pid_t pid = child->pid;
  auto entry = std::make_unique<Child>(io_, pid, child->pidfd, std::move(on_exit), spec.log_path);
  // A pidfd becomes readable when its process exits.
  entry->pidfd.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                          [this, pid](const boost::system::error_code& ec) {
                            if (!ec) on_readable(pid);
                          });
  children_.emplace(pid, std::move(entry));
  return pid;
}

void ProcessManager::on_readable(pid_t pid) {
  auto it = children_.find(pid);
  if (it == children_.end()) return;
  std::unique_ptr<Child> child = std::move(it->second);
  children_.erase(it);
  const ExitStatus status = reap_child(child->pidfd.native_handle(), pid);
  child->kill_timer.cancel();
  child->pidfd.close();
  if (child->on_exit) child->on_exit(status);
}

void ProcessManager::stop(pid_t pid, std::chrono::milliseconds grace) {
  auto it = children_.find(pid);
  if (it == children_.end()) return;
  Child& c = *it->second;
  signal_child(c.pidfd.native_handle(), SIGTERM);
  c.kill_timer.expires_after(grace);
  c.kill_timer.async_wait([this, pid](const boost::system::error_code& ec) {
    if (ec) return;
    spdlog::warn("pid {} ignored SIGTERM for its grace period; sending SIGKILL", pid);
    kill(pid);
  });
}

void ProcessManager::kill(pid_t pid) {
  auto it = children_.find(pid);
  if (it != children_.end()) signal_child(it->second->pidfd.native_handle(), SIGKILL);
}

void ProcessManager::kill_all_now() {
  log_timer_.cancel();
  for (auto& [pid, c] : children_) {
    signal_child(c->pidfd.native_handle(), SIGKILL);
    reap_child(c->pidfd.native_handle(), pid);
    c->kill_timer.cancel();
    boost::system::error_code ec;
    c->pidfd.close(ec);
  }
  children_.clear();
}

}  // namespace stratd::supervisor
