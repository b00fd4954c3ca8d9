#include "worker/strategy_runner.hpp"

#include <cmath>

#include "common/clock.hpp"
#include "common/position_event.hpp"

namespace stratd::worker {
namespace {
constexpr size_t kMaxErrorBytes = 1024;

Scalar opt(const std::optional<double>& v) { return v ? Scalar(*v) : Scalar(std::monostate{}); }

std::string_view lua_failure_kind(LuaFailure f) {
  switch (f) {
    case LuaFailure::Memory: return "memory_limit";
    case LuaFailure::Budget: return "instruction_budget";
    case LuaFailure::Syntax: return "syntax";
    default: return "runtime";
  }
}
}  // namespace

StrategyRunner::StrategyRunner(Snapshot initial, size_t window, LuaStrategy& strategy, PaperBroker broker)
    : snap_(std::move(initial)), bars_(window), strategy_(strategy), broker_(broker) {}

void StrategyRunner::restore(Snapshot snap, const std::vector<Bar>& bars, uint64_t bars_total) {
  snap.runner_id = snap_.runner_id;
  snap.symbol = snap_.symbol;
  snap_ = std::move(snap);
  // A window that shrank keeps its newest bars.
  std::vector<Bar> keep(bars.end() - std::min(bars.size(), bars_.capacity()), bars.end());
  bars_.restore(keep, bars_total);
}

Event& StrategyRunner::emit(EventType type, std::vector<Field> data) {
  Event e;
  e.type = type;
  e.runner_id = snap_.runner_id;
  e.symbol = snap_.symbol;
  e.runner_seq = ++snap_.event_seq;
  e.timestamp_ms = wall_ms();
  e.data = std::move(data);
  pending_.push_back(std::move(e));
  return pending_.back();
}

void StrategyRunner::transition(Trigger trigger, std::string_view reason) {
  auto to = next_state(snap_.state, trigger);
  if (!to) return;
  std::vector<Field> data{{"from", std::string(to_string(snap_.state))},
                          {"to", std::string(to_string(*to))},
                          {"trigger", std::string(to_string(trigger))}};
  if (!reason.empty()) data.push_back({"reason", std::string(reason)});
  snap_.state = *to;
  emit(EventType::StateTransition, std::move(data));
}

void StrategyRunner::report_error(std::string_view kind, std::string_view function, std::string message) {
  if (message.size() > kMaxErrorBytes) message.resize(kMaxErrorBytes);
  ++snap_.stats.errors;
  emit(EventType::StrategyError, {{"kind", std::string(kind)},
                                  {"function", std::string(function)},
                                  {"message", std::move(message)},
                                  {"state", std::string(to_string(snap_.state))}});
}

Event StrategyRunner::strategy_error(std::string_view kind, std::string_view function, std::string message) {
  pending_.clear();
  report_error(kind, function, std::move(message));
  Event e = std::move(pending_.back());
  pending_.clear();
  return e;
}

void StrategyRunner::close_position(const ClosedTrade& t, Trigger trigger) {
  PaperBroker::book(t, snap_.stats);
  snap_.position.reset();
  snap_.recent_trades.push(t, Snapshot::kRecentTrades);
  emit(EventType::PositionClosed, position_closed_fields(t));
  transition(trigger);
}

void StrategyRunner::apply(const Action& a, const MarketData& md) {
  const auto function = function_for(snap_.state);
  if (state_for(a.kind) != snap_.state) {
    report_error("invalid_action", function,
                 "action '" + std::string(to_string(a.kind)) + "' is not valid in state " +
                     std::string(to_string(snap_.state)));
    return;
  }
  const Bar bar = md.bar();
  switch (a.kind) {
    case ActionKind::EnterLong:
    case ActionKind::EnterShort: {
      const Side side = a.kind == ActionKind::EnterLong ? Side::Long : Side::Short;
      auto p = broker_.open(side, a.price, *a.quantity, a.stop_loss, a.take_profit, bar);
      if (!p) {
        report_error("invalid_action", function, p.error().message);
        return;
      }
      ++snap_.stats.actions_executed;
      snap_.position = *p;
      snap_.position->id = ++snap_.stats.positions_opened;
      emit(EventType::PositionOpened, position_opened_fields(*snap_.position));
      transition(Trigger::PositionEntered);
      return;
    }
    case ActionKind::CancelAnalysis:
      ++snap_.stats.actions_executed;
      transition(Trigger::AnalysisCancelled, a.reason);
      return;
    case ActionKind::Exit: {
      if (a.price && !(std::isfinite(*a.price) && *a.price > 0)) {
        report_error("invalid_action", function, "price must be a positive number");
        return;
      }
      ++snap_.stats.actions_executed;
      const auto trade = broker_.close(*snap_.position, a.price,
                                       a.reason.empty() ? "exit" : "exit: " + a.reason, bar);
      close_position(trade, Trigger::ExitSignal);
      return;
    }
    case ActionKind::UpdateStopLoss:
    case ActionKind::UpdateTakeProfit: {
      const bool stop = a.kind == ActionKind::UpdateStopLoss;
      auto& level = stop ? snap_.position->stop_loss : snap_.position->take_profit;
      auto check = stop ? broker_.check_new_stop(*snap_.position, *a.new_level, md.close)
                        : broker_.check_new_target(*snap_.position, *a.new_level, md.close);
      if (!check) {
        report_error("invalid_action", function, check.error().message);
        return;
      }
      ++snap_.stats.actions_executed;
      const auto old = level;
      level = *a.new_level;
      emit(EventType::PositionUpdated, {{"field", std::string(stop ? "stop_loss" : "take_profit")},
                                        {"old", opt(old)},
                                        {"new", *a.new_level}});
      return;
    }
  }
}

std::vector<Event> StrategyRunner::on_tick(const MarketData& md) {
  const int64_t started = mono_ns();
  pending_.clear();
  const Bar bar = md.bar();
  bars_.push(bar);
  snap_.last_price = md.close;
  snap_.last_tick_ms = md.timestamp_ms;
  emit(EventType::TickReceived, {{"price", md.close},
                                 {"open", md.open},
                                 {"high", md.high},
                                 {"low", md.low},
                                 {"volume", md.volume},
                                 {"bid", md.bid},
                                 {"ask", md.ask},
                                 {"market_timestamp", md.timestamp_ms},
                                 {"state", std::string(to_string(snap_.state))}});

  // The broker acts on stops and targets before the strategy sees the bar.
  if (snap_.position) {
    if (auto trade = broker_.check_exits(*snap_.position, bar)) {
      close_position(*trade, trade->reason == "stop_loss" ? Trigger::StopLossHit : Trigger::TakeProfitHit);
    }
  }

  const auto function = function_for(snap_.state);
  StrategyCall call = strategy_.call(snap_.state, md, bars_);
  if (!call.lua.ok()) {
    report_error(lua_failure_kind(call.lua.failure), function, call.lua.message);
  } else if (!call.invalid_return.empty()) {
    report_error("invalid_return", function, call.invalid_return);
  } else if (call.opportunity) {
    transition(Trigger::OpportunityDetected);
  } else if (call.action) {
    apply(*call.action, md);
  }
  strategy_.read_context(snap_.context);

  snap_.stats.record_tick(uint64_t(mono_ns() - started));
  snap_.updated_ms = wall_ms();
  return std::move(pending_);
}

}  // namespace stratd::worker
