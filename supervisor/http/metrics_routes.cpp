// GET /metrics: what stratd counts, for Prometheus. The text format 0.0.4,
// or OpenMetrics 1.0 when the Accept header asks for it; never the
// envelope. Everything is read at the scrape on this (the HTTP) loop:
// what lives here directly, what the event hub's thread counts through
// atomics (the journal's and the WebSocket sessions' instruments) or its
// lock (the hub's statistics, taken once per runner and once for all).
// The families are listed in docs/metrics.md.
#include <memory>

#include "supervisor/http/routes.hpp"
#include "supervisor/metrics/exposition.hpp"
#include "supervisor/metrics/feed_ticks.hpp"
#include "supervisor/metrics/process_metrics.hpp"
#include "supervisor/metrics/runner_metrics.hpp"

namespace stratd::supervisor::http {
namespace {
using metrics::Exposition;
using metrics::Type;

void write_event_metrics(Exposition& out, const ApiContext& ctx) {
  const EventHubStats ev = ctx.hub.stats();
  out.family("stratd_events_received", Type::Counter, "Messages read from the workers' event bus.");
  out.sample({}, ev.received);
  out.family("stratd_events_accepted", Type::Counter,
             "Events numbered and delivered: the workers' that were admitted, and stratd's own.");
  out.sample({}, ev.accepted);
  out.family("stratd_events_rejected", Type::Counter,
             "Bus messages dropped: malformed, forged, for an unknown runner or symbol, replayed.");
  out.sample({}, ev.rejected);
  out.family("stratd_event_gaps", Type::Counter, "Per-runner event sequence numbers that never arrived.");
  out.sample({}, ev.gaps);
  out.family("stratd_event_bus_disconnects", Type::Counter,
             "Connections to the event bus that ended (a worker exiting, or cut off for breaking the protocol).");
  out.sample({}, ev.disconnects);
  const JournalStats js = ctx.journal.stats();
  out.family("stratd_event_journal_events", Type::Gauge, "Events held in the in-memory journal.");
  out.sample({}, js.size);
  out.family("stratd_event_journal_capacity_events", Type::Gauge, "Events the journal holds at most.");
  out.sample({}, js.capacity);
  out.family("stratd_event_journal_bytes", Type::Gauge, "Bytes of event JSON held in the journal.", "bytes");
  out.sample({}, js.bytes);
  out.family("stratd_event_journal_capacity_bytes", Type::Gauge, "Bytes of event JSON the journal holds at most.",
             "bytes");
  out.sample({}, js.max_bytes);
}

void write_feed_metrics(Exposition& out, const ApiContext& ctx, metrics::FeedTicks& ticks) {
  out.family("stratd_feed_up", Type::Gauge, "1 while the market-data feed process runs, else 0.");
  out.sample({{"source", ctx.config.feed.source}}, ctx.feed.running());
  out.family("stratd_feed_restarts", Type::Counter, "Restarts of the feed process after it died.");
  out.sample({{"source", ctx.config.feed.source}}, ctx.feed.restarts());
  out.family("stratd_feed_ticks", Type::Counter,
             "Ticks the feed has published, per symbol, as the feed counts them (saved every second).");
  for (const auto& [symbol, n] : ticks.read()) out.sample({{"symbol", symbol}}, n);
}

void write_store_metrics(Exposition& out, const Store& store) {
  out.family("stratd_store_write_duration_seconds", Type::Histogram,
             "Time the store's writes took (one SQLite transaction each), by what they wrote.", "seconds");
  for (size_t w = 0; w < size_t(StoreWrite::kCount); ++w) {
    out.histogram({{"operation", to_string(StoreWrite(w))}}, store.write_latency(StoreWrite(w)).snapshot());
  }
}

}  // namespace

void add_metrics_routes(Router& router, ApiContext& ctx, std::string feed_state_file) {
  struct Scrapes {
    metrics::FeedTicks feed_ticks;
    size_t last_size = 0;  // the text grows with the runners: reserved at once
  };
  auto scrapes = std::make_shared<Scrapes>(Scrapes{metrics::FeedTicks(std::move(feed_state_file))});
  router.add(beast_http::verb::get, "/metrics", Access::Metrics,
             [&ctx, &router, scrapes](const Request& req, const PathParams&, Respond respond) {
               const auto format = metrics::format_for_accept(to_sv(req[beast_http::field::accept]));
               Exposition out(format, scrapes->last_size + scrapes->last_size / 8);
               out.family("stratd_build", Type::Info, "The stratd build that is running.");
               out.sample({{"version", STRATD_VERSION}}, 1u);
               write_event_metrics(out, ctx);
               ctx.websocket.metrics().write(out, ctx.websocket.clients());
               router.metrics().write(out);
               ctx.rejections.write(out);
               if (ctx.connections) ctx.connections->write_metrics(out);
               if (ctx.audit) ctx.audit->write_metrics(out);
               metrics::write_runner_metrics(out, ctx.registry, ctx.hub);
               write_feed_metrics(out, ctx, scrapes->feed_ticks);
               write_store_metrics(out, ctx.store);
               metrics::write_process_metrics(out);
               scrapes->last_size = out.size();
               Response res{beast_http::status::ok, 11};
               const std::string_view type = metrics::content_type(format);
               res.set(beast_http::field::content_type, boost::beast::string_view(type.data(), type.size()));
               res.body() = std::move(out).finish();
               respond(std::move(res));
             });
}

}  // namespace stratd::supervisor::http
