#pragma once
// What can go wrong in stratctl, and the exit code each kind maps to, so a
// script can tell "stratd said no" from "I typed it wrong" from "nothing
// answered".
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace stratd::cli {

enum class ExitCode : int {
  Ok = 0,
  ServerError = 1,    // stratd answered with an error envelope (or not like stratd)
  Usage = 2,          // unknown command or flag, missing or bad argument
  CannotConnect = 3,  // refused, unresolvable, timed out, or dropped
};

struct CliError {
  ExitCode exit = ExitCode::ServerError;
  std::string code;     // stratd's wire code (RUNNER_NOT_FOUND, ...) or ours
  std::string message;
  nlohmann::json details = nullptr;  // the envelope's details, if any
  bool reported = false;             // already shown to the user; only the exit code is left
};

template <class T>
using CliExpected = Expected<T, CliError>;
using CliStatus = Expected<Ok, CliError>;

inline Unexpected<CliError> usage_error(std::string message) {
  return {CliError{ExitCode::Usage, "USAGE", std::move(message), nullptr}};
}
inline Unexpected<CliError> connect_error(std::string message) {
  return {CliError{ExitCode::CannotConnect, "CANNOT_CONNECT", std::move(message), nullptr}};
}
inline Unexpected<CliError> server_error(std::string code, std::string message, nlohmann::json details = nullptr) {
  return {CliError{ExitCode::ServerError, std::move(code), std::move(message), std::move(details)}};
}

}  // namespace stratd::cli
