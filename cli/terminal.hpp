#pragma once
// The terminal stratctl may be talking to: whether stdout is one, how wide
// it is, and the modes `top` puts it in (keys without Enter, the
// alternate screen), each undone by its guard's destructor.
#include <cstddef>
#include <optional>

#include <termios.h>

namespace stratd::cli {

bool stdout_is_tty();
bool stdin_is_tty();
// Columns of the terminal on stdout; 0 when it is not one.
size_t terminal_columns();
// Rows of the terminal on stdout; 0 when it is not one.
size_t terminal_rows();

// Keys reach the program one at a time, unechoed, while this lives.
class RawInput {
 public:
  RawInput();  // no effect when stdin is not a terminal
  ~RawInput();
  RawInput(const RawInput&) = delete;
  RawInput& operator=(const RawInput&) = delete;
  bool active() const { return saved_.has_value(); }

 private:
  std::optional<termios> saved_;
};

// The alternate screen with the cursor hidden, while this lives.
class FullScreen {
 public:
  FullScreen();
  ~FullScreen();
  FullScreen(const FullScreen&) = delete;
  FullScreen& operator=(const FullScreen&) = delete;
  // Home and clear, for the next frame.
  static const char* clear_codes() { return "\x1b[H\x1b[2J"; }
};

}  // namespace stratd::cli
