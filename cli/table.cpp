#include "cli/table.hpp"

#include <algorithm>

namespace stratd::cli {
namespace {
constexpr size_t kGap = 2;
}  // namespace

size_t text_width(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

std::string clip_text(const std::string& text, size_t width) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (chars == width) return text.substr(0, i);
      ++chars;
    }
  }
  return text;
}

void Table::add_column(std::string header, Align align) { columns_.push_back({std::move(header), align}); }

void Table::add_row(std::vector<Cell> cells) {
  cells.resize(std::max(cells.size(), columns_.size()));
  rows_.push_back(std::move(cells));
}

std::string Table::render(bool color, size_t max_width) const {
  std::vector<size_t> widths(columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    widths[c] = header_ ? text_width(columns_[c].header) : 0;
    for (const auto& row : rows_) widths[c] = std::max(widths[c], text_width(row[c].text));
  }
  std::string out;
  auto emit = [&](auto cell_at) {
    std::string line;
    size_t used = 0;       // characters on the line so far
    size_t pending = 0;    // blanks owed before the next text
    bool full = false;
    for (size_t c = 0; c < columns_.size() && !full; ++c) {
      const Cell cell = cell_at(c);
      const size_t w = text_width(cell.text);
      const size_t lead = columns_[c].align == Align::Right ? widths[c] - w : 0;
      const size_t trail = widths[c] - w - lead + (c + 1 < columns_.size() ? kGap : 0);
      pending += lead;
      if (!cell.text.empty()) {
        std::string text = cell.text;
        if (max_width > 0) {
          if (used + pending >= max_width) break;
          const size_t room = max_width - used - pending;
          if (w > room) {
            text = clip_text(text, room);
            full = true;
          }
        }
        line.append(pending, ' ');
        used += pending + text_width(text);
        pending = 0;
        line += paint(text, cell.style, color);
      }
      pending += trail;
    }
    out += line;
    out += '\n';
  };
  if (header_) emit([&](size_t c) { return Cell{columns_[c].header, Style::Bold}; });
  for (const auto& row : rows_) emit([&](size_t c) { return row[c]; });
  return out;
}

}  // namespace stratd::cli
