#pragma once
// A strategy file as both ends see it: stratd reads and compile-checks it
// when a runner is added, the worker reads and loads it to run it. One
// size limit and one way of loading (text chunks only, named after the
// file), so what stratd accepts is exactly what a worker can load.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

struct lua_State;

namespace stratd {

inline constexpr uint64_t kMaxStrategyBytes = 1 << 20;

// The file's text. Errors: StrategyNotFound (cannot be read),
// StrategyInvalid (over kMaxStrategyBytes).
Expected<std::string> read_strategy_file(const std::string& path, std::string_view shown_as);
// The same from a descriptor open for reading (a worker's, inherited from
// stratd), read from its start.
Expected<std::string> read_strategy_fd(int fd, std::string_view shown_as);

// Pushes the compiled chunk (or Lua's message) onto L's stack; returns
// Lua's status. Binary chunks are refused: they can break out of any
// sandbox.
int load_strategy_chunk(lua_State* L, std::string_view source, std::string_view chunk_name);

// Compiles without running anything. Errors: StrategyInvalid with Lua's
// message.
Status compile_strategy(std::string_view source, std::string_view chunk_name);

}  // namespace stratd
