#pragma once
// Colours for a terminal: ANSI SGR codes around a text, or the text as it
// is when colour is off (piped, NO_COLOR, --no-color).
#include <string>
#include <string_view>

namespace stratd::cli {

enum class Style { Plain, Bold, Dim, Red, Green, Yellow, Cyan };

std::string paint(std::string_view text, Style style, bool color);

// Whether stdout gets colour: a terminal, NO_COLOR unset (any value, even
// empty, turns it off, as no-color.org says), and no --no-color.
bool want_color(bool stdout_is_tty, const char* no_color_env, bool no_color_flag);

}  // namespace stratd::cli
