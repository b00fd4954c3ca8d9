#include "worker/indicators.hpp"

#include <algorithm>

namespace stratd::worker {

std::optional<double> sma(const BarRing& bars, size_t n) {
  if (n == 0 || bars.size() < n) return std::nullopt;
  double sum = 0;
  for (size_t i = bars.size() - n; i < bars.size(); ++i) sum += bars[i].close;
  return sum / double(n);
}

std::optional<double> ema(const BarRing& bars, size_t n) {
  if (n == 0 || bars.size() < n) return std::nullopt;
  double value = 0;
  for (size_t i = 0; i < n; ++i) value += bars[i].close;
  value /= double(n);
  const double alpha = 2.0 / (double(n) + 1.0);
  for (size_t i = n; i < bars.size(); ++i) value = alpha * bars[i].close + (1 - alpha) * value;
  return value;
}

std::optional<double> rsi(const BarRing& bars, size_t n) {
  if (n == 0 || bars.size() < n + 1) return std::nullopt;
  double gain = 0, loss = 0;
  for (size_t i = 1; i <= n; ++i) {
    const double d = bars[i].close - bars[i - 1].close;
    (d > 0 ? gain : loss) += d > 0 ? d : -d;
  }
  gain /= double(n);
  loss /= double(n);
  for (size_t i = n + 1; i < bars.size(); ++i) {
    const double d = bars[i].close - bars[i - 1].close;
    gain = (gain * double(n - 1) + (d > 0 ? d : 0)) / double(n);
    loss = (loss * double(n - 1) + (d < 0 ? -d : 0)) / double(n);
  }
  if (loss == 0) return gain == 0 ? 50.0 : 100.0;
  const double rs = gain / loss;
  return 100.0 - 100.0 / (1.0 + rs);
}

std::optional<WindowStats> window_stats(const BarRing& bars) {
  if (bars.empty()) return std::nullopt;
  WindowStats w;
  w.high = bars[0].high;
  w.low = bars[0].low;
  double vol = 0;
  for (size_t i = 0; i < bars.size(); ++i) {
    w.high = std::max(w.high, bars[i].high);
    w.low = std::min(w.low, bars[i].low);
    vol += bars[i].volume;
  }
  w.range = w.high - w.low;
  w.avg_volume = vol / double(bars.size());
  return w;
}

}  // namespace stratd::worker
