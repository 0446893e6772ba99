// Sign-in (Argon2id + TOTP, throttled, uniform failures), sign-out and the session endpoint.
#include <iostream>

#include "api.h"
#include "riskradar/access/administration.h"

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

Status Server::Impl::AuditRefusal(store::Store& s, const store::User& u, const std::string& action,
                                  const std::string& target) {
  return access::AuditedAccess(s).RecordRefusal(ActorFor(u), action, target);
}

store::Actor Server::Impl::ActorFor(const store::User& u, std::string purpose) {
  return {u.name, u.agency_code, std::string(ToString(u.role)), std::move(purpose)};
}

Viewer Server::Impl::ViewerFor(const store::User& u) { return {u.id, u.name, u.agency_code, u.role}; }

namespace {

// What an audit event may say about a sign-in name that was refused for its size: its length and a short
// hash (to group repeats), never its content, which may be hostile.
json NameFingerprint(const std::string& name) {
  return {{"name_length", name.size()}, {"name_sha256_prefix", Sha256Hex(name).substr(0, 16)}};
}

}  // namespace

void Server::Impl::Login(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  auto body = ParseBody(req, {"user", "password", "totp"});
  if (!body.ok()) return SendError(res, body.status());
  const std::string name = (*body)["user"], password = (*body)["password"], code = (*body)["totp"];
  auto audit = [&](store::Store& s, const store::Actor& actor, const std::string& target, const std::string& outcome,
                   json details) {
    store::AuditEvent e;
    e.actor = actor;
    e.action = "login";
    e.target = target;
    e.outcome = outcome;
    details["from"] = req.remote_addr;
    e.details = details.dump();
    return s.AppendAudit(e);
  };
  if (name.empty() || name.size() > 64 || password.size() > PasswordPolicy::kMaxLength) {
    // Refused before any password work, and audited without the name itself when it is over-long.
    auto lease = pool.Acquire();
    if (!lease.ok()) return SendError(res, lease.status());
    const bool long_name = name.size() > 64;
    json details = long_name ? NameFingerprint(name) : json::object();
    details["reason"] = name.empty() ? "empty user name"
                        : long_name  ? "user name over 64 characters"
                                     : "password over the maximum length";
    const std::string shown = long_name ? "" : name;
    if (Status st = audit(**lease, {shown, "", "", "sign-in"}, long_name ? "user:(over-long name)" : "user:" + shown,
                          "refused", details);
        !st.ok()) {
      return SendError(res, st);
    }
    return SendError(res, Status::Unauthenticated("invalid credentials"));
  }
  const int64_t now = Now();
  // Keys: the address comes first and never holds a newline, so "address\nname" is unambiguous whatever the
  // name holds.
  const std::string pair_key = "ua:" + req.remote_addr + "\n" + name, ip_key = "ip:" + req.remote_addr,
                    account_key = "u:" + name;
  std::vector<Throttle::Limit> limits{{pair_key, options.max_failed_logins},
                                      {ip_key, options.max_failed_logins_per_ip}};
  const bool trusted = throttle.Trusted(pair_key, now);
  if (!trusted) limits.push_back({account_key, options.max_failed_logins_per_account});
  // The slot is taken before any password work: parallel attempts past the limit are refused here.
  if (auto full = throttle.Reserve(limits, now, options.throttle_window_s)) {
    auto lease = pool.Acquire();
    if (!lease.ok()) return SendError(res, lease.status());
    const char* which = *full == pair_key ? "this user name from this address"
                        : *full == ip_key ? "this address"
                                          : "this user name from addresses it has not signed in from";
    if (Status st = audit(**lease, {name, "", "", "sign-in"}, "user:" + name, "throttled", {{"limit", which}});
        !st.ok()) {
      return SendError(res, st);
    }
    res.set_header("Retry-After", std::to_string(options.throttle_window_s));
    return SendError(res, Status::ResourceExhausted("too many failed sign-ins; try again later"));
  }
  auto lease = pool.Acquire();
  if (!lease.ok()) return SendError(res, lease.status());
  store::Store& s = **lease;
  auto found = s.FindUser(name);
  if (!found.ok()) return SendError(res, found.status());
  const bool known = found->has_value() && !(*found)->disabled;
  // An account that must enrol signs in with its one-time code, whose two halves were shown to two people
  // (the requester and the approver of its grant or reset); there is no TOTP to check until it enrols.
  const bool enrolling = known && (*found)->must_enrol;
  // The same work on every path: one Argon2id verification and one TOTP check.
  bool password_ok = false;
  if (enrolling) {
    const bool whole = password.size() == 2 * kEnrolHalfChars;
    const std::string first = whole ? password.substr(0, kEnrolHalfChars) : std::string();
    const std::string second = whole ? password.substr(kEnrolHalfChars) : std::string();
    const bool first_ok = VerifyPassword((*found)->password_hash, first);
    const bool second_ok = VerifyRandomSecret((*found)->enrol_hash, second);  // a fast hash: one Argon2id in all
    password_ok = whole && first_ok && second_ok;
  } else {
    password_ok = VerifyPassword(known ? (*found)->password_hash : decoy_hash, password);
  }
  auto step = MatchTotp(known ? (*found)->totp_secret : decoy_totp, code, now);
  if (enrolling) step = now / 30;  // the time step stands in for the code: one enrolment sign-in per step
  store::Actor actor{name, known ? (*found)->agency_code : "", known ? std::string(ToString((*found)->role)) : "",
                     "sign-in"};
  if (!known || !password_ok || !step) {
    // The reserved slots stay taken: they are this failure.
    if (Status st = audit(s, actor, "user:" + name, "failed", json::object()); !st.ok()) return SendError(res, st);
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
    // A replayed TOTP code: the attempt keeps its slots like any failure.
    if (st.code() == StatusCode::kUnauthenticated)
      return SendError(res, Status::Unauthenticated("invalid credentials"));
    return SendError(res, st);
  }
  // Success gives this attempt's slots back and remembers the address. Earlier failures stay counted until
  // the window passes: clearing them here would let the rest of a parallel batch through.
  throttle.Release(pair_key, now);
  throttle.Release(ip_key, now);
  if (!trusted) throttle.Release(account_key, now);
  throttle.Trust(pair_key, now + options.trusted_address_s);
  std::string enrol_secret;
  if (enrolling) {
    // The TOTP secret this sign-in enrols: shown to the account's owner only, here.
    enrol_secret = NewTotpSecret();
    access::Administration administration(s);
    if (Status st = administration.BeginEnrolment(user, enrol_secret, actor); !st.ok()) return SendError(res, st);
  } else if (NeedsRehash(user.password_hash, options.hash_params)) {
    auto rehashed = HashPassword(password, options.hash_params);
    if (rehashed.ok()) (void)s.UpdatePasswordHash(user.id, *rehashed, actor);  // best effort: retried next login
  }
  // Secure is always set: browsers accept Secure cookies from http://localhost and 127.0.0.1, which is the
  // only place plain HTTP is served; the __Host- prefix requires it anyway.
  res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + token +
                                   "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
                                   std::to_string(options.absolute_timeout_s));
  json out = {{"user", user.name},
              {"agency", user.agency_code},
              {"role", ToString(user.role)},
              {"csrf_token", ns.csrf_token},
              {"idle_timeout_s", options.idle_timeout_s},
              {"absolute_timeout_s", options.absolute_timeout_s},
              {"must_enrol", enrolling}};
  if (enrolling) {
    out["totp_secret"] = enrol_secret;
    out["totp_uri"] = TotpUri(user.name, enrol_secret);
  }
  SendJson(res, 200, out);
}

void Server::Impl::Enrol(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  store::Store& s = *ctx.store;
  const store::User& u = ctx.session->user;
  auto body = ParseBody(ctx.req, {"password", "totp"});
  if (!body.ok()) return SendError(res, body.status());
  if (!u.must_enrol) return SendHttpError(res, 409, "this account has already enrolled");
  const std::string password = (*body)["password"], code = (*body)["totp"];
  auto policy = PasswordPolicy::LoadDefault();
  if (!policy.ok()) return SendError(res, policy.status());
  if (Status st = policy->Check(password, u.name); !st.ok()) {
    return SendError(res, Status::InvalidArgument("password: " + st.message()));
  }
  // The code must come from the secret handed out at this enrolment sign-in (FindUser opens it).
  auto found = s.FindUser(u.name);
  if (!found.ok()) return SendError(res, found.status());
  if (!found->has_value()) return SendError(res, Status::Unauthenticated("sign in first"));
  const auto step = MatchTotp((*found)->totp_secret, code, Now());
  if (!step) {
    return SendError(res, Status::InvalidArgument("totp: the code does not match the secret given at sign-in"));
  }
  auto hash = HashPassword(password, options.hash_params);
  if (!hash.ok()) return SendError(res, hash.status());
  access::Administration administration(s);
  if (Status st = administration.CompleteEnrolment(u, *hash, *step, ctx.actor("enrolment")); !st.ok()) {
    return SendError(res, st);
  }
  // Every session of the account ends: the owner signs in again with what they have just set.
  res.set_header("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
  SendJson(res, 200, {{"enrolled", true}, {"signed_out", true}});
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
            {"csrf_token", su->csrf_token},
            {"must_enrol", su->user.must_enrol}});
}

}  // namespace riskradar::server
