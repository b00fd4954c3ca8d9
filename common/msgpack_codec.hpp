#pragma once
// msgpack encode/decode for the wire and shared-memory types. Decoding is
// defensive: input may come from an untrusted worker, so sizes and depth are
// bounded and every failure becomes an Error, never an exception.
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

template <class T>
Expected<T> msgpack_decode(std::string_view bytes) {
  try {
    std::size_t off = 0;
    msgpack::object_handle oh =
        msgpack::unpack(bytes.data(), bytes.size(), off, nullptr, nullptr, decode_limits());
    if (off != bytes.size()) return fail("DECODE_ERROR", "trailing bytes after msgpack value");
    T value;
    oh.get().convert(value);
    return value;
  } catch (const std::exception& e) {
    return fail("DECODE_ERROR", e.what());
  }
}

}  // namespace stratd
