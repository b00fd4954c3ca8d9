#include "supervisor/logs/log_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "supervisor/logs/log_line.hpp"

namespace stratd::supervisor {
namespace {

constexpr size_t kChunk = 64 * 1024;

// Yields a file's lines last first. O_NOFOLLOW: a log is a file stratd
// made, never a link somewhere else; O_NONBLOCK: nor a FIFO to hang on.
class ReverseLines {
 public:
  explicit ReverseLines(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st{};
    if (fd_ >= 0 && (fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode))) close_fd();
    if (fd_ >= 0) offset_ = uint64_t(st.st_size);
  }
  ~ReverseLines() { close_fd(); }
  ReverseLines(const ReverseLines&) = delete;
  ReverseLines& operator=(const ReverseLines&) = delete;

  // The previous line into `out`; false at the start of the file, or when
  // `budget` (bytes still allowed to be read) is spent (then `exhausted`).
  bool previous(std::string& out, uint64_t& budget, bool& exhausted) {
    while (true) {
      // A line is whole once its start is known: a '\n' before it, or the
      // start of the file.
      const size_t nl = end_ == 0 ? std::string::npos : buf_.rfind('\n', end_ - 1);
      if (nl != std::string::npos) {
        out.assign(buf_, nl + 1, end_ - nl - 1);
        end_ = nl;
        return true;
      }
      if (offset_ == 0) {
        if (end_ == 0) return false;
        out.assign(buf_, 0, end_);
        end_ = 0;
        return true;
      }
      if (budget == 0) {
        exhausted = true;
        return false;
      }
      const size_t n = size_t(std::min<uint64_t>({kChunk, offset_, budget}));
      std::string chunk(n, '\0');
      if (::pread(fd_, chunk.data(), n, off_t(offset_ - n)) != ssize_t(n)) {
        offset_ = 0;  // cut short under us (rotated): what was read is all
        continue;
      }
      const bool first = !read_any_;
      read_any_ = true;
      offset_ -= n;
      budget -= n;
      buf_.erase(end_);
      buf_.insert(0, chunk);
      end_ = buf_.size();
      // The file's final newline ends its last line; it starts none.
      if (first && buf_.back() == '\n') --end_;
    }
  }

 private:
  void close_fd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    offset_ = 0;
  }
  int fd_ = -1;
  uint64_t offset_ = 0;  // bytes of the file not read yet (from its start)
  std::string buf_;      // read, from `offset_` on
  size_t end_ = 0;       // buf_[0, end_) is not yielded yet
  bool read_any_ = false;
};

}  // namespace

LogTail read_log_tail(const std::string& log_path, const LogQuery& q) {
  LogTail result;
  std::vector<LogLine> newest_first;
  std::vector<LogLine> unplaced;  // unstamped lines, newest first, waiting for their stamped line
  uint64_t budget = q.max_scan_bytes;
  bool exhausted = false;
  bool done = false;

  auto take = [&](LogLine line) {
    if (newest_first.size() >= q.tail) {
      result.truncated = true;
      done = true;
      return;
    }
    newest_first.push_back(std::move(line));
  };

  std::string text;
  for (const std::string& path : {log_path, log_path + ".1"}) {
    ReverseLines lines(path);
    while (!done && lines.previous(text, budget, exhausted)) {
      if (text.size() > q.max_line_bytes) text.resize(q.max_line_bytes);
      LogLine line{text, line_timestamp_ms(text)};
      if (!q.since_ms) {
        take(std::move(line));
        continue;
      }
      if (!line.timestamp_ms) {
        unplaced.push_back(std::move(line));
        continue;
      }
      if (*line.timestamp_ms < *q.since_ms) {
        done = true;  // it and everything before it is older
        break;
      }
      // Newest first: the lines after it, then it.
      for (auto& u : unplaced) {
        take(std::move(u));
        if (done) break;
      }
      unplaced.clear();
      if (!done) take(std::move(line));
    }
    if (done || exhausted) break;
  }
  if (exhausted && !done) result.truncated = true;
  // With `since`, unstamped lines left at the very start have no known
  // time: they are not shown.
  std::reverse(newest_first.begin(), newest_first.end());
  result.lines = std::move(newest_first);
  return result;
}

}  // namespace stratd::supervisor
