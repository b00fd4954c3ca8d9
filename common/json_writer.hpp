#pragma once
// A minimal JSON writer for the hot path (every event is encoded once, on
// intake): appends to a string, escapes strings and repairs invalid UTF-8
// (bytes from an untrusted worker must still make a valid text frame).
#include <cstdint>
#include <string>
#include <string_view>

namespace stratd {

// Appends `s` as a JSON string literal; invalid UTF-8 becomes U+FFFD.
void append_json_string(std::string& out, std::string_view s);
// Appends a number; NaN and infinities become null (JSON has neither).
void append_json_number(std::string& out, double v);
void append_json_integer(std::string& out, int64_t v);
void append_json_unsigned(std::string& out, uint64_t v);

}  // namespace stratd
