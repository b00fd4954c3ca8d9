#include "feed/sim_source.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "common/validation.hpp"

namespace stratd::feed {
namespace {
constexpr int kSubSteps = 4;  // path points per bar, for high and low

uint64_t fnv1a(const std::string& s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}
}  // namespace

uint64_t SimSource::symbol_seed(const std::string& symbol, uint64_t ticks) const {
  return fnv1a(symbol, s_.seed * 0x9E3779B97F4A7C15ull + ticks);
}

SimSource::Walk& SimSource::walk_for(const std::string& symbol) {
  auto [it, inserted] = walks_.try_emplace(symbol);
  if (inserted) {
    Walk& w = it->second;
    w.rng.seed(symbol_seed(symbol, 0));
    // A starting price between 0.01 and 10,000, fixed by seed and symbol.
    std::uniform_real_distribution<double> exp10(-2.0, 4.0);
    w.price = std::pow(10.0, exp10(w.rng));
  }
  return it->second;
}

void SimSource::activate(const std::string& symbol) { walk_for(symbol).active = true; }

void SimSource::deactivate(const std::string& symbol) {
  if (auto it = walks_.find(symbol); it != walks_.end()) it->second.active = false;
}

size_t SimSource::active_count() const {
  size_t n = 0;
  for (const auto& [_, w] : walks_) n += w.active;
  return n;
}

std::vector<MarketData> SimSource::tick(int64_t timestamp_ms) {
  std::vector<MarketData> out;
  const double sub_sigma = s_.sigma_per_tick / std::sqrt(double(kSubSteps));
  for (auto& [symbol, w] : walks_) {
    if (!w.active) continue;
    std::normal_distribution<double> z(0.0, 1.0);
    MarketData md;
    md.symbol = symbol;
    md.timestamp_ms = timestamp_ms;
    md.open = md.high = md.low = w.price;
    double p = w.price;
    for (int i = 0; i < kSubSteps; ++i) {
      p *= std::exp(sub_sigma * z(w.rng) - 0.5 * sub_sigma * sub_sigma);
      md.high = std::max(md.high, p);
      md.low = std::min(md.low, p);
    }
    md.close = p;
    std::lognormal_distribution<double> vol(std::log(s_.base_volume), 0.5);
    md.volume = vol(w.rng);
    const double half_spread = s_.spread_bps / 20'000.0;
    md.bid = p * (1 - half_spread);
    md.ask = p * (1 + half_spread);
    w.price = p;
    ++w.ticks;
    out.push_back(std::move(md));
  }
  return out;
}

std::string SimSource::save_state() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [symbol, w] : walks_) j[symbol] = {{"price", w.price}, {"ticks", w.ticks}};
  return j.dump();
}

void SimSource::load_state(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return;
  for (auto& [symbol, v] : j.items()) {
    if (!is_valid_symbol(symbol) || !v.is_object()) continue;
    // A hand-edited or half-written file must not stop the feed.
    const auto p = v.find("price");
    const auto t = v.find("ticks");
    if (p == v.end() || !p->is_number() || (t != v.end() && !t->is_number_unsigned())) continue;
    const double price = p->get<double>();
    const uint64_t ticks = t != v.end() ? t->get<uint64_t>() : 0;
    if (!std::isfinite(price) || price <= 0) continue;
    Walk& w = walk_for(symbol);
    w.price = price;
    w.ticks = ticks;
    // Continue the walk with a fresh stream derived from how far it got.
    w.rng.seed(symbol_seed(symbol, ticks));
  }
}

}  // namespace stratd::feed
