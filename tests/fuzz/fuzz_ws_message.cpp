// What a WebSocket client may send.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "supervisor/ws/ws_protocol.hpp"

using namespace stratd::supervisor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = ws::parse_client_message(text);
  if (!m) {
    if (!nlohmann::json::accept(ws::error_frame(m.error().code, m.error().message))) std::abort();
    return 0;
  }
  EventFilter filter;
  JournalEvent e;
  e.type = stratd::EventType::TickReceived;
  e.runner_id = "r1";
  e.symbol = "BTCUSDT";
  if (m->kind == ws::ClientMessage::Kind::Subscribe) filter.subscribe(m->selection);
  if (m->kind == ws::ClientMessage::Kind::Unsubscribe) filter.unsubscribe(m->selection);
  (void)filter.matches(e);
  const std::string ack = m->kind == ws::ClientMessage::Kind::Unsubscribe ? ws::unsubscribed_frame(filter, 7)
                                                                          : ws::subscribed_frame(*m, 7);
  if (!nlohmann::json::accept(ack)) std::abort();
  return 0;
}
