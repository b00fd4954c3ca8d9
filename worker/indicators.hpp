#pragma once
// Technical indicators over a runner's bar window, computed on closes
// (volume and high/low where named). Each returns nullopt while the window
// is too short. Semantics are documented in docs/strategies.md.
#include <cstddef>
#include <optional>

#include "common/bar_ring.hpp"

namespace stratd::worker {

// Mean of the last n closes.
std::optional<double> sma(const BarRing& bars, size_t n);
// Exponential moving average with alpha = 2/(n+1), seeded with the SMA of
// the first n closes of the window and run over the rest of it.
std::optional<double> ema(const BarRing& bars, size_t n);
// Wilder's RSI: averages of the first n close-to-close changes in the
// window, then Wilder smoothing over the rest. Needs n+1 closes.
std::optional<double> rsi(const BarRing& bars, size_t n);

struct WindowStats {
  double high = 0;        // highest high in the window
  double low = 0;         // lowest low in the window
  double range = 0;       // high - low
  double avg_volume = 0;  // mean volume over the window
};
std::optional<WindowStats> window_stats(const BarRing& bars);

}  // namespace stratd::worker
