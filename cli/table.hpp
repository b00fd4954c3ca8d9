#pragma once
// A text table: columns sized to their widest cell, numbers aligned right,
// each cell styled on its own. Widths count characters, not bytes, and
// never include colour codes. Pure: the caller decides on colour and on
// the width to clip to (a terminal's), so the layout has unit tests.
#include <cstddef>
#include <string>
#include <vector>

#include "cli/style.hpp"

namespace stratd::cli {

struct Cell {
  std::string text;
  Style style = Style::Plain;
};

class Table {
 public:
  enum class Align { Left, Right };

  void add_column(std::string header, Align align = Align::Left);
  // A row with fewer cells than columns is padded with empty cells.
  void add_row(std::vector<Cell> cells);
  size_t rows() const { return rows_.size(); }

  // Without a header line, for key/value listings.
  void hide_header() { header_ = false; }

  // Every line ends in '\n'; none has trailing blanks. With max_width > 0
  // each line is cut to that many characters.
  std::string render(bool color, size_t max_width = 0) const;

 private:
  struct Column {
    std::string header;
    Align align;
  };
  std::vector<Column> columns_;
  std::vector<std::vector<Cell>> rows_;
  bool header_ = true;
};

// Characters in UTF-8 text (continuation bytes not counted).
size_t text_width(const std::string& text);
// The first `width` characters of UTF-8 text.
std::string clip_text(const std::string& text, size_t width);

}  // namespace stratd::cli
