#include "supervisor/auth/access_gate.hpp"

#include <cmath>

#include <boost/beast/websocket/rfc6455.hpp>

#include "common/ascii.hpp"

namespace stratd::supervisor::auth {
namespace bh = boost::beast::http;

namespace {

std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

bool mutating(bh::verb v) {
  return v == bh::verb::post || v == bh::verb::put || v == bh::verb::patch || v == bh::verb::delete_;
}

}  // namespace

std::optional<std::string_view> presented_key(const http::Request& req, bool websocket) {
  // One pass comparing the field codes the parser stored, rather than two
  // case-insensitive lookups by name in the header set (a third of the
  // gate's cost, bench_access_gate). The first of each counts, as find()'s.
  const bh::fields::value_type* authorization = nullptr;
  const bh::fields::value_type* protocols = nullptr;
  for (const auto& f : req) {
    if (f.name() == bh::field::authorization) {
      authorization = &f;
      break;  // it wins over the subprotocol either way
    }
    if (websocket && !protocols && f.name() == bh::field::sec_websocket_protocol) protocols = &f;
  }
  if (authorization) {
    const std::string_view value = trim_blanks(sv(authorization->value()));
    const auto space = value.find(' ');
    if (space == std::string_view::npos || !ascii_iequals(value.substr(0, space), "bearer")) return std::nullopt;
    return trim_blanks(value.substr(space + 1));
  }
  if (protocols) {
    std::string_view list = sv(protocols->value());
    while (!list.empty()) {
      const auto comma = list.find(',');
      const std::string_view item = trim_blanks(list.substr(0, comma));
      if (item.substr(0, 7) == "bearer.") return item.substr(7);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return std::string_view{};
}

AccessGate::AccessGate(const Config& cfg, http::Rejections& rejections, audit::AuditLog* audit)
    : authenticator_(cfg.auth), limiter_(cfg.limits), rejections_(rejections), audit_(audit) {}

void AccessGate::reconfigure(const Config& cfg) {
  authenticator_.reconfigure(cfg.auth);
  limiter_.reconfigure(cfg.limits);
}

http::Response AccessGate::refuse(http::Rejection why, double retry_after_secs) {
  rejections_.count(why);
  const bool mutation = why == http::Rejection::MutationRateLimited;
  const bool failures = why == http::Rejection::AuthFailureRateLimited;
  const auto secs = std::max<int64_t>(1, int64_t(std::ceil(retry_after_secs)));
  http::Response res = http::reply_error(
      ErrorCode::RateLimited,
      failures   ? "too many failed keys from this address; try again later"
      : mutation ? "too many changing requests from this client; slow down"
                 : "too many requests from this client; slow down",
      http::Json{{"retry_after_secs", secs}, {"limit", failures ? "auth_failures" : mutation ? "mutations" : "requests"}});
  res.set(bh::field::retry_after, std::to_string(secs));
  return res;
}

void AccessGate::finish(bh::verb method, Caller caller, Done& done) {
  // A client with a key is that key, wherever it connects from.
  const std::string& client = caller.key.empty() ? caller.address : caller.key;
  if (auto refused = limiter_.admit(client, caller.address, mutating(method))) {
    return done(Admission{std::move(caller), refuse(refused->reason, refused->retry_after_secs)});
  }
  done(Admission{std::move(caller), std::nullopt});
}

void AccessGate::admit(const http::Request& req, std::string address, std::string request_id, bool websocket,
                       KeyMemo* memo, Done done) {
  Caller caller;
  caller.address = std::move(address);
  caller.request_id = std::move(request_id);
  if (!authenticator_.keys_configured()) {
    caller.open = true;
    return finish(req.method(), std::move(caller), done);
  }
  const auto key = presented_key(req, websocket);
  // No key: the router answers 401 unless the route is public.
  if (key && key->empty()) return finish(req.method(), std::move(caller), done);
  // The key this connection sent last time, the keys unchanged since: one
  // compare. Not held up by the address's failed-key lockout, which is
  // there to stop guessing, and this is no guess: the connection proved
  // the key before.
  if (key && memo) {
    if (auto known = memo->recall(*key, authenticator_.generation())) {
      caller.key = known->key;
      caller.role = known->role;
      return finish(req.method(), std::move(caller), done);
    }
  }
  // Any credentials, even ones that are not a bearer key, count against
  // the address: a locked-out address is refused before anything else.
  if (auto locked = limiter_.check_auth_failures(caller.address)) {
    return done(Admission{std::move(caller), refuse(locked->reason, locked->retry_after_secs)});
  }
  if (!key) {
    limiter_.count_auth_failure(caller.address);
    return done(bad_key(std::move(caller), audit_target(req)));
  }
  // A key seen before (the common case) is decided here, with nothing
  // allocated for a verification that will not happen.
  if (auto now = authenticator_.recall(*key)) {
    if (memo && now->outcome == Authenticator::Outcome::Verified) memo->remember(*key, now->generation, now->key, now->role);
    std::string target = now->outcome == Authenticator::Outcome::Verified ? std::string() : audit_target(req);
    return decide(*now, std::move(caller), req.method(), std::move(target), done);
  }
  // Only what the rest needs: `req` is not kept past this call.
  struct Pending {
    Caller caller;
    bh::verb method;
    std::string target;
    Done done;
  };
  auto pending = std::make_shared<Pending>(Pending{std::move(caller), req.method(), audit_target(req), std::move(done)});
  auto later = [this, pending](const Authenticator::Verdict& v) {
    decide(v, std::move(pending->caller), pending->method, std::move(pending->target), pending->done);
  };
  if (auto now = authenticator_.verify(*key, later)) later(*now);
}

std::string AccessGate::audit_target(const http::Request& req) {
  // What a key was sent to, for the audit log (the key itself never is).
  const std::string_view target = sv(req.target());
  return std::string(sv(req.method_string())) + " " + std::string(target.substr(0, std::min<size_t>(target.find('?'), 200)));
}

Admission AccessGate::bad_key(Caller caller, std::string target) {
  rejections_.count(http::Rejection::BadKey);
  if (audit_) audit_->record(audit::AuditLog::entry(caller, "auth.bad_key", std::move(target), 401, "UNAUTHORIZED"));
  http::Response res = http::reply_error(ErrorCode::Unauthorized, "the API key is not valid");
  res.set(bh::field::www_authenticate, "Bearer realm=\"stratd\", error=\"invalid_token\"");
  return Admission{std::move(caller), std::move(res)};
}

void AccessGate::decide(const Authenticator::Verdict& v, Caller caller, bh::verb method, std::string target,
                        Done& done) {
  switch (v.outcome) {
    case Authenticator::Outcome::Verified:
      caller.key = v.key;
      caller.role = v.role;
      return finish(method, std::move(caller), done);
    case Authenticator::Outcome::Refused:
      limiter_.count_auth_failure(caller.address);
      return done(bad_key(std::move(caller), std::move(target)));
    case Authenticator::Outcome::Busy:
      return done(Admission{std::move(caller), refuse(http::Rejection::RateLimited, 1)});
  }
}

}  // namespace stratd::supervisor::auth
