#pragma once
// Events: what workers publish and the supervisor journals and streams.
// One definition for both ends of the ZeroMQ bus and for the JSON wire.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <msgpack.hpp>

namespace stratd {

enum class EventType : uint8_t {
  TickReceived = 0,
  StateTransition,
  PositionOpened,
  PositionClosed,
  PositionUpdated,
  StrategyError,
  RunnerStarted,
  RunnerStopped,
  RunnerCrashed,
  RunnerRestarted,
  RunnerFailed,
  HealthChanged,
  kCount
};

std::string_view to_string(EventType t);
std::optional<EventType> event_type_from_string(std::string_view name);
// Events only the supervisor may emit; a worker claiming one is forging it.
bool is_supervisor_event(EventType t);

// A scalar event field value: nil, bool, integer, double or string.
using Scalar = std::variant<std::monostate, bool, int64_t, double, std::string>;

struct Field {
  std::string key;
  Scalar value;
  MSGPACK_DEFINE(key, value)
};

struct Event {
  EventType type = EventType::TickReceived;
  std::string runner_id;
  std::string symbol;
  uint64_t runner_seq = 0;   // the runner's own sequence, continued across restarts
  int64_t timestamp_ms = 0;  // wall time the event happened
  int64_t publish_ns = 0;    // wall time it was put on the bus (latency measurement)
  std::vector<Field> data;
  uint64_t seq = 0;          // global sequence, assigned by the supervisor on intake
  int64_t received_ns = 0;   // wall time the supervisor took it in

  const Scalar* find(std::string_view key) const;

  // `seq` and `received_ns` are deliberately not on the worker's wire:
  // only stratd assigns them.
  MSGPACK_DEFINE(type, runner_id, symbol, runner_seq, timestamp_ms, publish_ns, data)
};

}  // namespace stratd

MSGPACK_ADD_ENUM(stratd::EventType);

// msgpack adaptor for Scalar, so event fields travel as native msgpack types.
namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {

  template <>
  struct pack<stratd::Scalar> {
    template <typename Stream>
    packer<Stream>& operator()(packer<Stream>& o, const stratd::Scalar& v) const {
      std::visit(
          [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
              o.pack_nil();
            } else {
              o.pack(x);
            }
          },
          v);
      return o;
    }
  };

  template <>
  struct convert<stratd::Scalar> {
    const msgpack::object& operator()(const msgpack::object& o, stratd::Scalar& v) const {
      switch (o.type) {
        case msgpack::type::NIL: v = std::monostate{}; break;
        case msgpack::type::BOOLEAN: v = o.via.boolean; break;
        case msgpack::type::POSITIVE_INTEGER:
          if (o.via.u64 > uint64_t(INT64_MAX)) throw msgpack::type_error();
          v = int64_t(o.via.u64);
          break;
        case msgpack::type::NEGATIVE_INTEGER: v = o.via.i64; break;
        case msgpack::type::FLOAT32:
        case msgpack::type::FLOAT64: v = o.via.f64; break;
        case msgpack::type::STR: v = std::string(o.via.str.ptr, o.via.str.size); break;
        default: throw msgpack::type_error();
      }
      return o;
    }
  };

  }  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE
}  // namespace msgpack
