#pragma once
// A small blocking HTTP/1.1 client on Boost.Beast for tests: one
// connection per request, with socket timeouts so a hung server fails the
// test instead of hanging it.
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace stratd::test {

struct HttpResult {
  int status = 0;           // 0: no answer (connection failed or timed out)
  std::string raw;          // response body
  nlohmann::json body;      // parsed body, null if not JSON
  std::string allow;        // Allow header
  std::map<std::string, std::string> headers;  // every header, names in lower case
  std::string error;        // transport error, if any
};

class HttpClient {
 public:
  HttpClient() = default;
  HttpClient(std::string host, uint16_t port) : host_(std::move(host)), port_(port) {}

  HttpResult get(const std::string& target) const { return request("GET", target, ""); }
  HttpResult post(const std::string& target, const std::string& body = "") const {
    return request("POST", target, body);
  }
  HttpResult del(const std::string& target) const { return request("DELETE", target, ""); }
  HttpResult request(const std::string& method, const std::string& target, const std::string& body,
                     const std::map<std::string, std::string>& headers = {}) const;
  // Writes `bytes` as they are and reads one response: for malformed input.
  HttpResult raw(const std::string& bytes) const;
  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }

 private:
  std::string host_;
  uint16_t port_ = 0;
};

}  // namespace stratd::test
