#pragma once
// One line of the audit log: a control action (or a refused key), who
// asked, from where, under which request, and how it ended.
#include <cstdint>
#include <string>

namespace stratd::supervisor::audit {

struct AuditEntry {
  uint64_t id = 0;          // assigned by the store, increasing
  int64_t time_ms = 0;      // wall clock: read by people
  std::string key;          // the key's name; empty: none (or none configured)
  std::string role;         // its role; empty without a key
  std::string address;      // the client's address ("signal" for SIGHUP)
  std::string request_id;   // X-Request-Id of the request, "" for a signal
  std::string action;       // runner.add, runner.stop, config.reload, auth.bad_key, ...
  std::string target;       // what it acted on: a runner id, a path
  int status = 0;           // the HTTP status answered (0: not over HTTP)
  std::string outcome;      // "ok", or the error code answered
};

}  // namespace stratd::supervisor::audit
