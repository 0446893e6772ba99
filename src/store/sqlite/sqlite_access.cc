// SqliteStore's users, sessions, sharing agreements, relationships, break-glass and need-to-know reads.
#include "sqlite_store.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <set>

namespace riskradar::store {
namespace {

User UserFromRow(const sql::Statement& q, int first) {
  User u;
  u.id = q.Int(first);
  u.name = q.Text(first + 1);
  u.agency_code = q.Text(first + 2);
  auto role = ParseRole(q.Text(first + 3));
  u.role = role.ok() ? *role : Role::kAnalyst;  // the CHECK constraint keeps roles valid
  u.password_hash = q.Text(first + 4);
  u.totp_secret = q.Text(first + 5);
  u.disabled = q.Int(first + 6) != 0;
  u.created_at = q.Text(first + 7);
  u.updated_at = q.Text(first + 8);
  u.must_enrol = q.Int(first + 9) != 0;
  u.enrol_hash = q.Text(first + 10);
  return u;
}
constexpr const char* kUserColumns =
    "u.id, u.name, u.agency_code, u.role, u.password_hash, u.totp_secret, u.disabled, u.created_at, u.updated_at, "
    "u.must_enrol, u.enrol_hash";

}  // namespace

Result<int64_t> SqliteStore::UserIdLocked(std::string_view name) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT id FROM app_user WHERE name = ?1"));
  q.Bind(1, name);
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return Status::NotFound("no user '" + std::string(name) + "'");
  return q.Int(0);
}

Status SqliteStore::RevokeUserSessionsLocked(int64_t user_id) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("UPDATE user_session SET revoked = 1 WHERE user_id = ?1"));
  return q.Bind(1, user_id).Run();
}

Result<int64_t> SqliteStore::AddUser(const User& user, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  {
    RR_ASSIGN_OR_RETURN(auto a, conn_->Prepare("SELECT 1 FROM agency WHERE code = ?1"));
    a.Bind(1, user.agency_code);
    RR_ASSIGN_OR_RETURN(bool found, a.Step());
    if (!found) return Status::NotFound("agency '" + user.agency_code + "' is not registered in this store");
  }
  RR_ASSIGN_OR_RETURN(const int64_t id, InsertUserLocked(user, /*must_enrol=*/false));
  RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "user_add", "user:" + user.name,
                                                 {{"agency", user.agency_code}, {"role", ToString(user.role)}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return id;
}

Result<std::optional<User>> SqliteStore::FindUser(std::string_view name) {
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare(std::string("SELECT ") + kUserColumns + " FROM app_user u WHERE u.name = ?1"));
  q.Bind(1, name);
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<User>();
  User u = UserFromRow(q, 0);
  RR_ASSIGN_OR_RETURN(u.totp_secret, OpenTotpSecret(u.totp_secret));
  return std::optional<User>(std::move(u));
}

Result<std::vector<UserRoleCount>> SqliteStore::CountUsersByRole() {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT agency_code, role, COUNT(*) FROM app_user WHERE disabled = 0 "
                                             "GROUP BY agency_code, role ORDER BY agency_code, role"));
  std::vector<UserRoleCount> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] {
    auto role = ParseRole(q.Text(1));
    out.push_back({q.Text(0), role.ok() ? *role : Role::kAnalyst, q.Int(2)});  // the CHECK keeps roles valid
  }));
  return out;
}

Status SqliteStore::SetUserDisabled(std::string_view name, bool disabled, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  RR_ASSIGN_OR_RETURN(const int64_t id, UserIdLocked(name));
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("UPDATE app_user SET disabled = ?1, updated_at = ?2 WHERE id = ?3"));
  RR_RETURN_IF_ERROR(q.Bind(1, disabled ? 1 : 0).Bind(2, NowUtcIso()).Bind(3, id).Run());
  if (disabled) RR_RETURN_IF_ERROR(RevokeUserSessionsLocked(id));
  RR_RETURN_IF_ERROR(AppendAuditLocked(
      MakeAudit(actor, disabled ? "user_disable" : "user_enable", "user:" + std::string(name), json::object())));
  return txn.Commit();
}

Status SqliteStore::ResetUserCredentials(std::string_view name, const std::string& password_hash,
                                         const std::string& totp_secret, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  RR_ASSIGN_OR_RETURN(const int64_t id, UserIdLocked(name));
  RR_ASSIGN_OR_RETURN(const std::string sealed, SealTotpSecret(totp_secret));
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare("UPDATE app_user SET password_hash = ?1, totp_secret = ?2, totp_last_step = "
                                     "0, updated_at = ?3 WHERE id = ?4"));
  RR_RETURN_IF_ERROR(q.Bind(1, password_hash).Bind(2, sealed).Bind(3, NowUtcIso()).Bind(4, id).Run());
  RR_RETURN_IF_ERROR(RevokeUserSessionsLocked(id));
  RR_RETURN_IF_ERROR(
      AppendAuditLocked(MakeAudit(actor, "user_reset", "user:" + std::string(name), {{"sessions_revoked", true}})));
  return txn.Commit();
}

Status SqliteStore::UpdatePasswordHash(int64_t user_id, const std::string& password_hash, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("UPDATE app_user SET password_hash = ?1, updated_at = ?2 WHERE id = ?3"));
  RR_RETURN_IF_ERROR(q.Bind(1, password_hash).Bind(2, NowUtcIso()).Bind(3, user_id).Run());
  RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "password_rehash", "user:" + actor.user, json::object())));
  return txn.Commit();
}

Status SqliteStore::CreateSession(const NewSession& s, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  RR_ASSIGN_OR_RETURN(
      auto step,
      conn_->Prepare("UPDATE app_user SET totp_last_step = ?1 WHERE id = ?2 AND totp_last_step < ?1 AND disabled = 0"));
  RR_RETURN_IF_ERROR(step.Bind(1, s.totp_step).Bind(2, s.user_id).Run());
  if (step.Changes() == 0) {
    // A replayed one-time code: the refusal is audited and committed, nothing else changes.
    RR_RETURN_IF_ERROR(AppendAuditLocked(
        MakeAudit(actor, "login", "user:" + actor.user, {{"reason", "one-time code already used"}}, "refused")));
    RR_RETURN_IF_ERROR(txn.Commit());
    return Status::Unauthenticated("one-time code already used");
  }
  if (!s.replaces_token_hash.empty()) {
    RR_ASSIGN_OR_RETURN(auto old, conn_->Prepare("UPDATE user_session SET revoked = 1 WHERE token_hash = ?1"));
    RR_RETURN_IF_ERROR(old.Bind(1, s.replaces_token_hash).Run());
  }
  RR_ASSIGN_OR_RETURN(auto ins, conn_->Prepare("INSERT INTO user_session (token_hash, user_id, csrf_token, created_s, "
                                               "last_seen_s) VALUES (?1, ?2, ?3, ?4, ?4)"));
  RR_RETURN_IF_ERROR(ins.Bind(1, s.token_hash).Bind(2, s.user_id).Bind(3, s.csrf_token).Bind(4, s.now_s).Run());
  RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "login", "user:" + actor.user, json::object())));
  return txn.Commit();
}

Result<std::optional<SessionUser>> SqliteStore::TouchSession(std::string_view token_hash, int64_t now_s, int64_t idle_s,
                                                             int64_t absolute_s) {
  RR_ASSIGN_OR_RETURN(
      auto* q,
      Stmt("SELECT s.csrf_token, s.created_s, s.last_seen_s, s.revoked, u.id, u.name, u.agency_code, u.role, "
           "u.password_hash, u.totp_secret, u.disabled, u.created_at, u.updated_at, u.must_enrol, u.enrol_hash "
           "FROM user_session s JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = ?1"));
  q->Bind(1, token_hash);
  RR_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<SessionUser>();
  SessionUser su;
  su.csrf_token = q->Text(0);
  su.created_s = q->Int(1);
  const int64_t last_seen = q->Int(2);
  const bool revoked = q->Int(3) != 0;
  su.user = UserFromRow(*q, 4);
  q->Reset();
  if (revoked || su.user.disabled || now_s - last_seen > idle_s || now_s - su.created_s > absolute_s) {
    return std::optional<SessionUser>();
  }
  // Writing last_seen on every request would serialise readers; a coarse clock is enough for idle timeouts.
  if (now_s - last_seen >= 15) {
    RR_ASSIGN_OR_RETURN(auto* upd, Stmt("UPDATE user_session SET last_seen_s = ?1 WHERE token_hash = ?2"));
    RR_RETURN_IF_ERROR(upd->Bind(1, now_s).Bind(2, token_hash).Run());
  }
  return std::optional<SessionUser>(std::move(su));
}

Status SqliteStore::RevokeSession(std::string_view token_hash, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("UPDATE user_session SET revoked = 1 WHERE token_hash = ?1"));
  RR_RETURN_IF_ERROR(q.Bind(1, token_hash).Run());
  RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "logout", "user:" + actor.user, json::object())));
  return txn.Commit();
}

Result<int64_t> SqliteStore::AddSharingAgreement(const SharingAgreement& a, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare(
          "INSERT INTO sharing_agreement (provider_agency, recipient_agency, data_class, purpose, lawful_basis, "
          "valid_until_s, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id"));
  q.Bind(1, a.provider_agency)
      .Bind(2, a.recipient_agency)
      .Bind(3, a.data_class)
      .Bind(4, a.purpose)
      .Bind(5, a.lawful_basis)
      .Bind(6, a.valid_until_s)
      .Bind(7, NowUtcIso());
  // A refused insert (an agency not registered) ends the transaction: nothing else runs in it.
  auto inserted = q.RunForNewId("a sharing agreement");
  if (!inserted.ok() && inserted.status().code() == StatusCode::kConflict) {
    return Status::NotFound("both agencies must be registered in this store");
  }
  RR_RETURN_IF_ERROR(inserted.status());
  const int64_t id = *inserted;
  RR_RETURN_IF_ERROR(
      AppendAuditLocked(MakeAudit(actor, "sharing_agreement_add", "sharing_agreement:" + std::to_string(id),
                                  {{"provider", a.provider_agency},
                                   {"recipient", a.recipient_agency},
                                   {"data_class", a.data_class},
                                   {"purpose", a.purpose},
                                   {"lawful_basis", a.lawful_basis}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return id;
}

Status SqliteStore::AddCareRelationship(const CareRelationship& r, const Actor& actor) {
  if (r.kind != "allocated_case" && r.kind != "mase_listing") {
    return Status::InvalidArgument("relationship kind is allocated_case or mase_listing");
  }
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare("INSERT INTO care_relationship (user_id, person_id, kind, created_at) VALUES (?1, ?2, ?3, ?4)"));
  Status s = q.Bind(1, r.user_id).Bind(2, r.person_id).Bind(3, r.kind).Bind(4, NowUtcIso()).Run();
  if (s.code() == StatusCode::kConflict) return Status::NotFound("no such user");
  RR_RETURN_IF_ERROR(s);
  RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "relationship_add", "person:" + std::to_string(r.person_id),
                                                 {{"user_id", r.user_id}, {"kind", r.kind}})));
  return txn.Commit();
}

Result<BreakGlassGrant> SqliteStore::GrantBreakGlass(const Viewer& viewer, int64_t person_id, const std::string& reason,
                                                     int64_t now_s, int64_t ttl_s, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  BreakGlassGrant g;
  g.user_name = viewer.user_name;
  g.agency_code = viewer.agency_code;
  g.person_id = person_id;
  g.reason = reason;
  g.granted_at = NowUtcIso();
  g.expires_at_s = now_s + ttl_s;
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("INSERT INTO break_glass (user_id, person_id, reason, granted_at, "
                                             "expires_at_s) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id"));
  q.Bind(1, viewer.user_id).Bind(2, person_id).Bind(3, reason).Bind(4, g.granted_at).Bind(5, g.expires_at_s);
  RR_ASSIGN_OR_RETURN(g.id, q.RunForNewId("a break-glass grant"));
  RR_RETURN_IF_ERROR(
      AppendAuditLocked(MakeAudit(actor, "break_glass", "person:" + std::to_string(person_id),
                                  {{"grant", g.id}, {"reason", reason}, {"expires_at_s", g.expires_at_s}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return g;
}

Result<int64_t> SqliteStore::RadarGeneration() {
  RR_ASSIGN_OR_RETURN(auto* q, Stmt("SELECT n FROM radar_generation WHERE id = 1"));
  RR_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) {
    q->Reset();
    return Status::Corruption("the radar generation row is missing (migration 7)");
  }
  const int64_t n = q->Int(0);
  q->Reset();
  return n;
}

Result<RadarCounts> SqliteStore::ReadRadarCounts() {
  // The generation and the counts from one snapshot, so a cache keyed on the generation never holds counts
  // older than it (inside an open unit of work its snapshot already is one).
  std::optional<sql::Transaction> txn;
  if (!unit_open_) {
    RR_ASSIGN_OR_RETURN(auto begun, sql::Transaction::Begin(*conn_, sql::TxnMode::kRead));
    txn.emplace(std::move(begun));
  }
  RadarCounts out;
  RR_ASSIGN_OR_RETURN(out.generation, RadarGeneration());
  RR_ASSIGN_OR_RETURN(
      auto* q,
      Stmt("SELECT p.district, COALESCE(a.override_level, a.level), COUNT(*) FROM assessment a "
           "JOIN (SELECT person_id, MAX(id) AS id FROM assessment GROUP BY person_id) latest ON latest.id = a.id "
           "JOIN person p ON p.id = a.person_id AND p.active = 1 AND p.is_child = 1 "
           "GROUP BY 1, 2 ORDER BY 1, 2"));
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.cells.push_back({q->Text(0), q->Text(1), q->Int(2)});
  }
  if (txn) RR_RETURN_IF_ERROR(txn->Commit());
  return out;
}

Result<ChildAccessFacts> SqliteStore::ReadChildAccessFacts(const Viewer& viewer, int64_t person_id, int64_t now_s) {
  ChildAccessFacts facts;
  RR_ASSIGN_OR_RETURN(
      auto* q,
      Stmt("SELECT EXISTS (SELECT 1 FROM care_relationship WHERE user_id = ?1 AND person_id = ?2 AND ended_at IS "
           "NULL), "
           "EXISTS (SELECT 1 FROM break_glass WHERE user_id = ?1 AND person_id = ?2 AND expires_at_s > ?3)"));
  q->Bind(1, viewer.user_id).Bind(2, person_id).Bind(3, now_s);
  RR_ASSIGN_OR_RETURN(bool row, q->Step());
  if (row) {
    facts.relationship = q->Int(0) != 0;
    facts.break_glass = q->Int(1) != 0;
  }
  q->Reset();
  RR_ASSIGN_OR_RETURN(auto* a, Stmt("SELECT provider_agency, data_class FROM sharing_agreement "
                                    "WHERE recipient_agency = ?1 AND (valid_until_s IS NULL OR valid_until_s > ?2) "
                                    "ORDER BY id"));
  a->Bind(1, viewer.agency_code).Bind(2, now_s);
  while (true) {
    RR_ASSIGN_OR_RETURN(bool more, a->Step());
    if (!more) break;
    facts.agreements.push_back({a->Text(0), a->Text(1)});
  }
  a->Reset();
  return facts;
}

Result<std::optional<ChildRecord>> SqliteStore::ReadChildRecord(int64_t person_id) {
  RR_ASSIGN_OR_RETURN(auto* q, Stmt("SELECT id, display_name, dob, sex, district, mention_count FROM person "
                                    "WHERE id = ?1 AND active = 1 AND is_child = 1"));
  q->Bind(1, person_id);
  RR_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) {
    q->Reset();
    return std::optional<ChildRecord>();
  }
  return ChildRecordFromPersonRow(*q);
}

Result<SubjectChoice> SqliteStore::ChooseSubject(SubjectKind kind, int64_t id, int64_t stand_in_point) {
  // Three scalar sub-queries, every one evaluated whichever answers: the id itself; the first record at or
  // above the point in the range of ids; the lowest record (the wrap-round). Each is an indexed look-up on the
  // primary key.
  const auto sql = [](std::string_view table, std::string_view where) {
    const std::string t(table), w(where);
    return "SELECT (SELECT id FROM " + t + " WHERE id = ?1" + w + "), (SELECT id FROM " + t +
           " WHERE id >= " + "(SELECT MIN(id) FROM " + t + ") + ?2 % ((SELECT MAX(id) FROM " + t +
           ") - (SELECT MIN(id) FROM " + t + ") + 1)" + w + " ORDER BY id LIMIT 1), (SELECT id FROM " + t +
           " WHERE 1 = 1" + w + " ORDER BY id LIMIT 1)";
  };
  static const std::string kChild = sql("person", " AND active = 1 AND is_child = 1");
  static const std::string kPerson = sql("person", " AND active = 1");
  static const std::string kReview = sql("link_review", "");
  const std::string& text = kind == SubjectKind::kChild ? kChild : kind == SubjectKind::kPerson ? kPerson : kReview;
  RR_ASSIGN_OR_RETURN(auto* q, Stmt(text.c_str()));
  q->Bind(1, id).Bind(2, stand_in_point < 0 ? -(stand_in_point + 1) : stand_in_point);
  RR_ASSIGN_OR_RETURN(bool row, q->Step());
  SubjectChoice choice;
  if (row) {
    const std::optional<int64_t> own = q->OptInt(0), above = q->OptInt(1), lowest = q->OptInt(2);
    choice.exists = own.has_value();
    choice.id = own ? *own : above ? *above : lowest ? *lowest : 0;
  }
  q->Reset();
  return choice;
}

// The person columns of `q` (id, display_name, dob, sex, district, mention_count), then the child's events and
// newest assessment. Resets `q`.
Result<std::optional<ChildRecord>> SqliteStore::ChildRecordFromPersonRow(sql::Statement& person_row) {
  ChildRecord record;
  record.person.id = person_row.Int(0);
  record.person.display_name = person_row.Text(1);
  record.person.dob = DateFrom(person_row.OptInt(2));
  auto sex = ParseSex(person_row.Text(3));
  record.person.sex = sex.ok() ? *sex : Sex::kUnknown;
  record.person.district = person_row.Text(4);
  record.person.mention_count = static_cast<int>(person_row.Int(5));
  record.person.is_child = true;
  person_row.Reset();
  const int64_t person_id = record.person.id;
  {
    RR_ASSIGN_OR_RETURN(
        auto* q,
        Stmt(
            "SELECT e.id, e.date, e.kind, e.category, e.detail, r.agency_code, r.record_class, r.local_id FROM event e "
            "JOIN source_record r ON r.id = e.source_record_id "
            "WHERE e.id IN (SELECT e2.id FROM mention_person mp JOIN event e2 ON e2.subject_mention_id = mp.mention_id "
            "WHERE mp.person_id = ?1 UNION SELECT e3.id FROM mention_person mp JOIN event e3 "
            "ON e3.associate_mention_id = mp.mention_id WHERE mp.person_id = ?1) ORDER BY e.date, e.id"));
    q->Bind(1, person_id);
    while (true) {
      RR_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) break;
      ChildEventView ev;
      ev.event_id = q->Int(0);
      ev.date = Date::FromDays(static_cast<int32_t>(q->Int(1)));
      ev.kind = q->Text(2);
      ev.category = q->Text(3);
      ev.detail = q->Text(4);
      ev.agency_code = q->Text(5);
      ev.record_class = q->Text(6);
      ev.local_id = q->Text(7);
      record.events.push_back(std::move(ev));
    }
    q->Reset();
  }
  {
    RR_ASSIGN_OR_RETURN(
        auto* q,
        Stmt("SELECT id, as_of, level, score, model_version, indicators_json, explanation_json, override_level, "
             "override_reason, next_review, override_by FROM assessment WHERE person_id = ?1 ORDER BY id DESC "
             "LIMIT 1"));
    q->Bind(1, person_id);
    RR_ASSIGN_OR_RETURN(bool row, q->Step());
    if (row) {
      Assessment a;
      a.id = q->Int(0);
      a.person_id = person_id;
      a.as_of = Date::FromDays(static_cast<int32_t>(q->Int(1)));
      auto level = ParseRiskLevel(q->Text(2));
      if (level.ok()) a.level = *level;
      a.score = q->Real(3);
      a.model_version = q->Text(4);
      a.indicators = IndicatorsFromJson(json::parse(q->Text(5), nullptr, false));
      const json expl = json::parse(q->Text(6), nullptr, false);
      if (expl.is_array()) a.explanation = expl.get<std::vector<std::string>>();
      if (!q->IsNull(7)) {
        auto o = ParseRiskLevel(q->Text(7));
        if (o.ok()) a.override_level = *o;
      }
      a.override_reason = q->Text(8);
      a.next_review = DateFrom(q->OptInt(9));
      a.override_by = q->Text(10);
      record.latest = std::move(a);
    }
    q->Reset();
  }
  RR_RETURN_IF_ERROR(AppendMentionRowsLocked(person_id, record.mentions));
  return std::optional<ChildRecord>(std::move(record));
}

Result<StoreCounts> SqliteStore::Counts() {
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare(
          "SELECT (SELECT COUNT(*) FROM agency), (SELECT COUNT(*) FROM import_batch WHERE status = 'complete'), "
          "(SELECT COUNT(*) FROM source_record), (SELECT COUNT(*) FROM person_mention), "
          "(SELECT COUNT(*) FROM place_mention), (SELECT COUNT(*) FROM event), (SELECT COUNT(*) FROM quarantine), "
          "(SELECT COUNT(*) FROM person WHERE active = 1), (SELECT COUNT(*) FROM place WHERE active = 1), "
          "(SELECT COUNT(*) FROM assessment), (SELECT COUNT(*) FROM link_review WHERE status = 'pending'), "
          "(SELECT COUNT(*) FROM audit_event), (SELECT COUNT(*) FROM quarantine WHERE resolved_at IS NULL)"));
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return Status::Internal("count query returned no row");
  StoreCounts c;
  c.agencies = q.Int(0);
  c.batches = q.Int(1);
  c.source_records = q.Int(2);
  c.person_mentions = q.Int(3);
  c.place_mentions = q.Int(4);
  c.events = q.Int(5);
  c.quarantined = q.Int(6);
  c.persons = q.Int(7);
  c.places = q.Int(8);
  c.assessments = q.Int(9);
  c.review_pending = q.Int(10);
  c.audit_events = q.Int(11);
  c.quarantine_open = q.Int(12);
  return c;
}

}  // namespace riskradar::store
