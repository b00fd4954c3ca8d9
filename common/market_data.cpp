#include "common/market_data.hpp"

#include <cmath>

namespace stratd {

bool is_sane(const MarketData& md) {
  const double prices[] = {md.open, md.high, md.low, md.close, md.bid, md.ask};
  for (double p : prices) {
    if (!std::isfinite(p) || p <= 0) return false;
  }
  if (!std::isfinite(md.volume) || md.volume < 0) return false;
  if (md.high < md.low || md.high < md.open || md.high < md.close) return false;
  if (md.low > md.open || md.low > md.close) return false;
  return md.bid <= md.ask;
}

}  // namespace stratd
