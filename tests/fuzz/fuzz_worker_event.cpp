// Bytes from an untrusted worker: an event message and a shared-memory
// snapshot. Decoding must fail cleanly or yield something whose JSON is valid.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/json_codec.hpp"
#include "common/msgpack_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto e = stratd::msgpack_decode<stratd::Event>(bytes)) {
    const std::string text = stratd::event_json_text(*e);
    if (!nlohmann::json::accept(text)) std::abort();  // a client would get broken JSON
  }
  if (auto s = stratd::msgpack_decode<stratd::Snapshot>(bytes)) {
    (void)stratd::to_json(*s, 0).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  (void)stratd::msgpack_decode<stratd::MarketData>(bytes);
  return 0;
}
