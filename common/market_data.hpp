#pragma once
// One market-data update as the feed publishes it and strategies see it.
#include <cstdint>
#include <string>

#include <msgpack.hpp>

namespace stratd {

// A price bar without its symbol: what the history ring in shared memory
// holds (fixed size, trivially copyable) and what indicators compute over.
struct Bar {
  int64_t timestamp_ms = 0;
  double open = 0, high = 0, low = 0, close = 0, volume = 0, bid = 0, ask = 0;

  double mid_price() const { return (bid + ask) / 2.0; }
};

struct MarketData {
  std::string symbol;
  int64_t timestamp_ms = 0;
  double open = 0, high = 0, low = 0, close = 0, volume = 0, bid = 0, ask = 0;

  double mid_price() const { return (bid + ask) / 2.0; }
  Bar bar() const { return {timestamp_ms, open, high, low, close, volume, bid, ask}; }

  MSGPACK_DEFINE(symbol, timestamp_ms, open, high, low, close, volume, bid, ask)
};

// True when every price is finite and positive, high/low bound open/close,
// and bid <= ask: what a worker accepts from the feed.
bool is_sane(const MarketData& md);

}  // namespace stratd
