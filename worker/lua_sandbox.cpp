#include "worker/lua_sandbox.hpp"

#include "common/strategy_source.hpp"

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace stratd::worker {
namespace {

// The count hook fires every kHookStep instructions; once the budget is
// spent it fires on every instruction, so a script that catches the error
// with pcall cannot keep looping.
constexpr int kHookStep = 1000;
// Log lines a strategy may write per call before the rest are dropped.
constexpr int kMaxLogLinesPerCall = 100;

LuaSandbox* self_of(lua_State* L) { return *static_cast<LuaSandbox**>(lua_getextraspace(L)); }

// Shared state for print/log: the sink and the per-call line budget.
struct LogState {
  LuaLogFn* sink;
  int lines_left;
  int suppressed;
};

LogState& log_state(lua_State* L) {
  return *static_cast<LogState*>(lua_touserdata(L, lua_upvalueindex(1)));
}

void emit_log(lua_State* L, std::string_view level, std::string_view msg) {
  auto& st = log_state(L);
  if (st.lines_left <= 0) {
    ++st.suppressed;
    return;
  }
  --st.lines_left;
  (*st.sink)(level, msg);
}

int lua_print(lua_State* L) {
  const int n = lua_gettop(L);
  std::string line;
  for (int i = 1; i <= n; ++i) {
    size_t len = 0;
    const char* s = luaL_tolstring(L, i, &len);
    if (i > 1) line += '\t';
    line.append(s, len);
    lua_pop(L, 1);
  }
  emit_log(L, "info", line);
  return 0;
}

int lua_log(lua_State* L) {
  const char* level = luaL_checkstring(L, 1);
  static const char* const kLevels[] = {"debug", "info", "warn", "error", nullptr};
  const int which = luaL_checkoption(L, 1, nullptr, kLevels);
  (void)level;
  size_t len = 0;
  const char* msg = luaL_tolstring(L, 2, &len);
  emit_log(L, kLevels[which], std::string_view(msg, len));
  return 0;
}

// load() restricted to text chunks given as strings.
int lua_safe_load(lua_State* L) {
  size_t len = 0;
  const char* src = lua_tolstring(L, 1, &len);
  if (!src) {
    luaL_pushfail(L);
    lua_pushliteral(L, "load: only string chunks are allowed in a strategy");
    return 2;
  }
  const char* name = luaL_optstring(L, 2, src);
  if (luaL_loadbufferx(L, src, len, name, "t") != LUA_OK) {
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  if (!lua_isnone(L, 4)) {  // env: becomes the chunk's _ENV upvalue
    lua_pushvalue(L, 4);
    if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
  }
  return 1;
}

// setmetatable() without finalizers: Lua runs __gc with debug hooks off, so
// an endless finalizer would escape the instruction budget. An object is
// marked for finalization only when its metatable already has __gc as it is
// set, so refusing that here closes the door for good.
int lua_safe_setmetatable(lua_State* L) {
  if (lua_type(L, 2) == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    const bool has_gc = lua_rawget(L, 2) != LUA_TNIL;
    lua_pop(L, 1);
    if (has_gc) return luaL_error(L, "setmetatable: __gc metamethods are not allowed in a strategy");
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

void remove_field(lua_State* L, int table, const char* name) {
  lua_pushnil(L);
  lua_setfield(L, table, name);
}

}  // namespace

LuaSandbox::LuaSandbox(LuaLimits limits, LuaLogFn log) : limits_(limits), log_(std::move(log)) {
  L_ = lua_newstate(&LuaSandbox::allocate, this);
  if (!L_) throw std::runtime_error("cannot create Lua state");
  *static_cast<LuaSandbox**>(lua_getextraspace(L_)) = this;
  install_globals();
}

LuaSandbox::~LuaSandbox() {
  if (L_) {
    lua_sethook(L_, nullptr, 0, 0);
    lua_close(L_);
  }
}

void* LuaSandbox::allocate(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* self = static_cast<LuaSandbox*>(ud);
  const size_t old = ptr ? osize : 0;  // without ptr, osize is a type tag
  if (nsize == 0) {
    std::free(ptr);
    self->used_ -= old;
    return nullptr;
  }
  if (nsize > old && self->used_ + (nsize - old) > self->limits_.memory_limit_bytes) {
    self->memory_refused_ = true;
    return nullptr;
  }
  void* p = std::realloc(ptr, nsize);
  if (!p) {
    // Lua assumes a shrink never fails; the old block is still good.
    if (nsize <= old) return ptr;
    self->memory_refused_ = true;
    return nullptr;
  }
  self->used_ = self->used_ - old + nsize;
  return p;
}

void LuaSandbox::count_hook(lua_State* L, lua_Debug*) {
  LuaSandbox* self = self_of(L);
  // Each coroutine carries its own hook; count what this one's step is.
  self->executed_ += uint64_t(lua_gethookcount(L));
  if (self->executed_ > self->limits_.instruction_budget) {
    self->budget_hit_ = true;
    lua_sethook(L, &LuaSandbox::count_hook, LUA_MASKCOUNT, 1);
    lua_sethook(self->L_, &LuaSandbox::count_hook, LUA_MASKCOUNT, 1);
    luaL_error(L, "instruction budget exceeded (%I instructions per call)",
               lua_Integer(self->limits_.instruction_budget));
  }
}

void LuaSandbox::install_globals() {
  lua_State* L = L_;
  // Only libraries without host access; os is rebuilt below.
  const luaL_Reg libs[] = {{LUA_GNAME, luaopen_base},       {LUA_TABLIBNAME, luaopen_table},
                           {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
                           {LUA_UTF8LIBNAME, luaopen_utf8},  {LUA_COLIBNAME, luaopen_coroutine},
                           {LUA_OSLIBNAME, luaopen_os}};
  for (const auto& lib : libs) {
    luaL_requiref(L, lib.name, lib.func, 1);
    lua_pop(L, 1);
  }
  lua_pushglobaltable(L);
  const int g = lua_gettop(L);
  remove_field(L, g, "dofile");
  remove_field(L, g, "loadfile");
  remove_field(L, g, "require");
  lua_pushcfunction(L, lua_safe_load);
  lua_setfield(L, g, "load");
  lua_getfield(L, g, "setmetatable");
  lua_pushcclosure(L, lua_safe_setmetatable, 1);
  lua_setfield(L, g, "setmetatable");

  // os keeps time, clock and date only.
  lua_getfield(L, g, "os");
  const int os = lua_gettop(L);
  lua_newtable(L);
  for (const char* name : {"time", "clock", "date"}) {
    lua_getfield(L, os, name);
    lua_setfield(L, -2, name);
  }
  lua_setfield(L, g, "os");
  lua_pop(L, 1);

  // string.dump makes binary chunks; nothing here may load them anyway.
  lua_getfield(L, g, "string");
  remove_field(L, lua_gettop(L), "dump");
  lua_pop(L, 1);

  // print and log share one per-call line budget.
  auto* st = static_cast<LogState*>(lua_newuserdatauv(L, sizeof(LogState), 0));
  *st = LogState{&log_, kMaxLogLinesPerCall, 0};
  lua_pushvalue(L, -1);
  lua_pushcclosure(L, lua_print, 1);
  lua_setfield(L, g, "print");
  lua_pushcclosure(L, lua_log, 1);
  lua_setfield(L, g, "log");
  // Keep the state reachable for resetting the budget between calls.
  lua_pushlightuserdata(L, st);
  lua_setfield(L, LUA_REGISTRYINDEX, "stratd.logstate");
  lua_pop(L, 1);  // global table
}

LuaCallResult LuaSandbox::protected_call(int nargs, int nresults) {
  executed_ = 0;
  budget_hit_ = false;
  memory_refused_ = false;
  lua_getfield(L_, LUA_REGISTRYINDEX, "stratd.logstate");
  auto* st = static_cast<LogState*>(lua_touserdata(L_, -1));
  lua_pop(L_, 1);
  st->lines_left = kMaxLogLinesPerCall;
  st->suppressed = 0;

  lua_sethook(L_, &LuaSandbox::count_hook, LUA_MASKCOUNT, kHookStep);
  const int rc = lua_pcall(L_, nargs, nresults, 0);
  lua_sethook(L_, nullptr, 0, 0);

  if (st->suppressed > 0) {
    log_("warn", std::to_string(st->suppressed) + " log lines dropped (limit " +
                     std::to_string(kMaxLogLinesPerCall) + " per call)");
  }
  if (rc == LUA_OK) return {};
  LuaCallResult r;
  size_t len = 0;
  const char* msg = lua_tolstring(L_, -1, &len);
  r.message = msg ? std::string(msg, len) : std::string("(error object is not a string)");
  lua_pop(L_, 1);
  if (budget_hit_) {
    r.failure = LuaFailure::Budget;
    r.message = "instruction budget exceeded (" + std::to_string(limits_.instruction_budget) +
                " instructions per call)";
  } else if (rc == LUA_ERRMEM || memory_refused_) {
    r.failure = LuaFailure::Memory;
    r.message = "memory limit exceeded (" + std::to_string(limits_.memory_limit_bytes) +
                " bytes per strategy)";
  } else {
    r.failure = LuaFailure::Runtime;
  }
  lua_gc(L_, LUA_GCCOLLECT);
  return r;
}

LuaCallResult LuaSandbox::run_chunk(std::string_view source, const std::string& chunk_name) {
  // The same load stratd's compile check does: what it accepted loads here.
  const int rc = load_strategy_chunk(L_, source, chunk_name);
  if (rc != LUA_OK) {
    LuaCallResult r;
    r.failure = rc == LUA_ERRMEM ? LuaFailure::Memory : LuaFailure::Syntax;
    r.message = lua_tostring(L_, -1) ? lua_tostring(L_, -1) : "cannot load chunk";
    lua_pop(L_, 1);
    return r;
  }
  return protected_call(0, 0);
}

LuaCallResult LuaSandbox::call(int nargs, int nresults) { return protected_call(nargs, nresults); }


}  // namespace stratd::worker
