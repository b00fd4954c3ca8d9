// Reading a child's log backwards: the tail, the rotated file before the
// live one, `since` with unstamped lines, and the byte bound.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "supervisor/logs/log_line.hpp"
#include "supervisor/logs/log_reader.hpp"

using namespace stratd::supervisor;

namespace {
struct LogDir {
  std::string dir;
  LogDir() {
    char tmpl[] = "/tmp/stratd-logs-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  ~LogDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string path() const { return dir + "/r.log"; }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir + "/" + name) << text; }
};

std::string stamped(int second, const std::string& text) {
  char buf[64];
  snprintf(buf, sizeof buf, "2026-12-02T01:00:%02d.000Z info [w] ", second);
  return buf + text;
}

std::vector<std::string> texts(const LogTail& t) {
  std::vector<std::string> out;
  for (const auto& l : t.lines) out.push_back(l.text);
  return out;
}
}  // namespace

TEST(LogLine, StampsAndTimes) {
  EXPECT_EQ(line_timestamp_ms("2026-12-02T01:00:00.250Z info [w] x"), 1796173200250);
  EXPECT_EQ(line_timestamp_ms("2026-12-02T01:00:00.250 info"), 1796173200250);
  EXPECT_FALSE(line_timestamp_ms("tick 5 line 3"));
  EXPECT_FALSE(line_timestamp_ms("2026-12-02T01:00:00.250+junk"));
  EXPECT_FALSE(line_timestamp_ms("2026-02-30T01:00:00Z"));
  EXPECT_EQ(parse_time_ms("1796173200250"), 1796173200250);
  EXPECT_EQ(parse_time_ms("2026-12-02T01:00:00Z"), 1796173200000);
  EXPECT_EQ(parse_time_ms("2026-12-02T02:00:00.5+01:00"), 1796173200500);
  EXPECT_EQ(parse_time_ms("2026-12-02T00:30:00-00:30"), 1796173200000);
  EXPECT_FALSE(parse_time_ms(""));
  EXPECT_FALSE(parse_time_ms("yesterday"));
  EXPECT_FALSE(parse_time_ms("2026-12-02T01:00:00Zjunk"));
  EXPECT_FALSE(parse_time_ms("2026-12-02T25:00:00Z"));
  EXPECT_FALSE(parse_time_ms("99999999999999999999999"));
}

TEST(LogReader, TailAcrossTheRotatedFile) {
  LogDir d;
  d.write("r.log.1", stamped(1, "a") + "\n" + stamped(2, "b") + "\n");
  d.write("r.log", stamped(3, "c") + "\n" + stamped(4, "d") + "\n" + "partial, not ended");
  LogQuery q;
  auto all = read_log_tail(d.path(), q);
  EXPECT_EQ(texts(all), (std::vector<std::string>{stamped(1, "a"), stamped(2, "b"), stamped(3, "c"), stamped(4, "d"),
                                                  "partial, not ended"}));
  EXPECT_FALSE(all.truncated);
  EXPECT_FALSE(all.lines.back().timestamp_ms);
  q.tail = 3;
  auto three = read_log_tail(d.path(), q);
  EXPECT_EQ(texts(three), (std::vector<std::string>{stamped(3, "c"), stamped(4, "d"), "partial, not ended"}));
  EXPECT_TRUE(three.truncated);
}

TEST(LogReader, SinceKeepsUnstampedLinesWithTheirLine) {
  LogDir d;
  d.write("r.log", stamped(1, "a") + "\n  trace of a\n" + stamped(2, "b") + "\n  trace of b\n  more of b\n" +
                       stamped(3, "c") + "\n");
  LogQuery q;
  q.since_ms = *line_timestamp_ms(stamped(2, ""));
  EXPECT_EQ(texts(read_log_tail(d.path(), q)),
            (std::vector<std::string>{stamped(2, "b"), "  trace of b", "  more of b", stamped(3, "c")}));
  q.tail = 2;
  auto two = read_log_tail(d.path(), q);
  EXPECT_EQ(texts(two), (std::vector<std::string>{"  more of b", stamped(3, "c")}));
  EXPECT_TRUE(two.truncated);
  // Unstamped lines at the very start have no known time: not shown.
  d.write("r.log", std::string("orphan\n") + stamped(5, "e") + "\n");
  q.tail = 100;
  q.since_ms = 0;
  EXPECT_EQ(texts(read_log_tail(d.path(), q)), (std::vector<std::string>{stamped(5, "e")}));
}

TEST(LogReader, BoundedScanAndLongLines) {
  LogDir d;
  std::string big;
  for (int i = 0; i < 2000; ++i) big += stamped(1, std::string(100, 'x')) + "\n";
  d.write("r.log", big + std::string(50'000, 'y') + "\n");
  LogQuery q;
  q.tail = 10000;
  q.max_scan_bytes = 64 * 1024;
  q.max_line_bytes = 1000;
  auto t = read_log_tail(d.path(), q);
  EXPECT_TRUE(t.truncated);
  ASSERT_FALSE(t.lines.empty());
  EXPECT_EQ(t.lines.back().text, std::string(1000, 'y'));
  EXPECT_LT(t.lines.size(), 2000u);
  // No file, no lines; a directory is not a log.
  EXPECT_TRUE(read_log_tail(d.dir + "/none.log", LogQuery{}).lines.empty());
  EXPECT_TRUE(read_log_tail(d.dir, LogQuery{}).lines.empty());
}
