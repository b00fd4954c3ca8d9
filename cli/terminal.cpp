#include "cli/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

namespace stratd::cli {

bool stdout_is_tty() { return isatty(STDOUT_FILENO) == 1; }
bool stdin_is_tty() { return isatty(STDIN_FILENO) == 1; }

size_t terminal_columns() {
  winsize ws{};
  if (!stdout_is_tty() || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0) return 0;
  return ws.ws_col;
}

size_t terminal_rows() {
  winsize ws{};
  if (!stdout_is_tty() || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0) return 0;
  return ws.ws_row;
}

RawInput::RawInput() {
  termios t{};
  if (!stdin_is_tty() || tcgetattr(STDIN_FILENO, &t) != 0) return;
  saved_ = t;
  // No line buffering, no echo; signals (Ctrl-C) still work.
  t.c_lflag &= ~tcflag_t(ICANON | ECHO);
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  if (tcsetattr(STDIN_FILENO, TCSANOW, &t) != 0) saved_.reset();
}

RawInput::~RawInput() {
  if (saved_) tcsetattr(STDIN_FILENO, TCSANOW, &*saved_);
}

FullScreen::FullScreen() {
  std::fputs("\x1b[?1049h\x1b[?25l", stdout);
  std::fflush(stdout);
}

FullScreen::~FullScreen() {
  std::fputs("\x1b[?25h\x1b[?1049l", stdout);
  std::fflush(stdout);
}

}  // namespace stratd::cli
