#pragma once
// JSON renderings of domain types, with the seed's field names.
#include <nlohmann/json.hpp>

#include "common/context.hpp"
#include "common/event.hpp"
#include "common/market_data.hpp"
#include "common/snapshot.hpp"
#include "common/trading.hpp"

namespace stratd {

using Json = nlohmann::json;

Json to_json(const Bar& bar);
Json to_json(const Position& p, double mark_price);
Json to_json(const Trade& t);
Json to_json(const Context& c);
Json to_json(const RunnerStats& s);
// The seed's snapshot object. `uptime_secs` is supplied by the caller, who
// knows when the runner started.
Json to_json(const Snapshot& s, int64_t uptime_secs);
Json to_json(const Scalar& v);
// The client wire format: { type, runner_id, symbol, seq, timestamp, data },
// plus publish_ns (when it was put on the bus) and received_ns (when stratd
// took it in), wall-clock nanoseconds, for measuring delivery delay.
Json to_json(const Event& e);
// The same, serialized directly (the hot path: one call per event).
std::string event_json_text(const Event& e);
// JSON text of a document that may hold bytes from a strategy, a worker or
// a client: invalid UTF-8 becomes U+FFFD instead of an exception.
inline std::string json_text(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// The seed's {secs, nanos} duration shape.
Json duration_json(uint64_t ns);

}  // namespace stratd
