#pragma once
// Shape checks for identifiers that reach file names, shared-memory names
// and ZeroMQ topics.
#include <string_view>

namespace stratd {

// [A-Za-z0-9_-]{1,64}
bool is_valid_runner_id(std::string_view id);
// Upper-case letters and digits, 1 to 32 characters.
bool is_valid_symbol(std::string_view symbol);

}  // namespace stratd
