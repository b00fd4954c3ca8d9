// The Lua sandbox: what strategy code cannot reach, and how runaway code is
// stopped without taking the host down.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/strategy_source.hpp"
#include "worker/lua_sandbox.hpp"

using namespace stratd::worker;
using stratd::LuaLimits;

namespace {
struct Sandbox {
  std::vector<std::string> logs;
  LuaSandbox lua{LuaLimits{1'000'000, 16ull << 20},
                 [this](std::string_view level, std::string_view msg) {
                   logs.push_back(std::string(level) + ":" + std::string(msg));
                 }};
  LuaCallResult run(const std::string& code) { return lua.run_chunk(code, "test.lua"); }
  // Evaluates an expression into the global `result` and returns it as text.
  std::string eval(const std::string& expr) {
    auto r = run("result = tostring(" + expr + ")");
    if (!r.ok()) return "error: " + r.message;
    lua_getglobal(lua.state(), "result");
    std::string s = lua_tostring(lua.state(), -1);
    lua_pop(lua.state(), 1);
    return s;
  }
};
}  // namespace

TEST(Sandbox, HostAccessIsGone) {
  Sandbox s;
  for (const char* name : {"io", "debug", "package", "require", "dofile", "loadfile", "os.execute",
                           "os.exit", "os.getenv", "os.remove", "os.rename", "os.tmpname", "string.dump",
                           "package and package.loadlib"}) {
    EXPECT_EQ(s.eval(name), "nil") << name;
  }
  EXPECT_EQ(s.eval("type(os.time())"), "number");
  EXPECT_EQ(s.eval("type(os.clock())"), "number");
  EXPECT_EQ(s.eval("type(os.date('%Y'))"), "string");
  EXPECT_EQ(s.eval("math.floor(2.5)"), "2");
}

TEST(Sandbox, LoadTakesTextOnly) {
  Sandbox s;
  EXPECT_EQ(s.eval("load('return 1 + 1')()"), "2");
  // A binary chunk header (ESC 'Lua') is refused, whatever mode is asked for.
  EXPECT_EQ(s.eval("select(2, load('\\27Lua\\84\\0', 'x', 'b'))"),
            "attempt to load a binary chunk (mode is 't')");
  EXPECT_EQ(s.eval("select(2, load(function() return nil end))"),
            "load: only string chunks are allowed in a strategy");
  auto r = s.lua.run_chunk(std::string("\x1bLua\x54\x00", 6), "bin.lua");
  EXPECT_EQ(r.failure, LuaFailure::Syntax);
}

TEST(Sandbox, RunawayLoopHitsTheBudget) {
  Sandbox s;
  auto r = s.run("while true do end");
  EXPECT_EQ(r.failure, LuaFailure::Budget);
  EXPECT_NE(r.message.find("instruction budget"), std::string::npos);
  // Catching the error does not buy more time.
  r = s.run("while true do pcall(function() while true do end end) end");
  EXPECT_EQ(r.failure, LuaFailure::Budget);
  r = s.run("while true do coroutine.resume(coroutine.create(function() while true do end end)) end");
  EXPECT_EQ(r.failure, LuaFailure::Budget);
  // And the next call gets a fresh budget.
  EXPECT_EQ(s.eval("1"), "1");
}

TEST(Sandbox, FinalizersAreRefused) {
  // Lua runs __gc with hooks off: an endless finalizer would escape the budget.
  Sandbox s;
  auto r = s.run("setmetatable({}, {__gc = function() while true do end end}) collectgarbage()");
  EXPECT_EQ(r.failure, LuaFailure::Runtime);
  EXPECT_NE(r.message.find("__gc metamethods are not allowed"), std::string::npos);
  // Adding __gc after the fact marks nothing for finalization.
  ASSERT_TRUE(s.run("local mt = {} local t = setmetatable({}, mt) "
                    "mt.__gc = function() while true do end end t = nil collectgarbage()").ok());
  // Every other use of setmetatable is unchanged.
  EXPECT_EQ(s.eval("setmetatable({}, {__index = {x = 42}}).x"), "42");
  EXPECT_EQ(s.eval("getmetatable(setmetatable({}, nil))"), "nil");
  EXPECT_NE(s.eval("select(2, pcall(setmetatable, 1, {}))").find("table expected, got number"),
            std::string::npos);
}

TEST(Sandbox, ACoroutineKeptAcrossCallsGetsTheWholeBudget) {
  // A coroutine keeps the hook it had when the budget ran out; the next call
  // must still count its instructions one for one.
  Sandbox s;
  auto r = s.run("co = coroutine.wrap(function() while true do coroutine.yield() end end) "
                 "co() while true do end");
  ASSERT_EQ(r.failure, LuaFailure::Budget);
  // 500k instructions through that coroutine fit the 1M budget.
  EXPECT_TRUE(s.run("for i = 1, 50000 do co() end").ok());
}

TEST(Sandbox, MemoryBombHitsTheCap) {
  Sandbox s;
  auto r = s.run("local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1024) .. i end");
  EXPECT_EQ(r.failure, LuaFailure::Memory);
  EXPECT_NE(r.message.find("memory limit"), std::string::npos);
  r = s.run("local s = string.rep('x', 1 << 30)");
  EXPECT_EQ(r.failure, LuaFailure::Memory);
  // The state is still usable, and the garbage was collected.
  EXPECT_EQ(s.eval("1 + 1"), "2");
  EXPECT_LT(s.lua.memory_used(), 4u << 20);
}

TEST(Sandbox, ErrorsAreReportedWithTheirMessage) {
  Sandbox s;
  auto r = s.run("error('boom')");
  EXPECT_EQ(r.failure, LuaFailure::Runtime);
  EXPECT_NE(r.message.find("boom"), std::string::npos);
  r = s.run("error({})");
  EXPECT_EQ(r.failure, LuaFailure::Runtime);
  r = s.run("this is not lua");
  EXPECT_EQ(r.failure, LuaFailure::Syntax);
}

TEST(Sandbox, PrintAndLogGoToTheHostWithABound) {
  Sandbox s;
  ASSERT_TRUE(s.run("print('hello', 1, true) log('warn', 'careful')").ok());
  ASSERT_EQ(s.logs.size(), 2u);
  EXPECT_EQ(s.logs[0], "info:hello\t1\ttrue");
  EXPECT_EQ(s.logs[1], "warn:careful");
  EXPECT_EQ(s.run("log('shout', 'x')").failure, LuaFailure::Runtime);
  s.logs.clear();
  ASSERT_TRUE(s.run("for i = 1, 1000 do print(i) end").ok());
  EXPECT_EQ(s.logs.size(), 101u);  // 100 lines, then one note of what was dropped
  EXPECT_NE(s.logs.back().find("900 log lines dropped"), std::string::npos);
}

// stratd's check of a strategy file (common/strategy_source.hpp).
TEST(Sandbox, CompileCheckDoesNotRun) {
  EXPECT_TRUE(stratd::compile_strategy("error('would run')", "x.lua"));
  EXPECT_NE(stratd::compile_strategy("function (", "x.lua").error().message.find("x.lua"), std::string::npos);
}
