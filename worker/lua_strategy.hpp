#pragma once
// The strategy API on top of the sandbox: calls the function for the
// runner's state with (market_data, context, indicators) and turns what it
// returns into an opportunity or an Action. Keeps the `context` table alive
// between calls and mirrors it into a Context for the snapshot.
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/bar_ring.hpp"
#include "common/context.hpp"
#include "common/market_data.hpp"
#include "common/trading.hpp"
#include "worker/lua_sandbox.hpp"
#include "worker/state_machine.hpp"

namespace stratd::worker {

// The global function a state calls.
std::string_view function_for(StrategyState s);

struct StrategyCall {
  LuaCallResult lua;            // the call itself failed (error, budget, memory)
  std::string invalid_return;   // it returned something that is not an answer
  bool opportunity = false;     // detect_opportunity found one (fields merged into context)
  std::optional<Action> action; // filter_commitment / manage_position returned an action
};

class LuaStrategy {
 public:
  LuaStrategy(LuaLimits limits, LuaLogFn log);

  // Runs the strategy file and checks it defines the three functions.
  LuaCallResult load(std::string_view source, const std::string& name);
  // Replaces the live context table (after a restore).
  void set_context(const Context& ctx);
  StrategyCall call(StrategyState state, const MarketData& md, const BarRing& bars);
  // Mirrors the live context table into `out`, within Context's bounds.
  void read_context(Context& out);
  // The Lua state, for a host that adds functions of its own (the hostile
  // test worker, worker/hostile_syscall.hpp).
  lua_State* lua_state() const { return sandbox_.state(); }

 private:
  std::optional<Action> parse_action(int idx, std::string& error);
  void merge_into_context(int idx);
  void warn_once(const std::string& key, const std::string& message);

  LuaSandbox sandbox_;
  LuaLogFn log_;
  int context_ref_ = LUA_NOREF;
  int indicators_ref_ = LUA_NOREF;
  const BarRing* bars_ = nullptr;  // the window indicator functions read during a call
  std::set<std::string> warned_;
};

}  // namespace stratd::worker
