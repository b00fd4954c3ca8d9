// Position events as both ends of the bus see them.
#include <gtest/gtest.h>

#include "common/position_event.hpp"

using namespace stratd;

namespace {
Event event_of(EventType type, std::vector<Field> data) {
  Event e;
  e.type = type;
  e.timestamp_ms = 1'700'000'999'000;  // wall time: not the bar's
  e.data = std::move(data);
  return e;
}
}  // namespace

TEST(PositionEvent, AnOpenedPositionComesBackAsTheBrokerBookedItBarTimeIncluded) {
  Position p{7, Side::Short, 101.5, 2, 1'700'000'000'000, 110.0, std::nullopt, 0.2};
  auto r = position_record(event_of(EventType::PositionOpened, position_opened_fields(p)));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->open);
  EXPECT_EQ(r->trade.id, 7u);
  EXPECT_EQ(r->trade.side, Side::Short);
  EXPECT_DOUBLE_EQ(r->trade.entry_price, 101.5);
  EXPECT_DOUBLE_EQ(r->trade.quantity, 2);
  EXPECT_EQ(r->trade.entry_time_ms, 1'700'000'000'000);
  EXPECT_EQ(r->stop_loss, 110.0);
  EXPECT_FALSE(r->take_profit);
}

TEST(PositionEvent, AClosedTradeComesBackWhole) {
  Trade t{3, Side::Long, 100, 90, 1.5, 1'700'000'000'000, 1'700'000'060'000, "stop_loss", -15, 0.3, -15.3};
  auto r = position_record(event_of(EventType::PositionClosed, position_closed_fields(t)));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->open);
  EXPECT_EQ(r->trade.id, 3u);
  EXPECT_DOUBLE_EQ(r->trade.exit_price, 90);
  EXPECT_EQ(r->trade.exit_time_ms, 1'700'000'060'000);
  EXPECT_EQ(r->trade.reason, "stop_loss");
  EXPECT_DOUBLE_EQ(r->trade.realized_pnl, -15.3);
}

TEST(PositionEvent, FieldsOfTheWrongTypeAreNotTakenAndNoIdIsNoPosition) {
  EXPECT_FALSE(position_record(event_of(EventType::PositionOpened, {{"position_id", std::string("1")}})));
  EXPECT_FALSE(position_record(event_of(EventType::PositionOpened, {{"position_id", int64_t(0)}})));
  EXPECT_FALSE(position_record(event_of(EventType::TickReceived, {{"position_id", int64_t(1)}})));
  auto r = position_record(event_of(EventType::PositionOpened,
                                    {{"position_id", int64_t(1)}, {"side", int64_t(5)}, {"entry_price", std::string("x")}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->trade.side, Side::Long);
  EXPECT_EQ(r->trade.entry_price, 0);
  // Without the field (an older worker), the event's own time.
  EXPECT_EQ(r->trade.entry_time_ms, 1'700'000'999'000);
}
