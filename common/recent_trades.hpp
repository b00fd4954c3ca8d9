#pragma once
// The closed trades a snapshot carries until the supervisor's store has
// them. They travel as one msgpack blob inside the snapshot: stratd decodes
// a snapshot on every commit it reads but needs the trades only to store
// them, and 32 trades cost four times the rest of the snapshot to decode.
#include <string>
#include <vector>

#include <msgpack.hpp>

#include "common/trading.hpp"

namespace stratd {

class RecentTrades {
 public:
  RecentTrades() = default;
  explicit RecentTrades(const std::vector<Trade>& trades) { assign(trades); }

  // Appends one, dropping the oldest past `keep`.
  void push(const Trade& t, size_t keep);
  // Oldest first. Empty if the blob does not decode.
  std::vector<Trade> list() const;
  bool empty() const { return packed_.empty(); }
  void assign(const std::vector<Trade>& trades);

  const std::string& packed() const { return packed_; }
  void set_packed(std::string bytes) { packed_ = std::move(bytes); }

 private:
  std::string packed_;  // msgpack of std::vector<Trade>; empty for none
};

}  // namespace stratd

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
namespace adaptor {

template <>
struct pack<stratd::RecentTrades> {
  template <class Stream>
  packer<Stream>& operator()(packer<Stream>& p, const stratd::RecentTrades& v) const {
    p.pack_bin(uint32_t(v.packed().size()));
    p.pack_bin_body(v.packed().data(), uint32_t(v.packed().size()));
    return p;
  }
};

template <>
struct convert<stratd::RecentTrades> {
  const msgpack::object& operator()(const msgpack::object& o, stratd::RecentTrades& v) const {
    if (o.type == msgpack::type::BIN) {
      v.set_packed(std::string(o.via.bin.ptr, o.via.bin.size));
    } else if (o.type == msgpack::type::ARRAY) {  // snapshots written before the blob
      std::vector<stratd::Trade> trades;
      o.convert(trades);
      v.assign(trades);
    } else {
      throw msgpack::type_error();
    }
    return o;
  }
};

}  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack
