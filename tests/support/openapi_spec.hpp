#pragma once
// docs/openapi.json as the judge of stratd's answers: which documented
// path a request is for, and whether an answer (status, content type,
// body, Allow) is one the document gives that request. Answers that belong
// to no operation (OPTIONS preflights, unknown paths and methods, requests
// that are not HTTP) are judged by the document's `x-stratd-any-path`.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/json_schema.hpp"

namespace stratd::test {

struct SpecAnswer {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

class OpenApiSpec {
 public:
  explicit OpenApiSpec(nlohmann::json document);
  // docs/openapi.json of this checkout, read once.
  static const OpenApiSpec& installed();

  // The documented path a request target is for ("/api/runners/r1/stop?x=1"
  // → "/api/runners/{id}/stop"), if any. A literal segment wins over a
  // template, as in stratd's router.
  std::optional<std::string> match_path(std::string_view target) const;
  // The methods the document gives a path, upper case ("GET", "POST").
  std::vector<std::string> methods(const std::string& path) const;

  // Empty when `answer` is one the document gives `method target`; else why not.
  std::optional<std::string> check(std::string_view method, std::string_view target, const SpecAnswer& answer) const;
  // The same for bytes that are not an HTTP request at all.
  std::optional<std::string> check_malformed(const SpecAnswer& answer) const;
  // The same for what a connection refused at accept is sent.
  std::optional<std::string> check_refused_connection(const SpecAnswer& answer) const;

  const JsonSchema& schemas() const { return schemas_; }
  const nlohmann::json& document() const { return schemas_.root(); }

 private:
  // `responses` maps a status to a response object (or a $ref to one).
  std::optional<std::string> check_responses(const nlohmann::json& responses, const SpecAnswer& answer,
                                             const std::string& path) const;
  std::optional<std::string> check_response(const nlohmann::json& response, const SpecAnswer& answer,
                                            const std::string& path) const;
  const nlohmann::json& any_path(const char* key) const;

  JsonSchema schemas_;
};

}  // namespace stratd::test
