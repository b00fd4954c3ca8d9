// stratctl's table layout and number formats: widths by characters, not
// bytes or colour codes; right-aligned numbers; clipping; no escape code
// at all without colour.
#include <gtest/gtest.h>

#include "cli/format.hpp"
#include "cli/style.hpp"
#include "cli/table.hpp"

using namespace stratd::cli;

TEST(StratctlTable, ColumnsFitTheirWidestCell) {
  Table t;
  t.add_column("ID");
  t.add_column("TICKS", Table::Align::Right);
  t.add_column("STATE");
  t.add_row({{"alpha"}, {"7"}, {"Idle"}});
  t.add_row({{"b"}, {"12345"}, {""}});
  EXPECT_EQ(t.render(false),
            "ID     TICKS  STATE\n"
            "alpha      7  Idle\n"
            "b      12345\n");
}

TEST(StratctlTable, ColourCodesAndUtf8DoNotCountAsWidth) {
  Table t;
  t.add_column("A");
  t.add_column("B");
  t.add_row({{"é€", Style::Green}, {"x"}});
  const std::string plain = t.render(false);
  EXPECT_EQ(plain, "A   B\né€  x\n");
  EXPECT_EQ(plain.find('\x1b'), std::string::npos);
  const std::string coloured = t.render(true);
  EXPECT_NE(coloured.find("\x1b[32mé€\x1b[0m  x"), std::string::npos) << coloured;
  EXPECT_NE(coloured.find("\x1b[1mA\x1b[0m"), std::string::npos);
}

TEST(StratctlTable, ClipsToAWidth) {
  Table t;
  t.add_column("NAME");
  t.add_column("VALUE");
  t.add_row({{"one"}, {"abcdefgh"}});
  EXPECT_EQ(t.render(false, 9), "NAME  VAL\none   abc\n");
  EXPECT_EQ(t.render(false, 3), "NAM\none\n");
  EXPECT_EQ(clip_text("é€x", 2), "é€");
  EXPECT_EQ(text_width("é€x"), 3u);
}

TEST(StratctlTable, WithoutHeader) {
  Table t;
  t.add_column("");
  t.add_column("");
  t.hide_header();
  t.add_row({{"status"}, {"healthy"}});
  t.add_row({{"pid"}, {"42"}});
  EXPECT_EQ(t.render(false), "status  healthy\npid     42\n");
}

TEST(StratctlStyle, ColourOnlyOnATerminalWithoutNoColor) {
  EXPECT_TRUE(want_color(true, nullptr, false));
  EXPECT_FALSE(want_color(false, nullptr, false));
  EXPECT_FALSE(want_color(true, "", false));  // set, even empty
  EXPECT_FALSE(want_color(true, "1", false));
  EXPECT_FALSE(want_color(true, nullptr, true));
  EXPECT_EQ(paint("x", Style::Red, false), "x");
  EXPECT_EQ(paint("x", Style::Red, true), "\x1b[31mx\x1b[0m");
}

TEST(StratctlFormat, Numbers) {
  EXPECT_EQ(duration_text(42), "42s");
  EXPECT_EQ(duration_text(307), "5m07s");
  EXPECT_EQ(duration_text(3 * 3600 + 4 * 60 + 5), "3h04m");
  EXPECT_EQ(duration_text(2 * 86400 + 5 * 3600), "2d05h");
  EXPECT_EQ(age_text(120), "120ms");
  EXPECT_EQ(age_text(3456), "3.4s");
  EXPECT_EQ(age_text(61'000), "1m01s");
  EXPECT_EQ(bytes_text(512), "512B");
  EXPECT_EQ(bytes_text(1536), "1.50KiB");
  EXPECT_EQ(bytes_text(23'456'789), "22.4MiB");
  EXPECT_EQ(bytes_text(1ull << 30), "1.00GiB");
  EXPECT_EQ(fixed_text(-0.001, 2), "0.00");
  EXPECT_EQ(signed_text(12.5, 2), "+12.50");
  EXPECT_EQ(signed_text(-3.2, 2), "-3.20");
  EXPECT_EQ(signed_text(0.0, 2), "0.00");
  EXPECT_EQ(utc_time_text(1764636000250), "2025-12-02T00:40:00.250Z");
  EXPECT_EQ(utc_time_text(1764636000250, false), "2025-12-02T00:40:00Z");
  EXPECT_EQ(utc_time_text(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(seconds_text(std::chrono::milliseconds(2500)), "2.5 s");
  EXPECT_EQ(seconds_text(std::chrono::milliseconds(10000)), "10 s");
}
