#pragma once
// How many connections are open, in all and per client address, so the
// listener can refuse one past server.max_connections or
// server.max_connections_per_ip before reading a byte of it. A
// ConnectionSlot is one open connection: taken at accept (the HTTP loop),
// handed from the HTTP session to the WebSocket session on an upgrade, and
// given back when the last of them ends, on whichever loop that is (a
// WebSocket session ends on the hub's). Hence a mutex, taken twice per
// connection (never per request).
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <boost/asio/ip/address.hpp>

#include "supervisor/http/rejections.hpp"

namespace stratd::supervisor::metrics {
class Exposition;
}

namespace stratd::supervisor::http {

class ConnectionLimits;

// A client address as 16 bytes (IPv4 as its IPv6-mapped form), a map key:
// Boost 1.74's addresses have no std::hash.
struct AddressKey {
  std::array<unsigned char, 16> bytes{};
  explicit AddressKey(const boost::asio::ip::address& a);
  AddressKey() = default;
  bool operator==(const AddressKey&) const = default;
  struct Hash {
    size_t operator()(const AddressKey& k) const {
      uint64_t hi, lo;
      std::memcpy(&hi, k.bytes.data(), 8);
      std::memcpy(&lo, k.bytes.data() + 8, 8);
      return size_t(hi * 0x9E3779B97F4A7C15ull ^ lo * 0xC2B2AE3D27D4EB4Full);
    }
  };
};

class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(ConnectionSlot&& o) noexcept = default;
  ConnectionSlot& operator=(ConnectionSlot&& o) noexcept;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot() { release(); }
  void release();

 private:
  friend class ConnectionLimits;
  ConnectionSlot(std::shared_ptr<ConnectionLimits> owner, const AddressKey& address)
      : owner_(std::move(owner)), address_(address) {}
  std::shared_ptr<ConnectionLimits> owner_;
  AddressKey address_;
};

class ConnectionLimits : public std::enable_shared_from_this<ConnectionLimits> {
 public:
  struct Taken {
    ConnectionSlot slot;                  // held while the connection is open
    std::optional<Rejection> refused;     // set: no slot, refuse the connection
  };
  // A slot for a connection from `address`, unless one of the caps is
  // reached (then the reason, for the rejection count).
  Taken take(const boost::asio::ip::address& address, uint64_t max_total, uint64_t max_per_address);
  // Connections open now, WebSocket ones included.
  uint64_t open() const;
  // That, to /metrics (stratd_http_open_connections).
  void write_metrics(metrics::Exposition& out) const;

 private:
  friend class ConnectionSlot;
  void give_back(const AddressKey& address);

  mutable std::mutex mutex_;
  uint64_t total_ = 0;
  std::unordered_map<AddressKey, uint64_t, AddressKey::Hash> per_address_;
};

}  // namespace stratd::supervisor::http
