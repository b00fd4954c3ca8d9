// Bytes from an untrusted worker: an event message and a shared-memory
// snapshot. Decoding must fail cleanly or yield something whose JSON is valid.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/json_codec.hpp"
#include "common/msgpack_codec.hpp"
#include "supervisor/events/event_admission.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The hub's own admission, with the credential right, so every check
  // after it is reached.
  static stratd::supervisor::EventAdmission admission = [] {
    stratd::supervisor::EventAdmission a;
    a.register_runner("r1", "BTCUSDT", std::nullopt);
    a.set_credential("r1", "fuzz");
    return a;
  }();
  if (auto e = admission.admit("ev.r1", "fuzz", bytes)) {
    if (e->runner_id != "r1" || e->symbol != "BTCUSDT") std::abort();  // admitted as someone else
  }
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
