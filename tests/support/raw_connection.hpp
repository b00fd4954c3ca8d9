#pragma once
// A TCP connection for tests that misbehave on purpose: bytes sent as they
// are, a byte at a time if need be, and whatever came back read without
// blocking, so a test can keep trickling while it watches for the answer.
#include <cstdint>
#include <optional>
#include <string>

#include "tests/support/openapi_spec.hpp"

namespace stratd::test {

class RawConnection {
 public:
  // Connects to 127.0.0.1:port, from `source` if given (any 127.x.y.z is
  // this machine: distinct client addresses for one test). Throws on failure.
  explicit RawConnection(uint16_t port, const std::string& source = "");
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // False once the peer has closed or reset.
  bool send(const std::string& bytes);
  // What arrived since the last call; notes an end of stream.
  std::string read_available();
  // The peer closed (or reset) the connection.
  bool closed() const { return closed_; }
  // Everything received so far.
  const std::string& received() const { return received_; }
  void close();

 private:
  int fd_ = -1;
  bool closed_ = false;
  std::string received_;
};

// An HTTP/1.1 answer as raw bytes, split for OpenApiSpec's checks and the
// test's own; nullopt if it is not one (yet).
struct RawAnswer {
  SpecAnswer answer;
  nlohmann::json body;  // null if not JSON
};
std::optional<RawAnswer> parse_raw_answer(const std::string& bytes);

}  // namespace stratd::test
