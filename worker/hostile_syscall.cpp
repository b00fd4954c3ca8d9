#include "worker/hostile_syscall.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include <lua.hpp>

namespace stratd::worker {
namespace {

int raw_syscall(lua_State* L) {
  const long number = long(luaL_checkinteger(L, 1));
  long args[6] = {};
  for (int i = 0; i < 6; ++i) {
    const int at = i + 2;
    if (lua_type(L, at) == LUA_TSTRING) {
      args[i] = reinterpret_cast<long>(lua_tostring(L, at));
    } else if (!lua_isnoneornil(L, at)) {
      args[i] = long(luaL_checkinteger(L, at));
    }
  }
  errno = 0;
  const long rc = syscall(number, args[0], args[1], args[2], args[3], args[4], args[5]);
  lua_pushinteger(L, rc);
  lua_pushinteger(L, errno);
  return 2;
}

}  // namespace

void expose_raw_syscall(lua_State* L) {
  lua_register(L, "raw_syscall", raw_syscall);
  // The numbers, so a strategy need not know the architecture's.
  lua_createtable(L, 0, 5);
  const std::pair<const char*, long> numbers[] = {{"getpid", SYS_getpid}, {"execve", SYS_execve},
                                                  {"socket", SYS_socket}, {"ptrace", SYS_ptrace},
                                                  {"openat", SYS_openat}};
  for (const auto& [name, number] : numbers) {
    lua_pushinteger(L, number);
    lua_setfield(L, -2, name);
  }
  lua_setglobal(L, "SYS");
}

}  // namespace stratd::worker
