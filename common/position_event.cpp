#include "common/position_event.hpp"

namespace stratd {
namespace {

Scalar opt(const std::optional<double>& v) { return v ? Scalar(*v) : Scalar(std::monostate{}); }

std::optional<double> number(const Event& e, std::string_view key) {
  const Scalar* v = e.find(key);
  if (!v) return std::nullopt;
  if (const auto* d = std::get_if<double>(v)) return *d;
  if (const auto* i = std::get_if<int64_t>(v)) return double(*i);
  return std::nullopt;
}
int64_t integer(const Event& e, std::string_view key) {
  const Scalar* v = e.find(key);
  const auto* i = v ? std::get_if<int64_t>(v) : nullptr;
  return i ? *i : 0;
}
std::string text(const Event& e, std::string_view key) {
  const Scalar* v = e.find(key);
  const auto* s = v ? std::get_if<std::string>(v) : nullptr;
  return s ? *s : std::string();
}

}  // namespace

std::vector<Field> position_opened_fields(const Position& p) {
  return {{"position_id", int64_t(p.id)},
          {"side", std::string(to_string(p.side))},
          {"entry_price", p.entry_price},
          {"quantity", p.quantity},
          {"stop_loss", opt(p.stop_loss)},
          {"take_profit", opt(p.take_profit)},
          {"fee", p.entry_fee},
          {"entry_time_ms", p.entry_time_ms}};
}

std::vector<Field> position_closed_fields(const Trade& t) {
  return {{"position_id", int64_t(t.id)},
          {"side", std::string(to_string(t.side))},
          {"entry_price", t.entry_price},
          {"exit_price", t.exit_price},
          {"quantity", t.quantity},
          {"reason", t.reason},
          {"gross_pnl", t.gross_pnl},
          {"fees", t.fees},
          {"realized_pnl", t.realized_pnl},
          {"entry_time_ms", t.entry_time_ms},
          {"exit_time_ms", t.exit_time_ms}};
}

std::optional<PositionRecord> position_record(const Event& e) {
  if (e.type != EventType::PositionOpened && e.type != EventType::PositionClosed) return std::nullopt;
  const int64_t id = integer(e, "position_id");
  if (id <= 0) return std::nullopt;
  PositionRecord p;
  Trade& t = p.trade;
  t.id = uint64_t(id);
  t.side = text(e, "side") == "Short" ? Side::Short : Side::Long;
  t.entry_price = number(e, "entry_price").value_or(0);
  t.quantity = number(e, "quantity").value_or(0);
  t.entry_time_ms = integer(e, "entry_time_ms");
  if (e.type == EventType::PositionOpened) {
    p.open = true;
    // From a worker older than the field: the event's own time.
    if (!e.find("entry_time_ms")) t.entry_time_ms = e.timestamp_ms;
    p.stop_loss = number(e, "stop_loss");
    p.take_profit = number(e, "take_profit");
    return p;
  }
  t.exit_price = number(e, "exit_price").value_or(0);
  t.exit_time_ms = integer(e, "exit_time_ms");
  t.reason = text(e, "reason");
  t.gross_pnl = number(e, "gross_pnl").value_or(0);
  t.fees = number(e, "fees").value_or(0);
  t.realized_pnl = number(e, "realized_pnl").value_or(0);
  return p;
}

}  // namespace stratd
