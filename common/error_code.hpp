#pragma once
// Every error stratd's parts report to each other, as one enum. Its wire
// name and HTTP status exist only at the HTTP/WebSocket edge
// (supervisor/http/api_error.cpp); inside, errors stay typed.
#include <cstdint>

namespace stratd {

enum class ErrorCode : uint8_t {
  // Start-up and plumbing: logged, never shown to a client as such.
  ConfigInvalid,
  Usage,
  StoreError,
  SegmentError,
  SegmentInvalid,
  SpawnFailed,
  DecodeError,
  ListenFailed,
  InternalError,
  // A runner's published state.
  SnapshotUnavailable,  // nothing published yet, being rewritten, or not the runner's
  // The REST API.
  RunnerNotFound,
  RunnerExists,
  RunnerLimit,
  ShuttingDown,
  InvalidStrategyPath,
  StrategyNotFound,
  StrategyInvalid,
  InvalidJson,
  ValidationError,
  NotFound,
  MethodNotAllowed,
  BadRequest,
  PayloadTooLarge,
  HeadersTooLarge,
  UpgradeRequired,
  TooManyClients,
  // Access and the limits that protect stratd (issue 11).
  Unauthorized,        // no key, or not a key of ours
  Forbidden,           // a key whose role may not do this
  OriginNotAllowed,    // a browser's Origin not in [cors] allowed_origins
  HostNotAllowed,      // a Host header not one of stratd's names ([server] allowed_hosts): DNS rebinding
  RateLimited,         // a client's token bucket is empty: Retry-After says when
  UriTooLong,
  RequestTimeout,      // headers or body not received within their deadline
  TooManyConnections,  // per client address, or in total
  ConfigRefused,       // a reload asked for whose configuration does not load: nothing changed
  // The WebSocket protocol.
  InvalidMessage,
  UnknownEventType,
  SinceAhead,
  SinceTooOld,
  SinceAfterChange,
  // A strategy's action the broker refuses.
  InvalidAction,
  kCount
};

}  // namespace stratd
