// GET /api/events?since=SEQ&runner=a,b&type=T1,T2&symbol=S&limit=N
// The same journal the WebSocket clients read, for polling and for catching
// up. Events are served in seq order; next_since continues where this
// page ended (including events the filter skipped).
#include <algorithm>
#include <charconv>
#include <optional>

#include <boost/asio/post.hpp>

#include "common/split_list.hpp"
#include "common/validation.hpp"
#include "supervisor/http/routes.hpp"
#include "supervisor/events/event_filter.hpp"

namespace stratd::supervisor::http {
namespace {
using beast_http::status;
constexpr size_t kDefaultLimit = 100;
constexpr size_t kMaxLimit = 1000;
// Journal entries one request may look at: a filter that matches little
// must not hold up the hub's thread. The page ends there; next_since says
// where to go on.
constexpr uint64_t kMaxScan = 100'000;

bool parse_u64(const std::string& s, uint64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

Response invalid(const std::string& field, const std::string& problem) {
  return reply_error(ErrorCode::ValidationError, field + " " + problem,
                     Json{{"fields", {{field, problem}}}});
}

struct EventQuery {
  Selection selection;
  size_t limit = kDefaultLimit;
  std::optional<uint64_t> since;
};

// Runs on the hub's thread, where the journal lives.
Response run_query(const EventJournal& journal, const EventQuery& q) {
  const uint64_t last = journal.last_seq();
  EventFilter filter;
  filter.subscribe(q.selection);
  std::vector<const JournalEventPtr*> page;
  uint64_t next_since = last;
  if (q.since) {
    const uint64_t since = *q.since;
    if (since > last) {
      return reply_error(ErrorCode::SinceAhead, "no event " + std::to_string(since) + " yet; the last is " + std::to_string(last));
    }
    if (!journal.covers_after(since)) {
      return reply_error(ErrorCode::SinceTooOld, "events after " + std::to_string(since) + " are gone",
                         Json{{"first_seq", journal.first_seq()}});
    }
    uint64_t cursor = since;
    const uint64_t scan_end = std::min(last, since + kMaxScan);
    while (cursor < scan_end && page.size() < q.limit) {
      const JournalEventPtr* e = journal.find(++cursor);
      if (e && filter.matches(**e)) page.push_back(e);
    }
    next_since = cursor;
  } else {
    // Without since: the most recent matching events, oldest first.
    const uint64_t first = journal.first_seq();
    for (uint64_t s = last, scanned = 0; s >= first && s > 0 && scanned < kMaxScan && page.size() < q.limit;
         --s, ++scanned) {
      const JournalEventPtr* e = journal.find(s);
      if (e && filter.matches(**e)) page.push_back(e);
    }
    std::reverse(page.begin(), page.end());
  }
  std::string events = "[";
  for (size_t i = 0; i < page.size(); ++i) {
    if (i) events += ',';
    events += (*page[i])->json;
  }
  events += ']';
  const std::string data = R"({"events":)" + events + R"(,"first_seq":)" + std::to_string(journal.first_seq()) +
                           R"(,"last_seq":)" + std::to_string(last) + R"(,"next_since":)" +
                           std::to_string(next_since) + "}";
  return reply_ok_raw(status::ok, data);
}

}  // namespace

void add_event_routes(Router& router, ApiContext& ctx) {
  router.add(beast_http::verb::get, "/api/events", Access::Viewer, [&ctx](const Request& req, const PathParams&, Respond respond) {
    EventQuery query;
    Selection& sel = query.selection;
    for (const auto& [key, value] : parse_query(to_sv(req.target()))) {
      if (key == "since") {
        uint64_t since = 0;
        if (!parse_u64(value, since)) return respond(invalid("since", "must be a non-negative integer"));
        query.since = since;
      } else if (key == "limit") {
        uint64_t n = 0;
        if (!parse_u64(value, n) || n == 0 || n > kMaxLimit)
          return respond(invalid("limit", "must be an integer from 1 to 1000"));
        query.limit = size_t(n);
      } else if (key == "runner") {
        sel.runners = split_list(value);
        for (const auto& r : *sel.runners)
          if (!is_valid_runner_id(r)) return respond(invalid("runner", "holds an invalid runner id"));
      } else if (key == "symbol") {
        sel.symbols = split_list(value);
        for (const auto& s : *sel.symbols)
          if (!is_valid_symbol(s)) return respond(invalid("symbol", "holds an invalid symbol"));
      } else if (key == "type") {
        sel.event_types.emplace();
        for (const auto& name : split_list(value)) {
          auto t = event_type_from_string(name);
          if (!t) {
            return respond(reply_error(ErrorCode::UnknownEventType, "unknown event type '" + name.substr(0, 64) + "'"));
          }
          sel.event_types->push_back(*t);
        }
      } else {
        return respond(invalid(key.substr(0, 64), "is not a known parameter"));
      }
    }
    // Read the journal on its own thread, answer on ours.
    boost::asio::post(ctx.hub.io(), [&ctx, query = std::move(query), respond = std::move(respond)]() mutable {
      Response res = run_query(ctx.journal, query);
      boost::asio::post(ctx.http_io, [respond = std::move(respond), res = std::move(res)]() mutable {
        respond(std::move(res));
      });
    });
  });
}

}  // namespace stratd::supervisor::http
