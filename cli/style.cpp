#include "cli/style.hpp"

namespace stratd::cli {

std::string paint(std::string_view text, Style style, bool color) {
  if (!color || style == Style::Plain || text.empty()) return std::string(text);
  std::string_view code;
  switch (style) {
    case Style::Plain: break;
    case Style::Bold: code = "1"; break;
    case Style::Dim: code = "2"; break;
    case Style::Red: code = "31"; break;
    case Style::Green: code = "32"; break;
    case Style::Yellow: code = "33"; break;
    case Style::Cyan: code = "36"; break;
  }
  std::string out = "\x1b[";
  out += code;
  out += 'm';
  out += text;
  out += "\x1b[0m";
  return out;
}

bool want_color(bool stdout_is_tty, const char* no_color_env, bool no_color_flag) {
  return stdout_is_tty && no_color_env == nullptr && !no_color_flag;
}

}  // namespace stratd::cli
