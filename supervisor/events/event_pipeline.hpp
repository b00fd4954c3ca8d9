#pragma once
// Where numbered events go, in order, on the event hub's thread: into the
// journal, out to the WebSocket clients (in slices, so a lagging client
// sheds in time), and to the store on the store's loop (every event but
// ticks; a position event also has its runner's snapshot saved at once).
// It owns the sequence reservation that keeps global numbers unique across
// restarts. Constructed with the store and a sink for the runners'
// snapshots; the hub calls it, nothing calls back into its owner.
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/config.hpp"
#include "common/result.hpp"
#include "supervisor/events/event_hub.hpp"
#include "supervisor/events/event_journal.hpp"
#include "supervisor/events/sequence_reservation.hpp"
#include "supervisor/store.hpp"
#include "supervisor/ws/ws_hub.hpp"

namespace stratd::supervisor {

class EventPipeline {
 public:
  // Saves the named runner's snapshot to the store (on the store's loop).
  using SnapshotSink = std::function<void(const std::string& runner_id)>;

  // Which events the store keeps: all but ticks (a price, not a fact).
  static bool is_stored(EventType t) { return !is_coalescable(t); }
  // Which make their runner's snapshot durable at once: a position changed.
  static bool saves_snapshot(EventType t) {
    return t == EventType::PositionOpened || t == EventType::PositionClosed || t == EventType::PositionUpdated;
  }

  // `store_io` is the loop the store and the sink are used on; `logs`
  // (may be null) serves WebSocket clients' live log tails; `rejections`
  // (may be null) counts what WebSocket clients were refused.
  EventPipeline(EventHub& hub, Store& store, boost::asio::io_context& store_io, SnapshotSink save_snapshot,
                const Config& cfg, LogFollower* logs = nullptr, http::Rejections* rejections = nullptr);

  // Reserves numbers, continues the journal where the last stratd left
  // it, binds the event socket and starts the hub's thread.
  Status start();
  // Delivers what the hub still has, then stops its thread.
  void stop();

  const EventJournal& journal() const { return journal_; }
  ws::WsHub& websocket() { return websocket_; }
  const ws::WsHub& websocket() const { return websocket_; }

 private:
  void on_batch(std::vector<JournalEventPtr>& batch);  // the hub's thread

  EventHub& hub_;
  Store& store_;
  boost::asio::io_context& store_io_;
  SnapshotSink save_snapshot_;
  uint64_t store_retention_;
  EventJournal journal_;  // the hub's thread
  ws::WsHub websocket_;
  SequenceReservation reservation_;
};

}  // namespace stratd::supervisor
