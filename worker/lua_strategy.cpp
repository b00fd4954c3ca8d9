#include "worker/lua_strategy.hpp"

#include <cmath>

#include "worker/indicators.hpp"

namespace stratd::worker {
namespace {

constexpr size_t kMaxReasonBytes = 256;

// Everything that touches Lua values runs inside a protected call: even a
// raw table read can raise "not enough memory" once the strategy has used
// up its allowance, and an error outside a pcall would abort the worker.
struct TickFrame {
  StrategyState state;
  const MarketData* md;
  const BarRing* bars;
  int context_ref;
  int indicators_ref;
};

struct InterpretFrame {
  LuaStrategy* self;
  StrategyState state;
  StrategyCall* out;
};

const char* type_name(lua_State* L, int idx) { return lua_typename(L, lua_type(L, idx)); }

void set_number(lua_State* L, const char* key, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, key);
}

// Reads t[key] without metamethods.
int raw_field(lua_State* L, int t, const char* key) {
  lua_pushstring(L, key);
  return lua_rawget(L, t < 0 ? t - 1 : t);
}

template <std::optional<double> (*F)(const BarRing&, size_t)>
int indicator_function(lua_State* L) {
  const auto* const* bars = static_cast<const BarRing* const*>(lua_touserdata(L, lua_upvalueindex(1)));
  // Both indicators.sma(n) and indicators:sma(n) work.
  const int arg = lua_istable(L, 1) ? 2 : 1;
  const lua_Integer n = luaL_checkinteger(L, arg);
  luaL_argcheck(L, n >= 1 && n <= 1'000'000, arg, "period must be a positive integer");
  std::optional<double> v = *bars ? F(**bars, size_t(n)) : std::nullopt;
  if (v) {
    lua_pushnumber(L, *v);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

int protected_tick(lua_State* L) {
  const auto* f = static_cast<const TickFrame*>(lua_touserdata(L, 1));
  lua_settop(L, 0);
  const char* fname = function_for(f->state).data();
  if (lua_getglobal(L, fname) != LUA_TFUNCTION) {
    return luaL_error(L, "strategy does not define function '%s'", fname);
  }
  const MarketData& md = *f->md;
  lua_createtable(L, 0, 10);
  lua_pushlstring(L, md.symbol.data(), md.symbol.size());
  lua_setfield(L, -2, "symbol");
  lua_pushinteger(L, md.timestamp_ms);
  lua_setfield(L, -2, "timestamp");
  set_number(L, "open", md.open);
  set_number(L, "high", md.high);
  set_number(L, "low", md.low);
  set_number(L, "close", md.close);
  set_number(L, "volume", md.volume);
  set_number(L, "bid", md.bid);
  set_number(L, "ask", md.ask);
  set_number(L, "mid_price", md.mid_price());
  lua_rawgeti(L, LUA_REGISTRYINDEX, f->context_ref);
  lua_rawgeti(L, LUA_REGISTRYINDEX, f->indicators_ref);
  // Window-wide values are plain fields; nil while the window is empty.
  const auto w = window_stats(*f->bars);
  const char* names[] = {"high", "low", "range", "avg_volume"};
  const double values[] = {w ? w->high : 0, w ? w->low : 0, w ? w->range : 0, w ? w->avg_volume : 0};
  for (int i = 0; i < 4; ++i) {
    if (w) {
      lua_pushnumber(L, values[i]);
    } else {
      lua_pushnil(L);
    }
    lua_setfield(L, -2, names[i]);
  }
  lua_call(L, 3, 1);
  return 1;
}

}  // namespace

std::string_view function_for(StrategyState s) {
  switch (s) {
    case StrategyState::Idle: return "detect_opportunity";
    case StrategyState::Analyzing: return "filter_commitment";
    case StrategyState::InPosition: return "manage_position";
  }
  return "detect_opportunity";
}

LuaStrategy::LuaStrategy(LuaLimits limits, LuaLogFn log) : sandbox_(limits, log), log_(std::move(log)) {
  lua_State* L = sandbox_.state();
  lua_newtable(L);
  context_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_createtable(L, 0, 7);
  lua_pushlightuserdata(L, &bars_);
  lua_pushcclosure(L, &indicator_function<&sma>, 1);
  lua_setfield(L, -2, "sma");
  lua_pushlightuserdata(L, &bars_);
  lua_pushcclosure(L, &indicator_function<&ema>, 1);
  lua_setfield(L, -2, "ema");
  lua_pushlightuserdata(L, &bars_);
  lua_pushcclosure(L, &indicator_function<&rsi>, 1);
  lua_setfield(L, -2, "rsi");
  indicators_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
}

LuaCallResult LuaStrategy::load(std::string_view source, const std::string& name) {
  auto r = sandbox_.run_chunk(source, name);
  if (!r.ok()) return r;
  lua_State* L = sandbox_.state();
  for (auto s : {StrategyState::Idle, StrategyState::Analyzing, StrategyState::InPosition}) {
    const char* fname = function_for(s).data();
    lua_pushglobaltable(L);
    const int t = raw_field(L, -1, fname);
    lua_pop(L, 2);
    if (t != LUA_TFUNCTION) {
      return {LuaFailure::Runtime, std::string("strategy does not define function '") + fname + "'"};
    }
  }
  return {};
}

void LuaStrategy::set_context(const Context& ctx) {
  lua_State* L = sandbox_.state();
  lua_createtable(L, 0, int(ctx.size()));
  for (const auto& [k, v] : ctx.numbers) {
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k.c_str());
  }
  for (const auto& [k, v] : ctx.integers) {
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k.c_str());
  }
  for (const auto& [k, v] : ctx.strings) {
    lua_pushlstring(L, v.data(), v.size());
    lua_setfield(L, -2, k.c_str());
  }
  for (const auto& [k, v] : ctx.booleans) {
    lua_pushboolean(L, v);
    lua_setfield(L, -2, k.c_str());
  }
  luaL_unref(L, LUA_REGISTRYINDEX, context_ref_);
  context_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
}

StrategyCall LuaStrategy::call(StrategyState state, const MarketData& md, const BarRing& bars) {
  StrategyCall r;
  lua_State* L = sandbox_.state();
  bars_ = &bars;
  TickFrame tick{state, &md, &bars, context_ref_, indicators_ref_};
  lua_pushcfunction(L, &protected_tick);
  lua_pushlightuserdata(L, &tick);
  r.lua = sandbox_.call(1, 1);
  if (!r.lua.ok()) return r;

  // The result is on the stack; interpret it under protection too.
  InterpretFrame frame{this, state, &r};
  lua_pushcfunction(L, [](lua_State* L) -> int {
    auto* f = static_cast<InterpretFrame*>(lua_touserdata(L, 2));
    StrategyCall& out = *f->out;
    const int idx = 1;
    const int t = lua_type(L, idx);
    if (t == LUA_TNIL || (t == LUA_TBOOLEAN && !lua_toboolean(L, idx))) return 0;
    if (f->state == StrategyState::Idle) {
      if (t == LUA_TTABLE) {
        f->self->merge_into_context(idx);
        out.opportunity = true;
      } else if (t == LUA_TBOOLEAN) {
        out.opportunity = true;
      } else {
        out.invalid_return = std::string("detect_opportunity must return nil or a table, got ") +
                             type_name(L, idx);
      }
      return 0;
    }
    out.action = f->self->parse_action(idx, out.invalid_return);
    return 0;
  });
  lua_insert(L, -2);
  lua_pushlightuserdata(L, &frame);
  if (auto pr = sandbox_.call(2, 0); !pr.ok()) {
    r.lua = pr;
    r.action.reset();
  }
  return r;
}

void LuaStrategy::merge_into_context(int idx) {
  lua_State* L = sandbox_.state();
  lua_rawgeti(L, LUA_REGISTRYINDEX, context_ref_);
  const int ctx = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING) {
      lua_pushvalue(L, -2);  // key
      lua_pushvalue(L, -2);  // value
      lua_rawset(L, ctx);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

std::optional<Action> LuaStrategy::parse_action(int idx, std::string& error) {
  lua_State* L = sandbox_.state();
  if (!lua_istable(L, idx)) {
    error = std::string("expected an action table or nil, got ") + type_name(L, idx);
    return std::nullopt;
  }
  // Accepted shapes: {action = "enter_long", ...}, {type = "enter_long", ...}
  // and {enter_long = {...}}.
  std::string name;
  int params = idx;
  for (const char* key : {"action", "type"}) {
    if (raw_field(L, idx, key) == LUA_TSTRING) name = lua_tostring(L, -1);
    lua_pop(L, 1);
    if (!name.empty()) break;
  }
  if (name.empty()) {
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
      if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TTABLE &&
          action_from_string(lua_tostring(L, -2))) {
        name = lua_tostring(L, -2);
        lua_pop(L, 2);
        // Keep the parameter table on the stack for the reads below.
        lua_pushstring(L, name.c_str());
        lua_rawget(L, idx);
        params = lua_gettop(L);
        break;
      }
      lua_pop(L, 1);
    }
  }
  if (name.empty()) {
    error = "action table has no 'action' field naming what to do";
    return std::nullopt;
  }
  auto kind = action_from_string(name);
  if (!kind) {
    error = "unknown action '" + name + "'";
    return std::nullopt;
  }
  Action a;
  a.kind = *kind;
  auto number = [&](const char* key, std::optional<double>& out) {
    const int t = raw_field(L, params, key);
    if (t == LUA_TNUMBER) {
      out = lua_tonumber(L, -1);
    } else if (t != LUA_TNIL && error.empty()) {
      error = std::string("field '") + key + "' must be a number, got " + type_name(L, -1);
    }
    lua_pop(L, 1);
  };
  number("price", a.price);
  number("quantity", a.quantity);
  number("stop_loss", a.stop_loss);
  number("take_profit", a.take_profit);
  if (a.kind == ActionKind::UpdateStopLoss) {
    number("new_stop", a.new_level);
    if (!a.new_level) a.new_level = a.stop_loss;
  } else if (a.kind == ActionKind::UpdateTakeProfit) {
    number("new_target", a.new_level);
    if (!a.new_level) a.new_level = a.take_profit;
  }
  const int rt = raw_field(L, params, "reason");
  if (rt == LUA_TSTRING) {
    size_t len = 0;
    const char* s = lua_tolstring(L, -1, &len);
    a.reason.assign(s, std::min(len, kMaxReasonBytes));
  }
  lua_pop(L, 1);
  if (!error.empty()) return std::nullopt;
  if ((a.kind == ActionKind::EnterLong || a.kind == ActionKind::EnterShort) && !a.quantity) {
    error = std::string(to_string(a.kind)) + " needs a quantity";
    return std::nullopt;
  }
  if ((a.kind == ActionKind::UpdateStopLoss || a.kind == ActionKind::UpdateTakeProfit) &&
      !a.new_level) {
    error = std::string(to_string(a.kind)) +
            (a.kind == ActionKind::UpdateStopLoss ? " needs new_stop" : " needs new_target");
    return std::nullopt;
  }
  return a;
}

void LuaStrategy::warn_once(const std::string& key, const std::string& message) {
  if (warned_.size() < 1024 && warned_.insert(key).second) log_("warn", message);
}

void LuaStrategy::read_context(Context& out) {
  lua_State* L = sandbox_.state();
  struct Frame {
    LuaStrategy* self;
    Context* out;
    int ref;
  } frame{this, &out, context_ref_};
  lua_pushcfunction(L, [](lua_State* L) -> int {
    auto* f = static_cast<Frame*>(lua_touserdata(L, 1));
    Context fresh;
    lua_rawgeti(L, LUA_REGISTRYINDEX, f->ref);
    const int t = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
      if (lua_type(L, -2) != LUA_TSTRING) {
        f->self->warn_once("#non-string-key",
                           "context keys must be strings; other keys are not kept across restarts");
        lua_pop(L, 1);
        continue;
      }
      size_t klen = 0;
      const char* kp = lua_tolstring(L, -2, &klen);
      std::string key(kp, klen);
      const int vt = lua_type(L, -1);
      if (klen > Context::kMaxKeyBytes) {
        f->self->warn_once(key, "context key longer than 64 bytes is not kept: " + key.substr(0, 64));
      } else if (fresh.size() >= Context::kMaxEntries) {
        f->self->warn_once("#too-many", "context holds more than 128 entries; the rest are not kept");
      } else if (vt == LUA_TNUMBER) {
        if (lua_isinteger(L, -1)) {
          fresh.integers[key] = lua_tointeger(L, -1);
        } else {
          const double v = lua_tonumber(L, -1);
          if (std::isfinite(v)) {
            fresh.numbers[key] = v;
          } else {
            f->self->warn_once(key, "context value '" + key + "' is not finite; not kept");
          }
        }
      } else if (vt == LUA_TBOOLEAN) {
        fresh.booleans[key] = lua_toboolean(L, -1);
      } else if (vt == LUA_TSTRING) {
        size_t vlen = 0;
        const char* vp = lua_tolstring(L, -1, &vlen);
        if (vlen <= Context::kMaxStringBytes) {
          fresh.strings[key].assign(vp, vlen);
        } else {
          f->self->warn_once(key, "context string '" + key + "' is longer than 256 bytes; not kept");
        }
      } else {
        f->self->warn_once(key, "context value '" + key + "' is a " + type_name(L, -1) +
                                    "; only numbers, strings and booleans are kept");
      }
      lua_pop(L, 1);
    }
    *f->out = std::move(fresh);
    return 0;
  });
  lua_pushlightuserdata(L, &frame);
  // Only allocation can fail here; the previous mirror stays then.
  (void)sandbox_.call(1, 0);
}

}  // namespace stratd::worker
