#include "common/recent_trades.hpp"

#include "common/msgpack_codec.hpp"

namespace stratd {

void RecentTrades::assign(const std::vector<Trade>& trades) {
  packed_ = trades.empty() ? std::string() : msgpack_encode(trades);
}

std::vector<Trade> RecentTrades::list() const {
  if (packed_.empty()) return {};
  auto trades = msgpack_decode<std::vector<Trade>>(packed_);
  return trades ? std::move(*trades) : std::vector<Trade>{};
}

void RecentTrades::push(const Trade& t, size_t keep) {
  auto trades = list();
  trades.push_back(t);
  if (trades.size() > keep) trades.erase(trades.begin(), trades.end() - keep);
  assign(trades);
}

}  // namespace stratd
