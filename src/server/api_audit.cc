// The audit log over HTTP: events (the IG lead), and for the IG lead and administrators the verification of
// the whole log, its signed checkpoints and RFC 6962 inclusion and consistency proofs. Reading the audit log
// is itself audited by the access layer (access::AuditedAccess); nothing is returned if that event cannot be
// written.
#include "api.h"
#include "query_params.h"
#include "riskradar/access/governance.h"

namespace riskradar::server {
namespace {

constexpr int64_t kMaxAuditPage = 1000;
constexpr int64_t kMaxSeq = 1'000'000'000'000'000LL;

// An audit event's target as the server writes them: a lower-case kind ("audit_log"), or a kind, a colon and a
// number or name ("person:12", "user:amy.k"): letters, digits, '.', '_', '-', ':' after the colon; at most 100
// characters in all.
bool IsAuditTarget(std::string_view t) {
  const size_t colon = t.find(':');
  if (t.empty() || t.size() > 100 || colon == 0 || (colon != std::string_view::npos && colon + 1 == t.size()))
    return false;
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    const bool lower = c >= 'a' && c <= 'z', digit = c >= '0' && c <= '9', upper = c >= 'A' && c <= 'Z';
    if (i < colon ? !(lower || c == '_') : !(lower || upper || digit || c == '.' || c == '_' || c == '-' || c == ':'))
      return false;
  }
  return true;
}

json CheckpointJson(const store::AuditCheckpoint& c) {
  return {{"tree_size", c.tree_size},
          {"root_hash", c.root_hash},
          {"signed_at", c.signed_at},
          {"public_key", c.public_key},
          {"signature", c.signature}};
}

}  // namespace

Result<std::string> Server::Impl::IgScope(const store::User& u, const std::string& asked) const {
  return access::DecideIgScope(u.agency_code, asked, options.partnership_ig_agencies);
}

void Server::Impl::AuditEvents(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  auto scope = IgScope(ctx.user(), QueryText(req, "scope"));
  if (!scope.ok()) {
    if (scope.status().code() == StatusCode::kPermissionDenied) {
      if (Status st = AuditRefusal(*ctx.store, ctx.user(), "read_audit", "audit_log:partnership"); !st.ok()) {
        return SendError(res, st);
      }
    }
    return SendError(res, scope.status());
  }
  store::AuditQuery query;
  query.agency = *scope;
  query.user = QueryText(req, "user");
  query.action = QueryText(req, "action");
  // "kind:id" as the events name what they were about: person:12 (a child or adult), place:3, meeting:2...
  query.target = QueryText(req, "target");
  if (!query.target.empty() && !IsAuditTarget(query.target)) {
    return SendError(res, Status::InvalidArgument("parameter 'target' is a kind, or a kind and a number or name, "
                                                  "such as person:12, meeting:3 or audit_log (lower-case kind, at "
                                                  "most 100 characters)"));
  }
  auto from = QueryUtcBound(req, "from", false);
  if (!from.ok()) return SendError(res, from.status());
  auto to = QueryUtcBound(req, "to", true);
  if (!to.ok()) return SendError(res, to.status());
  if (!from->empty() && !to->empty() && *to < *from) {
    return SendError(res, Status::InvalidArgument("'to' is before 'from'"));
  }
  auto before = QueryInt(req, "before", 0, 1, kMaxSeq);
  if (!before.ok()) return SendError(res, before.status());
  auto limit = QueryInt(req, "limit", 100, 1, kMaxAuditPage);
  if (!limit.ok()) return SendError(res, limit.status());
  query.from = *from;
  query.to = *to;
  query.before = *before;
  query.limit = *limit;
  auto events = ctx.audited().ReadAuditEvents(query, ctx.actor("information governance review"));
  if (!events.ok()) return SendError(res, events.status());
  json out = json::array();
  for (const auto& e : *events) {
    // details is the JSON text exactly as hashed into the leaf, so a reader can recompute the leaf hash.
    out.push_back({{"seq", e.seq},
                   {"at", e.at_utc},
                   {"user", e.actor.user},
                   {"agency", e.actor.agency},
                   {"role", e.actor.role},
                   {"purpose", e.actor.purpose},
                   {"action", e.action},
                   {"target", e.target},
                   {"outcome", e.outcome},
                   {"details", e.details},
                   {"leaf_hash", e.leaf_hash}});
  }
  SendJson(res, 200, {{"events", out}, {"scope", query.agency.empty() ? "partnership" : query.agency}});
}

void Server::Impl::AuditVerify(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto check = ctx.audited().VerifyAuditLog(ctx.actor("audit verification"));
  if (!check.ok()) return SendError(res, check.status());
  SendJson(
      res, 200,
      {{"ok", check->ok},
       {"events", check->events},
       {"problem", check->problem},
       {"root_hash", check->root_hash},
       {"checkpoints_checked", check->checkpoints_checked},
       {"head", check->latest ? CheckpointJson(*check->latest) : json(nullptr)},
       {"witness",
        {{"present", check->witness_present}, {"heads", check->witness_heads}, {"newest_size", check->witness_size}}}});
}

void Server::Impl::AuditCheckpoints(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto list = ctx.audited().ReadAuditCheckpoints(ctx.actor("audit verification"));
  if (!list.ok()) return SendError(res, list.status());
  json kept = json::array();
  for (const auto& c : list->kept) kept.push_back(CheckpointJson(c));
  SendJson(res, 200, {{"checkpoints", kept}, {"head", list->head ? CheckpointJson(*list->head) : json(nullptr)}});
}

void Server::Impl::AuditInclusionProof(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  auto seq = QueryInt(req, "seq", 0, 1, kMaxSeq, /*required=*/true);
  if (!seq.ok()) return SendError(res, seq.status());
  auto size = QueryInt(req, "size", 0, 1, kMaxSeq);
  if (!size.ok()) return SendError(res, size.status());
  auto proof = ctx.audited().ReadAuditInclusionProof(*seq, *size, ctx.actor("audit verification"));
  if (!proof.ok()) return SendError(res, proof.status());
  SendJson(res, 200,
           {{"seq", proof->seq},
            {"tree_size", proof->tree_size},
            {"leaf_hash", proof->leaf_hash},
            {"path", proof->path},
            {"root_hash", proof->root_hash}});
}

void Server::Impl::AuditConsistencyProof(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  auto old_size = QueryInt(req, "old", 0, 1, kMaxSeq, /*required=*/true);
  if (!old_size.ok()) return SendError(res, old_size.status());
  auto new_size = QueryInt(req, "new", 0, 1, kMaxSeq);
  if (!new_size.ok()) return SendError(res, new_size.status());
  auto proof = ctx.audited().ReadAuditConsistencyProof(*old_size, *new_size, ctx.actor("audit verification"));
  if (!proof.ok()) return SendError(res, proof.status());
  SendJson(res, 200,
           {{"old_size", proof->old_size},
            {"tree_size", proof->tree_size},
            {"path", proof->path},
            {"old_root_hash", proof->old_root_hash},
            {"root_hash", proof->root_hash}});
}

}  // namespace riskradar::server
