// GET /api/audit?since=ID&limit=N (admin): the audit log, oldest first.
// Without since, the newest entries; next_since continues after the page.
#include <charconv>

#include "supervisor/http/routes.hpp"

namespace stratd::supervisor::http {
namespace {
constexpr uint64_t kDefaultLimit = 100;
constexpr uint64_t kMaxLimit = 1000;

bool parse_u64(const std::string& s, uint64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

Response invalid(const std::string& field, const std::string& problem) {
  return reply_error(ErrorCode::ValidationError, field + " " + problem, Json{{"fields", {{field, problem}}}});
}

Json entry_json(const audit::AuditEntry& e) {
  auto or_null = [](const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); };
  return Json{{"id", e.id},
              {"time_ms", e.time_ms},
              {"key", or_null(e.key)},
              {"role", or_null(e.role)},
              {"address", e.address},
              {"request_id", or_null(e.request_id)},
              {"action", e.action},
              {"target", e.target},
              {"status", e.status == 0 ? Json(nullptr) : Json(e.status)},
              {"outcome", e.outcome}};
}
}  // namespace

void add_audit_routes(Router& router, ApiContext& ctx) {
  router.add(beast_http::verb::get, "/api/audit", Access::Admin, [&ctx](const Request& req, const PathParams&, Respond respond) {
    const auto query = parse_query(to_sv(req.target()));
    std::optional<uint64_t> since;
    uint64_t limit = kDefaultLimit;
    if (auto it = query.find("since"); it != query.end()) {
      uint64_t v = 0;
      if (!parse_u64(it->second, v)) return respond(invalid("since", "must be an audit entry id (a whole number)"));
      since = v;
    }
    if (auto it = query.find("limit"); it != query.end()) {
      if (!parse_u64(it->second, limit) || limit == 0 || limit > kMaxLimit) {
        return respond(invalid("limit", "must be within [1, " + std::to_string(kMaxLimit) + "]"));
      }
    }
    auto entries = ctx.store.audit_entries(since, 0, size_t(limit));
    if (!entries) return respond(reply_failure(entries.error(), "reading the audit log"));
    Json list = Json::array();
    for (const auto& e : *entries) list.push_back(entry_json(e));
    const uint64_t next = entries->empty() ? since.value_or(0) : entries->back().id;
    respond(reply_ok(beast_http::status::ok, Json{{"entries", std::move(list)}, {"next_since", next}}));
  });
}

}  // namespace stratd::supervisor::http
