#pragma once
// A Lua 5.4 state that untrusted strategy code can run in: no file, process
// or module access, text chunks only, an instruction budget per call and a
// memory cap for the whole state.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <lua.hpp>

#include "common/settings.hpp"

namespace stratd::worker {

enum class LuaFailure { None, Runtime, Syntax, Memory, Budget };

struct LuaCallResult {
  LuaFailure failure = LuaFailure::None;
  std::string message;
  bool ok() const { return failure == LuaFailure::None; }
};

// level is one of "debug", "info", "warn", "error".
using LuaLogFn = std::function<void(std::string_view level, std::string_view message)>;

class LuaSandbox {
 public:
  LuaSandbox(LuaLimits limits, LuaLogFn log);
  ~LuaSandbox();
  LuaSandbox(const LuaSandbox&) = delete;
  LuaSandbox& operator=(const LuaSandbox&) = delete;

  lua_State* state() const { return L_; }

  // Compiles and runs a strategy chunk under the budget.
  LuaCallResult run_chunk(std::string_view source, const std::string& chunk_name);
  // Calls the function below `nargs` arguments on the stack, leaving
  // `nresults` results (or nothing on failure).
  LuaCallResult call(int nargs, int nresults);

  uint64_t memory_used() const { return used_; }
  const LuaLimits& limits() const { return limits_; }

 private:
  static void* allocate(void* ud, void* ptr, size_t osize, size_t nsize);
  static void count_hook(lua_State* L, lua_Debug* ar);
  void install_globals();
  LuaCallResult protected_call(int nargs, int nresults);

  LuaLimits limits_;
  LuaLogFn log_;
  lua_State* L_ = nullptr;
  uint64_t used_ = 0;
  bool memory_refused_ = false;
  uint64_t executed_ = 0;
  bool budget_hit_ = false;
};

}  // namespace stratd::worker
