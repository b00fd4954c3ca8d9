#pragma once
// msgpack encode/decode for the wire and shared-memory types. Decoding is
// defensive: input may come from an untrusted worker, so sizes and depth are
// bounded and every failure becomes an Error, never an exception.
#include <optional>
#include <string>
#include <string_view>

#include <msgpack.hpp>

#include "common/result.hpp"

namespace stratd {

template <class T>
std::string msgpack_encode(const T& value) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, value);
  return std::string(buf.data(), buf.size());
}

// Appends to an existing buffer (reused across calls on hot paths).
template <class T>
void msgpack_encode_into(msgpack::sbuffer& buf, const T& value) {
  buf.clear();
  msgpack::pack(buf, value);
}

// Limits on what a decoder accepts: a forged length cannot make it allocate
// more than a few megabytes.
inline msgpack::unpack_limit decode_limits() {
  return msgpack::unpack_limit(/*array*/ 4096, /*map*/ 4096, /*str*/ 1 << 20, /*bin*/ 1 << 20,
                               /*ext*/ 0, /*depth*/ 16);
}

// The object tree of a decode lives in a zone kept per thread and emptied
// after each use: decoding a snapshot allocates nothing for the tree, and
// strings point into the input rather than being copied into the zone. A
// decode nested in another (from inside a conversion) gets a zone of its
// own, so it never empties the outer one's tree.
struct DecodeZone {
  msgpack::zone shared{64 * 1024};
  int depth = 0;
};
inline DecodeZone& decode_zone() {
  thread_local DecodeZone z;
  return z;
}

template <class T>
Expected<T> msgpack_decode(std::string_view bytes) {
  DecodeZone& dz = decode_zone();
  std::optional<msgpack::zone> own;
  msgpack::zone& zone = dz.depth == 0 ? dz.shared : own.emplace();
  struct Scope {
    DecodeZone& dz;
    msgpack::zone& z;
    Scope(DecodeZone& d, msgpack::zone& zz) : dz(d), z(zz) { ++dz.depth; }
    ~Scope() {
      --dz.depth;
      z.clear();
    }
  } scope{dz, zone};
  try {
    std::size_t off = 0;
    const auto by_reference = [](msgpack::type::object_type, std::size_t, void*) { return true; };
    const msgpack::object obj =
        msgpack::unpack(zone, bytes.data(), bytes.size(), off, by_reference, nullptr, decode_limits());
    if (off != bytes.size()) return fail(ErrorCode::DecodeError, "trailing bytes after msgpack value");
    T value;
    obj.convert(value);
    return value;
  } catch (const std::exception& e) {
    return fail(ErrorCode::DecodeError, e.what());
  }
}

}  // namespace stratd
