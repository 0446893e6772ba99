// Sign-in (Argon2id + TOTP, throttled, uniform failures), sign-out and the session endpoint.
#include <iostream>

#include "api.h"

namespace riskradar::server {

Result<store::SessionUser> Server::Impl::Authenticate(const httplib::Request& req, store::Store& s,
                                                      std::string* token_hash) {
  const std::string token = CookieValue(req, kSessionCookie);
  if (token.empty()) return Status::Unauthenticated("sign in first");
  const std::string hash = Sha256Hex(token);
  RR_ASSIGN_OR_RETURN(auto su, s.TouchSession(hash, Now(), options.idle_timeout_s, options.absolute_timeout_s));
  if (!su) return Status::Unauthenticated("sign in first");
  if (IsStateChanging(req.method) && !ConstantTimeEquals(req.get_header_value("X-CSRF-Token"), su->csrf_token)) {
    return Status::PermissionDenied("missing or wrong CSRF token");
  }
  if (token_hash) *token_hash = hash;
  return std::move(*su);
}

void Server::Impl::AuditRefusal(store::Store& s, const store::User& u, const std::string& action,
                                const std::string& target) {
  store::AuditEvent e;
  e.actor = ActorFor(u);
  e.action = action;
  e.target = target;
  e.outcome = "forbidden";
  e.details = "{}";
  if (Status st = s.AppendAudit(e); !st.ok()) std::cerr << "serve: audit write failed: " << st.ToString() << "\n";
}

store::Actor Server::Impl::ActorFor(const store::User& u, std::string purpose) {
  return {u.name, u.agency_code, std::string(ToString(u.role)), std::move(purpose)};
}

Viewer Server::Impl::ViewerFor(const store::User& u) { return {u.id, u.name, u.agency_code, u.role}; }

void Server::Impl::Login(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  auto body = ParseBody(req, {"user", "password", "totp"});
  if (!body.ok()) return SendError(res, body.status());
  const std::string name = (*body)["user"], password = (*body)["password"], code = (*body)["totp"];
  if (name.empty() || name.size() > 64 || password.size() > PasswordPolicy::kMaxLength) {
    return SendError(res, Status::Unauthenticated("invalid credentials"));
  }
  const int64_t now = Now();
  const std::string user_key = "u:" + name, ip_key = "ip:" + req.remote_addr;
  if (throttle.Blocked(user_key, options.max_failed_logins, now, options.throttle_window_s) ||
      throttle.Blocked(ip_key, options.max_failed_logins_per_ip, now, options.throttle_window_s)) {
    res.set_header("Retry-After", std::to_string(options.throttle_window_s));
    return SendError(res, Status::ResourceExhausted("too many failed sign-ins; try again later"));
  }
  auto lease = pool.Acquire();
  if (!lease.ok()) return SendError(res, lease.status());
  store::Store& s = **lease;
  auto found = s.FindUser(name);
  if (!found.ok()) return SendError(res, found.status());
  const bool known = found->has_value() && !(*found)->disabled;
  // The same work on every path: one Argon2id verification and one TOTP check.
  const bool password_ok = VerifyPassword(known ? (*found)->password_hash : decoy_hash, password);
  const auto step = MatchTotp(known ? (*found)->totp_secret : decoy_totp, code, now);
  store::Actor actor{name, known ? (*found)->agency_code : "", known ? std::string(ToString((*found)->role)) : "",
                     "sign-in"};
  if (!known || !password_ok || !step) {
    throttle.Fail(user_key, now);
    throttle.Fail(ip_key, now);
    store::AuditEvent e;
    e.actor = actor;
    e.action = "login";
    e.target = "user:" + name;
    e.outcome = "failed";
    e.details = json{{"from", req.remote_addr}}.dump();
    if (Status st = s.AppendAudit(e); !st.ok()) return SendError(res, st);
    return SendError(res, Status::Unauthenticated("invalid credentials"));
  }
  const store::User& user = **found;
  const std::string token = RandomToken(32);  // 256 bits
  store::NewSession ns;
  ns.user_id = user.id;
  ns.token_hash = Sha256Hex(token);
  ns.csrf_token = RandomToken(32);
  ns.now_s = now;
  ns.totp_step = *step;
  const std::string old = CookieValue(req, kSessionCookie);
  if (!old.empty()) ns.replaces_token_hash = Sha256Hex(old);
  if (Status st = s.CreateSession(ns, actor); !st.ok()) {
    if (st.code() == StatusCode::kUnauthenticated) {
      throttle.Fail(user_key, now);
      return SendError(res, Status::Unauthenticated("invalid credentials"));
    }
    return SendError(res, st);
  }
  throttle.Clear(user_key);
  if (NeedsRehash(user.password_hash, options.hash_params)) {
    auto rehashed = HashPassword(password, options.hash_params);
    if (rehashed.ok()) (void)s.UpdatePasswordHash(user.id, *rehashed, actor);  // best effort: retried next login
  }
  // Secure is always set: browsers accept Secure cookies from http://localhost and 127.0.0.1, which is the
  // only place plain HTTP is served; the __Host- prefix requires it anyway.
  res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + token +
                                   "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
                                   std::to_string(options.absolute_timeout_s));
  SendJson(res, 200,
           {{"user", user.name},
            {"agency", user.agency_code},
            {"role", ToString(user.role)},
            {"csrf_token", ns.csrf_token},
            {"idle_timeout_s", options.idle_timeout_s},
            {"absolute_timeout_s", options.absolute_timeout_s}});
}

void Server::Impl::Logout(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  if (Status st = ctx.store->RevokeSession(ctx.session_token_hash, ctx.actor()); !st.ok()) return SendError(res, st);
  res.set_header("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
  SendJson(res, 200, {{"signed_out", true}});
}

void Server::Impl::Session(RouteContext& ctx) {
  const store::SessionUser* su = ctx.session;
  SendJson(ctx.res, 200,
           {{"user", su->user.name},
            {"agency", su->user.agency_code},
            {"role", ToString(su->user.role)},
            {"csrf_token", su->csrf_token}});
}

}  // namespace riskradar::server
