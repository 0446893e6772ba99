// SqliteStore: the practice workflow (store/practice.h): actions, disruptions, MASE meetings, practitioner
// alerts. Rows and facts inside the caller's unit of work; SaveAlerts and ImportDisruptionEvents are stage
// writes with their own transaction and run event.
#include "sqlite_store.h"

namespace riskradar::store {
namespace {

constexpr const char* kActionColumns =
    "SELECT id, version, title, owner_agency, owner_user, due_days, status, status_reason, link_kind, link_id, "
    "created_by, created_agency, created_at, updated_at FROM practice_action ";

ActionRecord ActionFromRow(const sql::Statement& q) {
  ActionRecord a;
  a.id = q.Int(0);
  a.version = q.Int(1);
  a.title = q.Text(2);
  a.owner_agency = q.Text(3);
  a.owner_user = q.Text(4);
  a.due = Date::FromDays(static_cast<int32_t>(q.Int(5)));
  a.status = q.Text(6);
  a.status_reason = q.Text(7);
  a.link_kind = q.Text(8);
  a.link_id = q.Int(9);
  a.created_by = q.Text(10);
  a.created_agency = q.Text(11);
  a.created_at = q.Text(12);
  a.updated_at = q.Text(13);
  return a;
}

constexpr const char* kDisruptionColumns =
    "SELECT id, version, kind, COALESCE(person_id, 0), COALESCE(place_id, 0), issuing_agency, issued_days, "
    "expires_days, status, COALESCE(source_event_id, 0), note, created_by, created_at, updated_at FROM disruption ";

DisruptionRecord DisruptionFromRow(const sql::Statement& q) {
  DisruptionRecord d;
  d.id = q.Int(0);
  d.version = q.Int(1);
  d.kind = q.Text(2);
  d.person_id = q.Int(3);
  d.place_id = q.Int(4);
  d.issuing_agency = q.Text(5);
  d.issued = Date::FromDays(static_cast<int32_t>(q.Int(6)));
  d.expires = DateFrom(q.OptInt(7));
  d.status = q.Text(8);
  d.source_event_id = q.Int(9);
  d.note = q.Text(10);
  d.created_by = q.Text(11);
  d.created_at = q.Text(12);
  d.updated_at = q.Text(13);
  return d;
}

constexpr const char* kMeetingColumns =
    "SELECT id, version, district, date_days, period_end_days, chair, chair_agency, panel_json, status, created_by, "
    "created_at FROM mase_meeting ";

MeetingRecord MeetingFromRow(const sql::Statement& q) {
  MeetingRecord m;
  m.id = q.Int(0);
  m.version = q.Int(1);
  m.district = q.Text(2);
  m.date = Date::FromDays(static_cast<int32_t>(q.Int(3)));
  m.period_end = Date::FromDays(static_cast<int32_t>(q.Int(4)));
  m.chair = q.Text(5);
  m.chair_agency = q.Text(6);
  const json panel = json::parse(q.Text(7), nullptr, false);
  if (panel.is_array()) {
    for (const auto& p : panel) {
      if (p.is_string()) m.panel.push_back(p.get<std::string>());
    }
  }
  m.status = q.Text(8);
  m.created_by = q.Text(9);
  m.created_at = q.Text(10);
  return m;
}

std::optional<int64_t> NonZero(int64_t v) { return v == 0 ? std::nullopt : std::optional<int64_t>(v); }

constexpr const char* kAlertColumns =
    "SELECT a.id, a.kind, a.person_id, a.evidence_json, a.evidence_kind, a.detail, a.raised_at, r.user_name, r.why, "
    "COALESCE(r.acknowledged_at, ''), r.note FROM practice_alert a JOIN practice_alert_recipient r ON r.alert_id = "
    "a.id ";

AlertRow AlertFromRow(const sql::Statement& q) {
  AlertRow a;
  a.id = q.Int(0);
  a.kind = q.Text(1);
  a.person_id = q.Int(2);
  const json ev = json::parse(q.Text(3), nullptr, false);
  if (ev.is_array()) {
    for (const auto& e : ev) {
      if (e.is_number_integer()) a.evidence.push_back(e.get<int64_t>());
    }
  }
  a.evidence_kind = q.Text(4);
  a.detail = q.Text(5);
  a.raised_at = q.Text(6);
  a.user_name = q.Text(7);
  a.why = q.Text(8);
  a.acknowledged_at = q.Text(9);
  a.note = q.Text(10);
  return a;
}

}  // namespace

PracticeStore* PracticeOf(Store& store) { return dynamic_cast<PracticeStore*>(&store); }

// ---------------------------------------------------------------- actions

Result<int64_t> SqliteStore::InsertAction(const ActionRecord& a) {
  RR_ASSIGN_OR_RETURN(
      auto q, conn_->Prepare("INSERT INTO practice_action (title, owner_agency, owner_user, due_days, status, "
                             "status_reason, link_kind, link_id, created_by, created_agency, created_at, updated_at) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11) RETURNING id"));
  q.Bind(1, a.title)
      .Bind(2, a.owner_agency)
      .Bind(3, a.owner_user)
      .Bind(4, static_cast<int64_t>(a.due.days()))
      .Bind(5, a.status)
      .Bind(6, a.status_reason)
      .Bind(7, a.link_kind)
      .Bind(8, a.link_id)
      .Bind(9, a.created_by)
      .Bind(10, a.created_agency)
      .Bind(11, NowUtcIso());
  RR_ASSIGN_OR_RETURN(const int64_t id, q.RunForNewId("an action"));
  return id;
}

Result<std::optional<ActionRecord>> SqliteStore::ReadAction(int64_t id) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kActionColumns) + "WHERE id = ?1"));
  q.Bind(1, id);
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<ActionRecord>();
  return std::optional<ActionRecord>(ActionFromRow(q));
}

Result<std::vector<ActionRecord>> SqliteStore::ReadActions() {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kActionColumns) + "ORDER BY id"));
  std::vector<ActionRecord> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.push_back(ActionFromRow(q)); }));
  return out;
}

Result<bool> SqliteStore::UpdateAction(const ActionRecord& a, int64_t expected_version) {
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare("UPDATE practice_action SET owner_agency = ?1, owner_user = ?2, due_days = ?3, status = ?4, "
                     "status_reason = ?5, updated_at = ?6, version = version + 1 WHERE id = ?7 AND version = ?8"));
  RR_RETURN_IF_ERROR(q.Bind(1, a.owner_agency)
                         .Bind(2, a.owner_user)
                         .Bind(3, static_cast<int64_t>(a.due.days()))
                         .Bind(4, a.status)
                         .Bind(5, a.status_reason)
                         .Bind(6, NowUtcIso())
                         .Bind(7, a.id)
                         .Bind(8, expected_version)
                         .Run());
  return q.Changes() == 1;
}

// ---------------------------------------------------------------- disruptions

Result<int64_t> SqliteStore::InsertDisruption(const DisruptionRecord& d) {
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare("INSERT INTO disruption (kind, person_id, place_id, issuing_agency, issued_days, "
                                     "expires_days, status, source_event_id, note, created_by, created_at, updated_at) "
                                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11) RETURNING id"));
  q.Bind(1, d.kind)
      .Bind(2, NonZero(d.person_id))
      .Bind(3, NonZero(d.place_id))
      .Bind(4, d.issuing_agency)
      .Bind(5, static_cast<int64_t>(d.issued.days()))
      .Bind(6, DobDays(d.expires))
      .Bind(7, d.status)
      .Bind(8, NonZero(d.source_event_id))
      .Bind(9, d.note)
      .Bind(10, d.created_by)
      .Bind(11, NowUtcIso());
  RR_ASSIGN_OR_RETURN(const int64_t id, q.RunForNewId("a disruption"));
  return id;
}

namespace {
Status LoadBreaches(sql::Connection& conn, std::vector<DisruptionRecord>& out) {
  if (out.empty()) return Status::Ok();
  std::unordered_map<int64_t, size_t> at;
  for (size_t i = 0; i < out.size(); ++i) at[out[i].id] = i;
  RR_ASSIGN_OR_RETURN(auto q, conn.Prepare("SELECT disruption_id, id, date_days, note, recorded_by, recorded_at "
                                           "FROM disruption_breach ORDER BY disruption_id, date_days, id"));
  return q.ForEachRow([&] {
    auto it = at.find(q.Int(0));
    if (it == at.end()) return;
    DisruptionBreach b;
    b.id = q.Int(1);
    b.date = Date::FromDays(static_cast<int32_t>(q.Int(2)));
    b.note = q.Text(3);
    b.recorded_by = q.Text(4);
    b.recorded_at = q.Text(5);
    out[it->second].breaches.push_back(std::move(b));
  });
}
}  // namespace

Result<std::optional<DisruptionRecord>> SqliteStore::ReadDisruption(int64_t id) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kDisruptionColumns) + "WHERE id = ?1"));
  q.Bind(1, id);
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<DisruptionRecord>();
  std::vector<DisruptionRecord> one{DisruptionFromRow(q)};
  q.Reset();
  RR_RETURN_IF_ERROR(LoadBreaches(*conn_, one));
  return std::optional<DisruptionRecord>(std::move(one.front()));
}

Result<std::vector<DisruptionRecord>> SqliteStore::ReadDisruptions() {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kDisruptionColumns) + "ORDER BY id"));
  std::vector<DisruptionRecord> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.push_back(DisruptionFromRow(q)); }));
  RR_RETURN_IF_ERROR(LoadBreaches(*conn_, out));
  return out;
}

Result<bool> SqliteStore::UpdateDisruption(const DisruptionRecord& d, int64_t expected_version) {
  RR_ASSIGN_OR_RETURN(
      auto q, conn_->Prepare("UPDATE disruption SET status = ?1, expires_days = ?2, note = ?3, updated_at = ?4, "
                             "version = version + 1 WHERE id = ?5 AND version = ?6"));
  RR_RETURN_IF_ERROR(q.Bind(1, d.status)
                         .Bind(2, DobDays(d.expires))
                         .Bind(3, d.note)
                         .Bind(4, NowUtcIso())
                         .Bind(5, d.id)
                         .Bind(6, expected_version)
                         .Run());
  return q.Changes() == 1;
}

Result<int64_t> SqliteStore::InsertDisruptionBreach(int64_t disruption_id, const DisruptionBreach& b) {
  const std::string now = NowUtcIso();
  RR_ASSIGN_OR_RETURN(auto bump,
                      conn_->Prepare("UPDATE disruption SET version = version + 1, updated_at = ?1 WHERE id = ?2"));
  RR_RETURN_IF_ERROR(bump.Bind(1, now).Bind(2, disruption_id).Run());
  if (bump.Changes() != 1) return Status::NotFound("no disruption " + std::to_string(disruption_id));
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("INSERT INTO disruption_breach (disruption_id, date_days, note, "
                                             "recorded_by, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id"));
  q.Bind(1, disruption_id)
      .Bind(2, static_cast<int64_t>(b.date.days()))
      .Bind(3, b.note)
      .Bind(4, b.recorded_by)
      .Bind(5, now);
  RR_ASSIGN_OR_RETURN(const int64_t id, q.RunForNewId("a breach"));
  return id;
}

// ---------------------------------------------------------------- MASE meetings

Result<int64_t> SqliteStore::InsertMeeting(const MeetingRecord& m) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("INSERT INTO mase_meeting (district, date_days, period_end_days, chair, "
                                             "chair_agency, panel_json, status, created_by, created_at) "
                                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id"));
  q.Bind(1, m.district)
      .Bind(2, static_cast<int64_t>(m.date.days()))
      .Bind(3, static_cast<int64_t>(m.period_end.days()))
      .Bind(4, m.chair)
      .Bind(5, m.chair_agency)
      .Bind(6, json(m.panel).dump())
      .Bind(7, m.status)
      .Bind(8, m.created_by)
      .Bind(9, NowUtcIso());
  RR_ASSIGN_OR_RETURN(const int64_t id, q.RunForNewId("a meeting"));
  return id;
}

Result<std::optional<MeetingRecord>> SqliteStore::ReadMeeting(int64_t id) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kMeetingColumns) + "WHERE id = ?1"));
  q.Bind(1, id);
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<MeetingRecord>();
  MeetingRecord m = MeetingFromRow(q);
  q.Reset();
  RR_ASSIGN_OR_RETURN(auto items,
                      conn_->Prepare("SELECT id, COALESCE(person_id, 0), COALESCE(place_id, 0), reasons, source, note, "
                                     "removed, removal_reason, minutes, minutes_by, minutes_at, added_by, added_at "
                                     "FROM mase_agenda_item WHERE meeting_id = ?1 ORDER BY id"));
  items.Bind(1, id);
  RR_RETURN_IF_ERROR(items.ForEachRow([&] {
    AgendaItem it;
    it.id = items.Int(0);
    it.meeting_id = id;
    it.person_id = items.Int(1);
    it.place_id = items.Int(2);
    it.reasons = items.Text(3);
    it.source = items.Text(4);
    it.note = items.Text(5);
    it.removed = items.Int(6) != 0;
    it.removal_reason = items.Text(7);
    it.minutes = items.Text(8);
    it.minutes_by = items.Text(9);
    it.minutes_at = items.Text(10);
    it.added_by = items.Text(11);
    it.added_at = items.Text(12);
    m.agenda.push_back(std::move(it));
  }));
  return std::optional<MeetingRecord>(std::move(m));
}

Result<int64_t> SqliteStore::MeetingGeneration() {
  RR_ASSIGN_OR_RETURN(auto* q, Stmt("SELECT n FROM meeting_generation WHERE id = 1"));
  RR_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) {
    q->Reset();
    return Status::Corruption("the meeting generation row is missing (migration 19)");
  }
  const int64_t n = q->Int(0);
  q->Reset();
  return n;
}

Result<std::vector<MeetingRecord>> SqliteStore::ReadMeetings() {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kMeetingColumns) + "ORDER BY date_days DESC, id DESC"));
  std::vector<MeetingRecord> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.push_back(MeetingFromRow(q)); }));
  return out;
}

Result<bool> SqliteStore::UpdateMeetingStatus(int64_t id, std::string_view status, int64_t expected_version) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("UPDATE mase_meeting SET status = ?1, version = version + 1 "
                                             "WHERE id = ?2 AND version = ?3"));
  RR_RETURN_IF_ERROR(q.Bind(1, status).Bind(2, id).Bind(3, expected_version).Run());
  return q.Changes() == 1;
}

Result<int64_t> SqliteStore::InsertAgendaItem(const AgendaItem& it) {
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare("INSERT INTO mase_agenda_item (meeting_id, person_id, place_id, reasons, source, "
                                     "note, added_by, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                                     "ON CONFLICT (meeting_id, (COALESCE(person_id, 0)), (COALESCE(place_id, 0))) "
                                     "DO NOTHING RETURNING id"));
  q.Bind(1, it.meeting_id)
      .Bind(2, NonZero(it.person_id))
      .Bind(3, NonZero(it.place_id))
      .Bind(4, it.reasons)
      .Bind(5, it.source)
      .Bind(6, it.note)
      .Bind(7, it.added_by)
      .Bind(8, NowUtcIso());
  // No row back: the meeting already has an item for that subject (mase_agenda_item_subject).
  RR_ASSIGN_OR_RETURN(const std::optional<int64_t> id, q.RunForId());
  if (!id) return Status::AlreadyExists("the meeting already has an agenda item for it");
  return *id;
}

Result<bool> SqliteStore::UpdateAgendaItem(const AgendaItem& it) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("UPDATE mase_agenda_item SET removed = ?1, removal_reason = ?2, "
                                             "minutes = ?3, minutes_by = ?4, minutes_at = ?5 WHERE id = ?6"));
  RR_RETURN_IF_ERROR(q.Bind(1, int64_t{it.removed ? 1 : 0})
                         .Bind(2, it.removal_reason)
                         .Bind(3, it.minutes)
                         .Bind(4, it.minutes_by)
                         .Bind(5, it.minutes_at)
                         .Bind(6, it.id)
                         .Run());
  return q.Changes() == 1;
}

// ---------------------------------------------------------------- facts

Result<std::vector<PersonRecordClass>> SqliteStore::ReadPersonRecordClasses(const std::vector<int64_t>& person_ids) {
  RR_ASSIGN_OR_RETURN(
      sql::Statement * q,
      Stmt("SELECT DISTINCT r.agency_code, r.record_class FROM mention_person mp "
           "JOIN person_mention m ON m.id = mp.mention_id JOIN source_record r ON r.id = m.source_record_id "
           "WHERE mp.person_id = ?1 ORDER BY r.agency_code, r.record_class"));
  std::vector<PersonRecordClass> out;
  std::set<int64_t> done;
  for (int64_t id : person_ids) {
    if (!done.insert(id).second) continue;
    q->Reset();
    q->Bind(1, id);
    RR_RETURN_IF_ERROR(q->ForEachRow([&] { out.push_back({id, q->Text(0), q->Text(1)}); }));
  }
  q->Reset();
  return out;
}

Result<bool> SqliteStore::PlaceExists(int64_t place_id) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT 1 FROM place WHERE id = ?1"));
  q.Bind(1, place_id);
  return q.Step();
}

Result<std::vector<RadarFact>> SqliteStore::LoadRadarFacts() {
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare(
          "WITH ranked AS (SELECT id, person_id, as_of, COALESCE(override_level, level) AS lvl, next_review, "
          "ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY id DESC) AS rn FROM assessment) "
          "SELECT p.id, p.district, p.is_child, p.person_of_concern, l.lvl, l.as_of, pr.lvl, l.id, l.next_review "
          "FROM person p "
          "LEFT JOIN ranked l ON l.person_id = p.id AND l.rn = 1 "
          "LEFT JOIN ranked pr ON pr.person_id = p.id AND pr.rn = 2 "
          "WHERE p.active = 1 AND (l.person_id IS NOT NULL OR p.person_of_concern = 1) ORDER BY p.id"));
  std::vector<RadarFact> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    RadarFact f;
    f.person_id = q.Int(0);
    f.district = q.Text(1);
    f.is_child = q.Int(2) != 0;
    f.person_of_concern = q.Int(3) != 0;
    if (!q.IsNull(4)) {
      RR_ASSIGN_OR_RETURN(f.level, ParseRiskLevel(q.Text(4)));
      f.assessed = Date::FromDays(static_cast<int32_t>(q.Int(5)));
      f.assessment_id = q.Int(7);
      if (!q.IsNull(8)) f.next_review = Date::FromDays(static_cast<int32_t>(q.Int(8)));
    }
    if (!q.IsNull(6)) {
      RR_ASSIGN_OR_RETURN(f.previous_level, ParseRiskLevel(q.Text(6)));
    }
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<MissingEpisodeRow>> SqliteStore::LoadMissingEpisodes(Date from) {
  RR_ASSIGN_OR_RETURN(
      auto q, conn_->Prepare("SELECT e.id, COALESCE(l.resolved_event_id, e.id), mp.person_id, e.date FROM event e "
                             "JOIN mention_person mp ON mp.mention_id = e.subject_mention_id "
                             "LEFT JOIN event_link l ON l.event_id = e.id "
                             "WHERE e.kind = 'missing_episode' AND e.date >= ?1 ORDER BY e.id"));
  q.Bind(1, static_cast<int64_t>(from.days()));
  std::vector<MissingEpisodeRow> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] {
    out.push_back({q.Int(0), q.Int(1), q.Int(2), Date::FromDays(static_cast<int32_t>(q.Int(3)))});
  }));
  return out;
}

Result<std::vector<RelationshipHolder>> SqliteStore::ReadRelationshipHolders() {
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare("SELECT c.person_id, u.name, u.agency_code, c.kind FROM care_relationship c "
                                     "JOIN app_user u ON u.id = c.user_id WHERE c.ended_at IS NULL AND "
                                     "u.disabled = 0 ORDER BY c.person_id, u.name, c.kind, c.id"));
  std::vector<RelationshipHolder> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.push_back({q.Int(0), q.Text(1), q.Text(2), q.Text(3)}); }));
  return out;
}

// ---------------------------------------------------------------- practitioner alerts

Result<std::vector<AlertRow>> SqliteStore::ReadAlertsOf(std::string_view user_name, bool open_only) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kAlertColumns) +
                                             "WHERE r.user_name = ?1 AND (?2 = 0 OR r.acknowledged_at IS NULL) "
                                             "ORDER BY a.id DESC"));
  q.Bind(1, user_name).Bind(2, int64_t{open_only ? 1 : 0});
  std::vector<AlertRow> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.push_back(AlertFromRow(q)); }));
  return out;
}

Result<std::optional<AlertRow>> SqliteStore::ReadAlertOf(int64_t alert_id, std::string_view user_name) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kAlertColumns) + "WHERE a.id = ?1 AND r.user_name = ?2"));
  q.Bind(1, alert_id).Bind(2, user_name);
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<AlertRow>();
  return std::optional<AlertRow>(AlertFromRow(q));
}

Result<bool> SqliteStore::AcknowledgeAlert(int64_t alert_id, std::string_view user_name, const std::string& note) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("UPDATE practice_alert_recipient SET acknowledged_at = ?1, note = ?2 "
                                             "WHERE alert_id = ?3 AND user_name = ?4 AND acknowledged_at IS NULL"));
  RR_RETURN_IF_ERROR(q.Bind(1, NowUtcIso()).Bind(2, note).Bind(3, alert_id).Bind(4, user_name).Run());
  return q.Changes() == 1;
}

Result<int64_t> SqliteStore::CountOpenAlerts(std::string_view user_name, int64_t person_id) {
  RR_ASSIGN_OR_RETURN(sql::Statement * q,
                      Stmt("SELECT COUNT(*) FROM practice_alert_recipient r JOIN practice_alert a ON a.id = r.alert_id "
                           "WHERE r.user_name = ?1 AND r.acknowledged_at IS NULL AND (?2 = 0 OR a.person_id = ?2)"));
  q->Bind(1, user_name).Bind(2, person_id);
  RR_ASSIGN_OR_RETURN(bool row, q->Step());
  const int64_t n = row ? q->Int(0) : 0;
  q->Reset();
  return n;
}

Result<std::string> SqliteStore::ReadAlertBaseline() {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT baseline_json FROM practice_alert_baseline WHERE id = 1"));
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? q.Text(0) : std::string();
}

Result<int64_t> SqliteStore::SaveAlerts(const std::vector<NewAlert>& alerts, const std::string& baseline,
                                        const Actor& actor) {
  if (unit_open_) return Status::FailedPrecondition("SaveAlerts inside a unit of work");
  for (const NewAlert& a : alerts) {
    if (a.key.empty() || a.kind.empty()) {
      return Status::InvalidArgument("an alert needs a key and a kind");
    }
  }
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  const std::string now = NowUtcIso();
  RR_ASSIGN_OR_RETURN(auto insert,
                      conn_->Prepare("INSERT INTO practice_alert (dedupe_key, kind, person_id, evidence_json, "
                                     "evidence_kind, detail, raised_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                                     "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"));
  RR_ASSIGN_OR_RETURN(auto recipient, conn_->Prepare("INSERT INTO practice_alert_recipient (alert_id, user_name, "
                                                     "why) VALUES (?1, ?2, ?3) "
                                                     "ON CONFLICT (alert_id, user_name) DO NOTHING"));
  int64_t added = 0, recipients = 0;
  std::map<std::string, int64_t> by_kind;
  for (const NewAlert& a : alerts) {
    insert.Bind(1, a.key)
        .Bind(2, a.kind)
        .Bind(3, a.person_id)
        .Bind(4, json(a.evidence).dump())
        .Bind(5, a.evidence_kind)
        .Bind(6, a.detail)
        .Bind(7, now);
    // No row back: an alert with that key was raised before.
    RR_ASSIGN_OR_RETURN(const std::optional<int64_t> inserted, insert.RunForId());
    if (!inserted) continue;
    const int64_t id = *inserted;
    ++added;
    ++by_kind[a.kind];
    for (const AlertRecipient& r : a.recipients) {
      RR_RETURN_IF_ERROR(recipient.Bind(1, id).Bind(2, r.user_name).Bind(3, r.why).Run());
      recipients += recipient.Changes();
    }
  }
  RR_ASSIGN_OR_RETURN(auto state,
                      conn_->Prepare("INSERT INTO practice_alert_baseline (id, baseline_json, updated_at) "
                                     "VALUES (1, ?1, ?2) ON CONFLICT (id) DO UPDATE SET "
                                     "baseline_json = excluded.baseline_json, updated_at = excluded.updated_at"));
  RR_RETURN_IF_ERROR(state.Bind(1, baseline).Bind(2, now).Run());
  RR_RETURN_IF_ERROR(AppendAuditLocked(
      MakeAudit(actor, "raise_alerts", "practice_alerts",
                {{"drafted", alerts.size()}, {"raised", added}, {"recipients", recipients}, {"by_kind", by_kind}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  FlushWitness();
  return added;
}

Result<int64_t> SqliteStore::ImportDisruptionEvents(const std::vector<DisruptionRecord>& disruptions,
                                                    const Actor& actor) {
  if (unit_open_) return Status::FailedPrecondition("ImportDisruptionEvents inside a unit of work");
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  RR_ASSIGN_OR_RETURN(auto known, conn_->Prepare("SELECT 1 FROM disruption WHERE source_event_id = ?1"));
  int64_t added = 0;
  for (const DisruptionRecord& d : disruptions) {
    if (d.source_event_id == 0) return Status::InvalidArgument("an imported disruption names its source event");
    known.Reset();
    known.Bind(1, d.source_event_id);
    RR_ASSIGN_OR_RETURN(bool row, known.Step());
    known.Reset();
    if (row) continue;
    RR_RETURN_IF_ERROR(InsertDisruption(d).status());
    ++added;
  }
  RR_RETURN_IF_ERROR(AppendAuditLocked(
      MakeAudit(actor, "import_disruptions", "disruptions", {{"events", disruptions.size()}, {"added", added}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  FlushWitness();
  return added;
}

}  // namespace riskradar::store
