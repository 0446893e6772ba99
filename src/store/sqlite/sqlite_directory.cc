// SqliteStore's directory rows (store/directory.h): people with every mention, places of concern and the events
// there, offender networks, and the viewer facts need-to-know decides on. Unfiltered and unaudited: they are
// read inside the access layer's unit of work, which filters and audits (include/riskradar/access/).
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "riskradar/core/text.h"
#include "sqlite_store.h"

namespace riskradar::store {
namespace {

constexpr const char* kPersonColumns =
    "p.id, p.display_name, p.dob, p.sex, p.district, p.is_child, p.person_of_concern, p.mention_count";
constexpr int kPersonColumnCount = 8;
// One mention with its record (aliases mp, m, r).
constexpr const char* kMentionColumns =
    "mp.person_id, m.id, r.id, r.agency_code, r.record_class, r.local_id, m.slot, m.role, m.forename, m.surname, "
    "m.sex, m.postcode, m.nhs_number, m.upn, m.dob";

PersonMentionRow MentionRowFrom(const sql::Statement& q, int first) {
  PersonMentionRow m;
  m.person_id = q.Int(first);
  m.mention_id = q.Int(first + 1);
  m.record_id = q.Int(first + 2);
  m.agency_code = q.Text(first + 3);
  m.record_class = q.Text(first + 4);
  m.local_id = q.Text(first + 5);
  m.slot = q.Text(first + 6);
  m.role = q.Text(first + 7);
  m.forename = q.Text(first + 8);
  m.surname = q.Text(first + 9);
  m.sex = q.Text(first + 10);
  m.postcode = q.Text(first + 11);
  m.nhs_number = q.Text(first + 12);
  m.upn = q.Text(first + 13);
  m.dob = DateFrom(q.OptInt(first + 14));
  return m;
}

Person PersonFromRow(const sql::Statement& q, int first) {
  Person p;
  p.id = q.Int(first);
  p.display_name = q.Text(first + 1);
  p.dob = DateFrom(q.OptInt(first + 2));
  auto sex = ParseSex(q.Text(first + 3));
  p.sex = sex.ok() ? *sex : Sex::kUnknown;
  p.district = q.Text(first + 4);
  p.is_child = q.Int(first + 5) != 0;
  p.person_of_concern = q.Int(first + 6) != 0;
  p.mention_count = static_cast<int>(q.Int(first + 7));
  return p;
}

std::string EscapeLike(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// The latest network run, or 0 before the first.
Result<int64_t> LatestNetworkRun(sql::Connection& db) {
  RR_ASSIGN_OR_RETURN(auto q, db.Prepare("SELECT id FROM network_run ORDER BY id DESC LIMIT 1"));
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? q.Int(0) : int64_t{0};
}

constexpr const char* kPlaceOfConcernSelect =
    "SELECT s.place_id, s.children_at_risk, s.persons_of_concern, s.events, s.score, s.of_concern, s.reasons_json, "
    "p.name, p.type, p.postcode, p.district, p.lat, p.lon, s.profile_json FROM place_score s "
    "JOIN place p ON p.id = s.place_id AND p.active = 1 WHERE s.run_id = ?1 AND s.of_concern = 1 ";

PlaceOfConcern PlaceOfConcernFromRow(const sql::Statement& q) {
  PlaceOfConcern out;
  PlaceScore& s = out.score;
  s.place_id = q.Int(0);
  s.children_at_risk = static_cast<int>(q.Int(1));
  s.persons_of_concern = static_cast<int>(q.Int(2));
  s.events = static_cast<int>(q.Int(3));
  s.score = q.Real(4);
  s.of_concern = q.Int(5) != 0;
  const json reasons = json::parse(q.Text(6), nullptr, false);
  if (reasons.is_array()) {
    for (const auto& r : reasons) {
      if (r.is_string()) s.reasons.push_back(r.get<std::string>());
    }
  }
  Place& p = out.place;
  p.id = s.place_id;
  p.name = q.Text(7);
  auto type = ParsePlaceType(q.Text(8));
  p.type = type.ok() ? *type : PlaceType::kOther;
  p.postcode = q.Text(9);
  p.district = q.Text(10);
  p.lat = q.OptDouble(11);
  p.lon = q.OptDouble(12);
  s.profile = PlaceProfileFromJson(q.Text(13));
  return out;
}

}  // namespace

Result<ViewerAccessFacts> SqliteStore::ReadViewerAccessFacts(const Viewer& viewer, int64_t now_s) {
  // Prepared once per connection: every practice list, the caseload and the MASE agenda read them.
  ViewerAccessFacts f;
  {
    RR_ASSIGN_OR_RETURN(auto* q, Stmt("SELECT provider_agency, data_class FROM sharing_agreement "
                                      "WHERE recipient_agency = ?1 AND ended_at IS NULL "
                                      "AND (valid_until_s IS NULL OR valid_until_s > ?2) ORDER BY id"));
    q->Bind(1, viewer.agency_code).Bind(2, now_s);
    Status st = q->ForEachRow([&] { f.agreements.push_back({q->Text(0), q->Text(1)}); });
    q->Reset();
    RR_RETURN_IF_ERROR(st);
  }
  {
    RR_ASSIGN_OR_RETURN(auto* q, Stmt("SELECT DISTINCT person_id FROM care_relationship "
                                      "WHERE user_id = ?1 AND ended_at IS NULL ORDER BY person_id"));
    q->Bind(1, viewer.user_id);
    Status st = q->ForEachRow([&] { f.related.push_back(q->Int(0)); });
    q->Reset();
    RR_RETURN_IF_ERROR(st);
  }
  {
    RR_ASSIGN_OR_RETURN(auto* q, Stmt("SELECT DISTINCT person_id FROM break_glass "
                                      "WHERE user_id = ?1 AND expires_at_s > ?2 ORDER BY person_id"));
    q->Bind(1, viewer.user_id).Bind(2, now_s);
    Status st = q->ForEachRow([&] { f.break_glass.push_back(q->Int(0)); });
    q->Reset();
    RR_RETURN_IF_ERROR(st);
  }
  return f;
}

Result<std::vector<PersonRecord>> SqliteStore::FindPersonRecords(const PersonQuery& query, bool identity) {
  // Every mention of every person of the role asked for who has at least one mention whose full name contains
  // the fragment; grouped by person (ordered by id).
  const std::string columns =
      identity ? std::string(kMentionColumns) : std::string("mp.person_id, m.id, r.agency_code, r.record_class");
  RR_ASSIGN_OR_RETURN(
      auto q, conn_->Prepare(std::string("SELECT ") + kPersonColumns + ", " + columns +
                             " FROM person p JOIN mention_person mp ON mp.person_id = p.id "
                             "JOIN person_mention m ON m.id = mp.mention_id "
                             "JOIN source_record r ON r.id = m.source_record_id "
                             "WHERE p.active = 1 AND (?1 = '' OR p.id IN (SELECT mp2.person_id FROM mention_person mp2 "
                             "JOIN person_mention m2 ON m2.id = mp2.mention_id WHERE lower(m2.forename || "
                             "CASE WHEN m2.forename <> '' AND m2.surname <> '' THEN ' ' ELSE '' END || m2.surname) "
                             "LIKE lower(?2) ESCAPE '\\')) "
                             "AND (?3 = '' OR (?3 = 'child' AND p.is_child = 1) "
                             "OR (?3 = 'person_of_concern' AND p.person_of_concern = 1) "
                             "OR (?3 = 'adult' AND p.is_child = 0)) ORDER BY p.id"));
  q.Bind(1, query.name).Bind(2, "%" + EscapeLike(query.name) + "%").Bind(3, query.role);
  std::vector<PersonRecord> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    if (out.empty() || out.back().person.id != q.Int(0)) out.push_back({PersonFromRow(q, 0), {}, {}});
    if (identity) {
      out.back().mentions.push_back(MentionRowFrom(q, kPersonColumnCount));
    } else {
      PersonMentionRow m;
      m.person_id = q.Int(kPersonColumnCount);
      m.mention_id = q.Int(kPersonColumnCount + 1);
      m.agency_code = q.Text(kPersonColumnCount + 2);
      m.record_class = q.Text(kPersonColumnCount + 3);
      out.back().mentions.push_back(std::move(m));
    }
  }
  for (PersonRecord& r : out) {
    std::sort(r.mentions.begin(), r.mentions.end(),
              [](const PersonMentionRow& a, const PersonMentionRow& b) { return a.mention_id < b.mention_id; });
  }
  return out;
}

Result<std::optional<PersonRecord>> SqliteStore::ReadPersonRecord(int64_t person_id) {
  RR_ASSIGN_OR_RETURN(std::optional<PersonRecord> record, PersonRecordLocked(person_id));
  if (!record) return record;
  // Scored pairs the review queue holds for two of this person's mentions.
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare("SELECT left_mention_id, right_mention_id, match_weight, match_probability, status, reason, "
                     "decided_by, COALESCE(decided_at, '') FROM link_review "
                     "WHERE left_mention_id IN (SELECT mention_id FROM mention_person WHERE person_id = ?1) "
                     "AND right_mention_id IN (SELECT mention_id FROM mention_person WHERE person_id = ?1) "
                     "ORDER BY id"));
  q.Bind(1, person_id);
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    LinkEvidence e;
    e.left_mention_id = std::min(q.Int(0), q.Int(1));
    e.right_mention_id = std::max(q.Int(0), q.Int(1));
    e.source = "review";
    e.match_weight = q.Real(2);
    e.match_probability = q.Real(3);
    e.review_status = q.Text(4);
    e.review_reason = q.Text(5);
    e.decided_by = q.Text(6);
    e.decided_at = q.Text(7);
    record->reviewed.push_back(std::move(e));
  }
  return record;
}

Result<std::optional<PersonRecord>> SqliteStore::ReadPersonMentions(int64_t person_id) {
  return PersonRecordLocked(person_id);
}

Result<int64_t> SqliteStore::PersonRecordGeneration() {
  RR_ASSIGN_OR_RETURN(auto* q, Stmt("SELECT n FROM person_record_generation WHERE id = 1"));
  RR_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) {
    q->Reset();
    return Status::Corruption("the person-record generation row is missing (migration 19)");
  }
  const int64_t n = q->Int(0);
  q->Reset();
  return n;
}

Status SqliteStore::AppendMentionRowsLocked(int64_t person_id, std::vector<PersonMentionRow>& out) {
  RR_ASSIGN_OR_RETURN(auto* q, Stmt("SELECT mp.person_id, m.id, r.id, r.agency_code, r.record_class, r.local_id, "
                                    "m.slot, m.role, m.forename, m.surname, m.sex, m.postcode, m.nhs_number, m.upn, "
                                    "m.dob FROM mention_person mp JOIN person_mention m ON m.id = mp.mention_id "
                                    "JOIN source_record r ON r.id = m.source_record_id WHERE mp.person_id = ?1 "
                                    "ORDER BY m.id"));
  q->Bind(1, person_id);
  Status st = q->ForEachRow([&] { out.push_back(MentionRowFrom(*q, 0)); });
  q->Reset();
  return st;
}

Result<std::optional<PersonRecord>> SqliteStore::PersonRecordLocked(int64_t person_id) {
  std::optional<PersonRecord> out;
  {
    // kPersonColumns, spelled out: a cached statement's SQL is a literal.
    RR_ASSIGN_OR_RETURN(auto* q, Stmt("SELECT p.id, p.display_name, p.dob, p.sex, p.district, p.is_child, "
                                      "p.person_of_concern, p.mention_count FROM person p "
                                      "WHERE p.id = ?1 AND p.active = 1"));
    q->Bind(1, person_id);
    auto row = q->Step();
    if (row.ok() && *row) out = PersonRecord{PersonFromRow(*q, 0), {}, {}};
    q->Reset();
    if (!row.ok()) return row.status();
    if (!out) return out;
  }
  RR_RETURN_IF_ERROR(AppendMentionRowsLocked(person_id, out->mentions));
  return out;
}

Result<PlacesOfConcernList> SqliteStore::ListPlacesOfConcern() {
  PlacesOfConcernList out;
  RR_ASSIGN_OR_RETURN(out.network_run, LatestNetworkRun(*conn_));
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kPlaceOfConcernSelect) + "ORDER BY s.score DESC, s.place_id"));
  q.Bind(1, out.network_run);
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.places.push_back(PlaceOfConcernFromRow(q)); }));
  return out;
}

Result<std::optional<PlaceRecord>> SqliteStore::ReadPlaceRecord(int64_t place_id) {
  PlaceRecord out;
  RR_ASSIGN_OR_RETURN(out.network_run, LatestNetworkRun(*conn_));
  {
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kPlaceOfConcernSelect) + "AND s.place_id = ?2"));
    q.Bind(1, out.network_run).Bind(2, place_id);
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return std::optional<PlaceRecord>();
    out.place = PlaceOfConcernFromRow(q);
  }
  std::set<int64_t> people;
  {
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT r.agency_code, r.record_class, COALESCE(sp.person_id, 0), "
                                               "COALESCE(ap.person_id, 0) FROM place_mention_place pmp "
                                               "JOIN event e ON e.place_mention_id = pmp.place_mention_id "
                                               "JOIN source_record r ON r.id = e.source_record_id "
                                               "LEFT JOIN mention_person sp ON sp.mention_id = e.subject_mention_id "
                                               "LEFT JOIN mention_person ap ON ap.mention_id = e.associate_mention_id "
                                               "WHERE pmp.place_id = ?1 ORDER BY e.id"));
    q.Bind(1, place_id);
    RR_RETURN_IF_ERROR(q.ForEachRow([&] {
      out.events.push_back({q.Text(0), q.Text(1), q.Int(2), q.Int(3)});
      for (int64_t person : {q.Int(2), q.Int(3)}) {
        if (person != 0) people.insert(person);
      }
    }));
  }
  for (int64_t person : people) {
    RR_ASSIGN_OR_RETURN(std::optional<PersonRecord> record, PersonRecordLocked(person));
    if (record) out.people.push_back(std::move(*record));
  }
  return std::optional<PlaceRecord>(std::move(out));
}

Result<NetworkList> SqliteStore::ListNetworks() {
  NetworkList out;
  RR_ASSIGN_OR_RETURN(out.network_run, LatestNetworkRun(*conn_));
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT network_id, SUM(CASE WHEN kind = 'offender' THEN 1 ELSE 0 END), "
                                             "SUM(CASE WHEN kind = 'child' THEN 1 ELSE 0 END), "
                                             "SUM(CASE WHEN kind = 'place' THEN 1 ELSE 0 END) FROM network_member "
                                             "WHERE run_id = ?1 "
                                             "GROUP BY network_id ORDER BY network_id"));
  q.Bind(1, out.network_run);
  RR_RETURN_IF_ERROR(q.ForEachRow([&] {
    out.networks.push_back({static_cast<int32_t>(q.Int(0)), q.Int(1), q.Int(2), q.Int(3)});
  }));
  return out;
}

Result<std::optional<NetworkRecord>> SqliteStore::ReadNetworkRecord(int64_t network_id) {
  NetworkRecord out;
  out.id = static_cast<int32_t>(network_id);
  RR_ASSIGN_OR_RETURN(out.network_run, LatestNetworkRun(*conn_));
  {
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT kind, entity_id FROM network_member WHERE run_id = ?1 AND "
                                               "network_id = ?2 ORDER BY kind, entity_id"));
    q.Bind(1, out.network_run).Bind(2, network_id);
    RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.members.emplace_back(q.Text(0), q.Int(1)); }));
  }
  if (out.members.empty()) return std::optional<NetworkRecord>();
  RR_ASSIGN_OR_RETURN(auto place, conn_->Prepare("SELECT id, name, type, postcode, district, lat, lon FROM place "
                                                 "WHERE id = ?1 AND active = 1"));
  for (const auto& [kind, id] : out.members) {
    if (kind != "place") {
      RR_ASSIGN_OR_RETURN(std::optional<PersonRecord> record, PersonRecordLocked(id));
      if (record) out.people.push_back(std::move(*record));
      continue;
    }
    place.Reset();
    place.Bind(1, id);
    RR_ASSIGN_OR_RETURN(bool row, place.Step());
    if (!row) continue;
    Place p;
    p.id = place.Int(0);
    p.name = place.Text(1);
    auto type = ParsePlaceType(place.Text(2));
    p.type = type.ok() ? *type : PlaceType::kOther;
    p.postcode = place.Text(3);
    p.district = place.Text(4);
    p.lat = place.OptDouble(5);
    p.lon = place.OptDouble(6);
    out.places.push_back(std::move(p));
  }
  std::sort(out.people.begin(), out.people.end(),
            [](const PersonRecord& a, const PersonRecord& b) { return a.person.id < b.person.id; });
  out.people.erase(std::unique(out.people.begin(), out.people.end(),
                               [](const PersonRecord& a, const PersonRecord& b) { return a.person.id == b.person.id; }),
                   out.people.end());
  return std::optional<NetworkRecord>(std::move(out));
}

}  // namespace riskradar::store
