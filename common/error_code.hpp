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
