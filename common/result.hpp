#pragma once
// A small std::expected stand-in (GCC 12 has no <expected>): a value or an
// error, used at I/O and parsing boundaries instead of exceptions.
#include <string>
#include <utility>
#include <variant>

#include "common/error_code.hpp"

namespace stratd {

// An error with a stable code and a human message.
struct Error {
  ErrorCode code;
  std::string message;
};

template <class E>
struct Unexpected {
  E error;
};

inline Unexpected<Error> fail(ErrorCode code, std::string message) {
  return {Error{code, std::move(message)}};
}

template <class T, class E = Error>
class Expected {
 public:
  Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Expected(Unexpected<E> u) : v_(std::in_place_index<1>, std::move(u.error)) {}

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const E& error() const { return std::get<1>(v_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, E> v_;
};

// For operations that return nothing on success.
struct Ok {};
using Status = Expected<Ok>;
inline Status ok() { return Ok{}; }

}  // namespace stratd
