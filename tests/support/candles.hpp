#pragma once
// Reads ../shared/data/ETHBTC-1m-candles.csv (real exchange history).
#include <string>
#include <vector>

#include "common/market_data.hpp"

namespace stratd::test {

std::string data_path(const std::string& file);
// The first `limit` candles as market data for `symbol` (bid/ask = close).
std::vector<MarketData> load_candles(const std::string& symbol, size_t limit = SIZE_MAX);

}  // namespace stratd::test
