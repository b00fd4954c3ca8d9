#pragma once
// What names a request in every log line, in X-Request-Id and in the
// audit log: the client's own id if it sent a sane one, else ours.
#include <string>
#include <string_view>

namespace stratd::supervisor::http {

// A client's X-Request-Id is kept if it is short and plain (it ends up in
// log lines and headers).
bool usable_request_id(std::string_view id);
// This process's prefix and a count: unique across restarts of stratd
// without a random draw per request. Thread-safe (plain sessions run on
// the HTTP loop, TLS ones on the hub's).
std::string next_request_id();

}  // namespace stratd::supervisor::http
