#include "supervisor/events/event_pipeline.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace stratd::supervisor {

EventPipeline::EventPipeline(EventHub& hub, Store& store, boost::asio::io_context& store_io, SnapshotSink save_snapshot,
                             const Config& cfg, LogFollower* logs, http::Rejections* rejections)
    : hub_(hub), store_(store), store_io_(store_io), save_snapshot_(std::move(save_snapshot)),
      store_retention_(cfg.events.store_retention),
      journal_(cfg.events.journal_capacity, cfg.events.journal_max_bytes),
      websocket_(hub.io(), journal_, cfg.websocket, logs, rejections) {}

Status EventPipeline::start() {
  // Sequence numbers continue across restarts: clients resume with them.
  const uint64_t reserved = reservation_.resume(store_.last_event_seq(), store_.seq_reserved());
  if (auto st = store_.set_seq_reserved(reserved); !st) return st;
  const uint64_t last = reservation_.last();
  journal_.start_after(last);
  hub_.number_after(last);
  try {
    hub_.start([this](std::vector<JournalEventPtr>& batch) { on_batch(batch); });
  } catch (const zmq::error_t& e) {
    return fail(ErrorCode::ListenFailed, std::string("cannot bind the event socket: ") + e.what());
  }
  return ok();
}

void EventPipeline::stop() { hub_.stop(); }

void EventPipeline::on_batch(std::vector<JournalEventPtr>& batch) {
  if (batch.empty()) return;
  // In slices of at most a sixteenth of the journal (by count and bytes):
  // sessions see each slice before the next can push their unread events
  // out, so a lagging one sheds in time instead of losing them.
  const size_t max_events = std::max<size_t>(1, journal_.capacity() / 16);
  const uint64_t max_bytes = journal_.max_bytes() / 16;
  size_t slice_events = 0;
  uint64_t slice_bytes = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    journal_.append(batch[i]);
    ++slice_events;
    slice_bytes += batch[i]->json.size();
    if (i + 1 == batch.size() || slice_events >= max_events || slice_bytes >= max_bytes) {
      websocket_.on_events();
      slice_events = 0;
      slice_bytes = 0;
    }
  }
  // Recorded half a block ahead: long before any number in it is used.
  if (auto upto = reservation_.advance(batch.back()->seq)) {
    boost::asio::post(store_io_, [this, upto = *upto] {
      if (auto st = store_.set_seq_reserved(upto); !st) spdlog::error("{}", st.error().message);
    });
  }
  std::vector<JournalEventPtr> stored;
  std::set<std::string> snapshots;
  for (const auto& e : batch) {
    if (!is_stored(e->type)) continue;
    stored.push_back(e);
    if (saves_snapshot(e->type)) snapshots.insert(e->runner_id);
  }
  if (stored.empty()) return;
  boost::asio::post(store_io_, [this, stored = std::move(stored), snapshots = std::move(snapshots)] {
    if (auto st = store_.append_events(stored, store_retention_); !st) {
      spdlog::error("storing events: {}", st.error().message);
    }
    for (const auto& id : snapshots) save_snapshot_(id);
  });
}

}  // namespace stratd::supervisor
