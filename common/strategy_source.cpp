#include "common/strategy_source.hpp"

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <lua.hpp>

namespace stratd {

Expected<std::string> read_strategy_file(const std::string& path, std::string_view shown_as) {
  const std::string name(shown_as);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(ErrorCode::StrategyNotFound, "strategy '" + name + "' cannot be read");
  if (size > kMaxStrategyBytes) return fail(ErrorCode::StrategyInvalid, "strategy '" + name + "' is larger than 1 MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::StrategyNotFound, "strategy '" + name + "' cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  // It may have grown since it was measured.
  if (text.size() > kMaxStrategyBytes) return fail(ErrorCode::StrategyInvalid, "strategy '" + name + "' is larger than 1 MiB");
  return text;
}

Expected<std::string> read_strategy_fd(int fd, std::string_view shown_as) {
  const std::string name(shown_as);
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = pread(fd, buf, sizeof buf, off_t(text.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(ErrorCode::StrategyNotFound, "strategy '" + name + "' cannot be read");
    if (n == 0) return text;
    text.append(buf, size_t(n));
    if (text.size() > kMaxStrategyBytes)
      return fail(ErrorCode::StrategyInvalid, "strategy '" + name + "' is larger than 1 MiB");
  }
}

int load_strategy_chunk(lua_State* L, std::string_view source, std::string_view chunk_name) {
  const std::string name = "@" + std::string(chunk_name);
  return luaL_loadbufferx(L, source.data(), source.size(), name.c_str(), "t");
}

Status compile_strategy(std::string_view source, std::string_view chunk_name) {
  // A bare state: compiling runs nothing, and the source is at most 1 MiB.
  std::unique_ptr<lua_State, void (*)(lua_State*)> L(luaL_newstate(), lua_close);
  if (!L) return fail(ErrorCode::InternalError, "cannot create a Lua state");
  if (load_strategy_chunk(L.get(), source, chunk_name) != LUA_OK) {
    const char* m = lua_tostring(L.get(), -1);
    return fail(ErrorCode::StrategyInvalid, m ? m : "cannot load chunk");
  }
  return ok();
}

}  // namespace stratd
