#include "tests/support/candles.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace stratd::test {

// ../shared/data beside the checkout, unless STRATD_DATA_DIR points elsewhere.
std::string data_path(const std::string& file) {
  const char* dir = std::getenv("STRATD_DATA_DIR");
  return std::string(dir && *dir ? dir : STRATD_DATA_DIR) + "/" + file;
}

std::vector<MarketData> load_candles(const std::string& symbol, size_t limit) {
  std::ifstream in(data_path("ETHBTC-1m-candles.csv"));
  if (!in) throw std::runtime_error("cannot open " + data_path("ETHBTC-1m-candles.csv") + " (set STRATD_DATA_DIR)");
  std::string line;
  std::getline(in, line);  // header: open_time_ms,open,high,low,close,volume
  std::vector<MarketData> out;
  while (out.size() < limit && std::getline(in, line)) {
    std::istringstream ss(line);
    std::string f[6];
    for (auto& x : f) std::getline(ss, x, ',');
    MarketData md;
    md.symbol = symbol;
    md.timestamp_ms = std::stoll(f[0]);
    md.open = std::stod(f[1]);
    md.high = std::stod(f[2]);
    md.low = std::stod(f[3]);
    md.close = std::stod(f[4]);
    md.volume = std::stod(f[5]);
    md.bid = md.ask = md.close;
    out.push_back(md);
  }
  return out;
}

}  // namespace stratd::test
