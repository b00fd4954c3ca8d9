#include "supervisor/http/connection_limits.hpp"

#include "supervisor/metrics/exposition.hpp"

namespace stratd::supervisor::http {

AddressKey::AddressKey(const boost::asio::ip::address& a) {
  bytes = a.is_v4() ? boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, a.to_v4()).to_bytes()
                    : a.to_v6().to_bytes();
}

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& o) noexcept {
  if (this != &o) {
    release();
    owner_ = std::move(o.owner_);
    address_ = o.address_;
  }
  return *this;
}

void ConnectionSlot::release() {
  if (auto owner = std::move(owner_)) owner->give_back(address_);
}

ConnectionLimits::Taken ConnectionLimits::take(const boost::asio::ip::address& address, uint64_t max_total,
                                               uint64_t max_per_address) {
  const AddressKey key(address);
  std::lock_guard lock(mutex_);
  if (total_ >= max_total) return {{}, Rejection::ConnectionsTotal};
  auto [it, fresh] = per_address_.try_emplace(key, 0);
  if (it->second >= max_per_address) return {{}, Rejection::ConnectionsPerAddress};
  ++it->second;
  ++total_;
  return {ConnectionSlot(shared_from_this(), key), std::nullopt};
}

void ConnectionLimits::give_back(const AddressKey& address) {
  std::lock_guard lock(mutex_);
  --total_;
  if (auto it = per_address_.find(address); it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

uint64_t ConnectionLimits::open() const {
  std::lock_guard lock(mutex_);
  return total_;
}

void ConnectionLimits::write_metrics(metrics::Exposition& out) const {
  out.family("stratd_http_open_connections", metrics::Type::Gauge,
             "Client connections open, HTTP and WebSocket ones (those also in stratd_websocket_clients).");
  out.sample({}, open());
}

}  // namespace stratd::supervisor::http
