// SqliteStore's directory reads for the server: people (search, and one person with the evidence behind their
// links), places of concern, offender networks, imports and their quarantine, and the audit log itself.
// Each read runs in one transaction with its audit event (if the event cannot be written, nothing is returned),
// and filters people by the need-to-know rule of core/access.h: a person is visible when at least one of their
// records is.
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

// What the store knows about one viewer, loaded once per request inside the read's transaction: the sharing
// agreements in force to their agency, the people they have a current relationship with, and the people they
// hold an unexpired break-glass grant for.
struct ViewerFacts {
  Viewer viewer;
  std::unordered_set<int64_t> related, glass;
  mutable ChildAccessFacts facts;  // the agreements; the per-person flags are set by each Decide

  RecordAccess Decide(int64_t person_id, std::string_view agency, std::string_view record_class) const {
    facts.relationship = related.count(person_id) > 0;
    facts.break_glass = glass.count(person_id) > 0;
    return DecideRecordAccess(viewer, agency, record_class, facts);
  }
};

Result<ViewerFacts> LoadViewerFacts(SqliteDb& db, const Viewer& viewer, int64_t now_s) {
  ViewerFacts f;
  f.viewer = viewer;
  if (!MaySeeIdentifying(viewer.role)) return f;  // DecideRecordAccess hides every record from them anyway
  {
    RR_ASSIGN_OR_RETURN(auto q,
                        db.Prepare("SELECT provider_agency, data_class FROM sharing_agreement "
                                   "WHERE recipient_agency = ?1 AND (valid_until_s IS NULL OR valid_until_s > ?2)"));
    q.Bind(1, viewer.agency_code).Bind(2, now_s);
    while (true) {
      RR_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      f.facts.agreements.push_back({q.Text(0), q.Text(1)});
    }
  }
  {
    RR_ASSIGN_OR_RETURN(auto q,
                        db.Prepare("SELECT person_id FROM care_relationship WHERE user_id = ?1 AND ended_at IS NULL"));
    q.Bind(1, viewer.user_id);
    while (true) {
      RR_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      f.related.insert(q.Int(0));
    }
  }
  {
    RR_ASSIGN_OR_RETURN(auto q,
                        db.Prepare("SELECT person_id FROM break_glass WHERE user_id = ?1 AND expires_at_s > ?2"));
    q.Bind(1, viewer.user_id).Bind(2, now_s);
    while (true) {
      RR_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      f.glass.insert(q.Int(0));
    }
  }
  return f;
}

constexpr const char* kPersonColumns =
    "p.id, p.display_name, p.dob, p.sex, p.district, p.is_child, p.person_of_concern, p.mention_count";

Person PersonFromRow(const SqliteStatement& q, int first) {
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

// Whether a viewer may see identifying data about people, person by person (cached for one request): the
// basis of each of their records that is visible.
class PersonVisibility {
 public:
  PersonVisibility(SqliteDb& db, const ViewerFacts& facts) : db_(db), facts_(facts) {}

  Result<std::vector<std::string>> Basis(int64_t person_id) {
    auto it = cache_.find(person_id);
    if (it != cache_.end()) return it->second;
    std::set<std::string> basis;
    if (MaySeeIdentifying(facts_.viewer.role)) {
      if (!records_) {
        RR_ASSIGN_OR_RETURN(auto q, db_.Prepare("SELECT r.agency_code, r.record_class FROM mention_person mp "
                                                "JOIN person_mention m ON m.id = mp.mention_id "
                                                "JOIN source_record r ON r.id = m.source_record_id "
                                                "WHERE mp.person_id = ?1"));
        records_.emplace(std::move(q));
      }
      records_->Reset();
      records_->Bind(1, person_id);
      while (true) {
        RR_ASSIGN_OR_RETURN(bool row, records_->Step());
        if (!row) break;
        const RecordAccess a = facts_.Decide(person_id, records_->TextView(0), records_->TextView(1));
        if (a != RecordAccess::kHidden) basis.insert(std::string(ToString(a)));
      }
      records_->Reset();
    }
    return cache_.emplace(person_id, std::vector<std::string>(basis.begin(), basis.end())).first->second;
  }

 private:
  SqliteDb& db_;
  const ViewerFacts& facts_;
  std::optional<SqliteStatement> records_;
  std::unordered_map<int64_t, std::vector<std::string>> cache_;
};

std::string EscapeLike(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// The latest network run, or 0 before the first.
Result<int64_t> LatestNetworkRun(SqliteDb& db) {
  RR_ASSIGN_OR_RETURN(auto q, db.Prepare("SELECT id FROM network_run ORDER BY id DESC LIMIT 1"));
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? q.Int(0) : int64_t{0};
}

constexpr const char* kPlaceOfConcernSelect =
    "SELECT s.place_id, s.children_at_risk, s.persons_of_concern, s.events, s.score, s.of_concern, s.reasons_json, "
    "p.name, p.type, p.postcode, p.district, p.lat, p.lon FROM place_score s "
    "JOIN place p ON p.id = s.place_id AND p.active = 1 WHERE s.run_id = ?1 AND s.of_concern = 1 ";

PlaceOfConcern PlaceOfConcernFromRow(const SqliteStatement& q) {
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
  p.lat = q.OptReal(11);
  p.lon = q.OptReal(12);
  return out;
}

// The normalised identifiers of one mention, compared pairwise for a link's evidence.
struct MentionFields {
  std::string forename, surname, sex, postcode, nhs_number, upn;
  std::optional<int64_t> dob;
};

std::vector<std::pair<std::string, std::string>> CompareFields(const MentionFields& a, const MentionFields& b) {
  std::vector<std::pair<std::string, std::string>> out;
  auto text = [&](const char* field, const std::string& x, const std::string& y) {
    const bool missing = x.empty() || y.empty() || x == "unknown" || y == "unknown";
    out.emplace_back(field, missing ? "missing" : AsciiLower(x) == AsciiLower(y) ? "agree" : "disagree");
  };
  text("forename", a.forename, b.forename);
  text("surname", a.surname, b.surname);
  out.emplace_back("dob", !a.dob || !b.dob ? "missing" : *a.dob == *b.dob ? "agree" : "disagree");
  text("sex", a.sex, b.sex);
  text("postcode", a.postcode, b.postcode);
  text("nhs_number", a.nhs_number, b.nhs_number);
  text("upn", a.upn, b.upn);
  return out;
}

}  // namespace

Result<PersonSearchResult> SqliteStore::SearchPeople(const PersonQuery& query, const Viewer& viewer, int64_t now_s,
                                                     const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(const ViewerFacts facts, LoadViewerFacts(*db_, viewer, now_s));
  PersonSearchResult out;
  if (MaySeeIdentifying(viewer.role)) {
    // Every matching person with each of their records; people are grouped (ordered by id) and kept only when
    // some record is visible, so neither the page nor the total ever counts a person the viewer may not see.
    RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(std::string("SELECT ") + kPersonColumns +
                                             ", r.agency_code, r.record_class FROM person p "
                                             "JOIN mention_person mp ON mp.person_id = p.id "
                                             "JOIN person_mention m ON m.id = mp.mention_id "
                                             "JOIN source_record r ON r.id = m.source_record_id "
                                             "WHERE p.active = 1 AND (?1 = '' OR p.display_name LIKE ?2 ESCAPE '\\') "
                                             "AND (?3 = '' OR (?3 = 'child' AND p.is_child = 1) "
                                             "OR (?3 = 'person_of_concern' AND p.person_of_concern = 1) "
                                             "OR (?3 = 'adult' AND p.is_child = 0)) ORDER BY p.id"));
    q.Bind(1, query.name).Bind(2, "%" + EscapeLike(query.name) + "%").Bind(3, query.role);
    std::optional<Person> current;
    std::set<std::string> basis;
    auto finish = [&] {
      if (current && !basis.empty()) {
        if (out.total >= query.offset && out.total < query.offset + query.limit) {
          out.people.push_back({std::move(*current), std::vector<std::string>(basis.begin(), basis.end())});
        }
        ++out.total;
      }
      current.reset();
      basis.clear();
    };
    while (true) {
      RR_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      const int64_t id = q.Int(0);
      if (!current || current->id != id) {
        finish();
        current = PersonFromRow(q, 0);
      }
      const RecordAccess a = facts.Decide(id, q.TextView(8), q.TextView(9));
      if (a != RecordAccess::kHidden) basis.insert(std::string(ToString(a)));
    }
    finish();
  }
  // The audit keeps a hash of the query, not the name typed: the IG lead can check a suspected search by
  // hashing the name, while the log itself does not become a list of searched names.
  RR_RETURN_IF_ERROR(
      AppendAuditLocked(MakeAudit(actor, "search_people", "people",
                                  {{"query_hash", query.name.empty() ? std::string() : HashHex(AsciiLower(query.name))},
                                   {"query_length", query.name.size()},
                                   {"role", query.role},
                                   {"limit", query.limit},
                                   {"offset", query.offset},
                                   {"results", out.total},
                                   {"returned", out.people.size()}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return out;
}

Result<PersonView> SqliteStore::ReadPersonView(int64_t person_id, const Viewer& viewer, int64_t now_s,
                                               const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  const std::string target = "person:" + std::to_string(person_id);
  // Missing and refused end the same way for the caller; the audit log tells them apart for IG review.
  auto refuse = [&](const char* outcome) -> Status {
    RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "read_person", target, json::object(), outcome)));
    RR_RETURN_IF_ERROR(txn.Commit());
    return Status::NotFound("no such person");
  };
  PersonView view;
  {
    RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(std::string("SELECT ") + kPersonColumns +
                                             " FROM person p WHERE p.id = ?1 AND p.active = 1"));
    q.Bind(1, person_id);
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return refuse("not_found");
    view.person = PersonFromRow(q, 0);
  }
  RR_ASSIGN_OR_RETURN(const ViewerFacts facts, LoadViewerFacts(*db_, viewer, now_s));
  std::vector<MentionFields> fields;
  std::set<std::string> basis;
  {
    RR_ASSIGN_OR_RETURN(
        auto q,
        db_->Prepare("SELECT m.id, r.id, r.agency_code, r.local_id, r.record_class, m.slot, m.role, "
                     "m.forename, m.surname, m.dob, m.sex, m.postcode, m.nhs_number, m.upn "
                     "FROM mention_person mp JOIN person_mention m ON m.id = mp.mention_id "
                     "JOIN source_record r ON r.id = m.source_record_id WHERE mp.person_id = ?1 ORDER BY m.id"));
    q.Bind(1, person_id);
    while (true) {
      RR_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      const RecordAccess a = facts.Decide(person_id, q.TextView(2), q.TextView(4));
      if (a == RecordAccess::kHidden) continue;
      basis.insert(std::string(ToString(a)));
      view.records.push_back(
          {q.Int(0), q.Int(1), q.Text(2), q.Text(3), q.Text(4), q.Text(5), q.Text(6), std::string(ToString(a))});
      fields.push_back({q.Text(7), q.Text(8), q.Text(10), q.Text(11), q.Text(12), q.Text(13), q.OptInt(9)});
    }
  }
  if (view.records.empty()) return refuse("refused");
  // Scored pairs the review queue holds for two of this person's mentions.
  std::map<std::pair<int64_t, int64_t>, LinkEvidence> reviewed;
  {
    RR_ASSIGN_OR_RETURN(
        auto q,
        db_->Prepare("SELECT left_mention_id, right_mention_id, match_weight, match_probability, status, reason, "
                     "decided_by, COALESCE(decided_at, '') FROM link_review "
                     "WHERE left_mention_id IN (SELECT mention_id FROM mention_person WHERE person_id = ?1) "
                     "AND right_mention_id IN (SELECT mention_id FROM mention_person WHERE person_id = ?1)"));
    q.Bind(1, person_id);
    while (true) {
      RR_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      LinkEvidence e;
      e.source = "review";
      e.match_weight = q.Real(2);
      e.match_probability = q.Real(3);
      e.review_status = q.Text(4);
      e.review_reason = q.Text(5);
      e.decided_by = q.Text(6);
      e.decided_at = q.Text(7);
      reviewed[{std::min(q.Int(0), q.Int(1)), std::max(q.Int(0), q.Int(1))}] = std::move(e);
    }
  }
  for (size_t i = 0; i < view.records.size() && !view.links_truncated; ++i) {
    for (size_t j = i + 1; j < view.records.size(); ++j) {
      if (view.links.size() >= kMaxPersonLinkPairs) {
        view.links_truncated = true;
        break;
      }
      const int64_t left = view.records[i].mention_id, right = view.records[j].mention_id;  // left < right
      LinkEvidence e;
      auto it = reviewed.find({left, right});
      if (it != reviewed.end()) {
        e = it->second;
      } else {
        e.source = "cluster";
      }
      e.left_mention_id = left;
      e.right_mention_id = right;
      e.fields = CompareFields(fields[i], fields[j]);
      view.links.push_back(std::move(e));
    }
  }
  view.access_basis.assign(basis.begin(), basis.end());
  RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(
      actor, "read_person", target,
      {{"basis", view.access_basis}, {"records_shown", view.records.size()}, {"links_shown", view.links.size()}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return view;
}

Result<std::vector<PlaceOfConcern>> SqliteStore::ReadPlacesOfConcern(const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(const int64_t run, LatestNetworkRun(*db_));
  std::vector<PlaceOfConcern> out;
  {
    RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(std::string(kPlaceOfConcernSelect) + "ORDER BY s.score DESC, s.place_id"));
    q.Bind(1, run);
    while (true) {
      RR_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      out.push_back(PlaceOfConcernFromRow(q));
    }
  }
  RR_RETURN_IF_ERROR(
      AppendAuditLocked(MakeAudit(actor, "list_places", "places", {{"network_run", run}, {"places", out.size()}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return out;
}

Result<PlaceView> SqliteStore::ReadPlaceView(int64_t place_id, const Viewer& viewer, int64_t now_s,
                                             const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  const std::string target = "place:" + std::to_string(place_id);
  RR_ASSIGN_OR_RETURN(const int64_t run, LatestNetworkRun(*db_));
  PlaceView view;
  {
    RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(std::string(kPlaceOfConcernSelect) + "AND s.place_id = ?2"));
    q.Bind(1, run).Bind(2, place_id);
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) {
      // A place that is not of concern answers like a missing one.
      RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "read_place", target, json::object(), "not_found")));
      RR_RETURN_IF_ERROR(txn.Commit());
      return Status::NotFound("no such place");
    }
    view.place = PlaceOfConcernFromRow(q);
  }
  RR_ASSIGN_OR_RETURN(const ViewerFacts facts, LoadViewerFacts(*db_, viewer, now_s));
  if (MaySeeIdentifying(viewer.role)) {
    // People are listed through the records that put them at the place, each judged as one of that person's
    // records: a record the viewer may not see names nobody.
    RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT r.agency_code, r.record_class, COALESCE(sp.person_id, 0), "
                                             "COALESCE(ap.person_id, 0) FROM place_mention_place pmp "
                                             "JOIN event e ON e.place_mention_id = pmp.place_mention_id "
                                             "JOIN source_record r ON r.id = e.source_record_id "
                                             "LEFT JOIN mention_person sp ON sp.mention_id = e.subject_mention_id "
                                             "LEFT JOIN mention_person ap ON ap.mention_id = e.associate_mention_id "
                                             "WHERE pmp.place_id = ?1 ORDER BY e.id"));
    q.Bind(1, place_id);
    std::map<int64_t, std::pair<int64_t, std::set<std::string>>> seen;  // person -> visible events, basis
    while (true) {
      RR_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      for (int col : {2, 3}) {
        const int64_t person = q.Int(col);
        if (person == 0) continue;
        const RecordAccess a = facts.Decide(person, q.TextView(0), q.TextView(1));
        if (a == RecordAccess::kHidden) continue;
        auto& entry = seen[person];
        ++entry.first;
        entry.second.insert(std::string(ToString(a)));
      }
    }
    RR_ASSIGN_OR_RETURN(auto p, db_->Prepare("SELECT display_name, is_child, person_of_concern FROM person "
                                             "WHERE id = ?1 AND active = 1"));
    for (const auto& [person, entry] : seen) {
      p.Reset();
      p.Bind(1, person);
      RR_ASSIGN_OR_RETURN(bool row, p.Step());
      if (!row) continue;
      view.people.push_back({person, p.Text(0), p.Int(1) != 0, p.Int(2) != 0, entry.first,
                             std::vector<std::string>(entry.second.begin(), entry.second.end())});
    }
  }
  RR_RETURN_IF_ERROR(AppendAuditLocked(
      MakeAudit(actor, "read_place", target, {{"network_run", run}, {"people_shown", view.people.size()}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return view;
}

Result<std::vector<NetworkSummary>> SqliteStore::ReadNetworks(const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(const int64_t run, LatestNetworkRun(*db_));
  std::vector<NetworkSummary> out;
  {
    RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT network_id, SUM(kind = 'offender'), SUM(kind = 'child'), "
                                             "SUM(kind = 'place') FROM network_member WHERE run_id = ?1 "
                                             "GROUP BY network_id ORDER BY network_id"));
    q.Bind(1, run);
    while (true) {
      RR_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      out.push_back({static_cast<int32_t>(q.Int(0)), q.Int(1), q.Int(2), q.Int(3)});
    }
  }
  RR_RETURN_IF_ERROR(AppendAuditLocked(
      MakeAudit(actor, "list_networks", "networks", {{"network_run", run}, {"networks", out.size()}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return out;
}

Result<NetworkView> SqliteStore::ReadNetworkView(int64_t network_id, const Viewer& viewer, int64_t now_s,
                                                 const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  const std::string target = "network:" + std::to_string(network_id);
  RR_ASSIGN_OR_RETURN(const int64_t run, LatestNetworkRun(*db_));
  std::vector<std::pair<std::string, int64_t>> entities;
  {
    RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT kind, entity_id FROM network_member WHERE run_id = ?1 AND "
                                             "network_id = ?2 ORDER BY kind, entity_id"));
    q.Bind(1, run).Bind(2, network_id);
    while (true) {
      RR_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      entities.emplace_back(q.Text(0), q.Int(1));
    }
  }
  if (entities.empty()) {
    RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "read_network", target, json::object(), "not_found")));
    RR_RETURN_IF_ERROR(txn.Commit());
    return Status::NotFound("no such network");
  }
  RR_ASSIGN_OR_RETURN(const ViewerFacts facts, LoadViewerFacts(*db_, viewer, now_s));
  PersonVisibility visibility(*db_, facts);
  NetworkView view;
  view.summary.id = static_cast<int32_t>(network_id);
  RR_ASSIGN_OR_RETURN(auto person, db_->Prepare("SELECT display_name FROM person WHERE id = ?1 AND active = 1"));
  RR_ASSIGN_OR_RETURN(auto place, db_->Prepare("SELECT id, name, type, postcode, district, lat, lon FROM place "
                                               "WHERE id = ?1 AND active = 1"));
  for (const auto& [kind, id] : entities) {
    if (kind == "place") {
      ++view.summary.places;
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
      p.lat = place.OptReal(5);
      p.lon = place.OptReal(6);
      view.places.push_back(std::move(p));
      continue;
    }
    ++(kind == "offender" ? view.summary.offenders : view.summary.children);
    RR_ASSIGN_OR_RETURN(const auto basis, visibility.Basis(id));
    if (basis.empty()) continue;
    person.Reset();
    person.Bind(1, id);
    RR_ASSIGN_OR_RETURN(bool row, person.Step());
    if (!row) continue;
    view.members.push_back({id, person.Text(0), kind});
  }
  RR_RETURN_IF_ERROR(AppendAuditLocked(
      MakeAudit(actor, "read_network", target, {{"network_run", run}, {"members_shown", view.members.size()}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return view;
}

Result<std::vector<AuditEvent>> SqliteStore::ReadAuditEvents(const AuditQuery& query, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  std::vector<AuditEvent> out;
  {
    RR_ASSIGN_OR_RETURN(
        auto q,
        db_->Prepare("SELECT seq, at_utc, user_name, agency, role, purpose, action, target, outcome, details, "
                     "leaf_hash FROM audit_event WHERE (?1 = '' OR user_name = ?1) AND (?2 = '' OR action = ?2) "
                     "AND (?3 = '' OR at_utc >= ?3) AND (?4 = '' OR at_utc <= ?4) AND (?5 = 0 OR seq < ?5) "
                     "AND (?7 = '' OR agency = ?7 OR (target LIKE 'person:%' AND CAST(substr(target, 8) AS INTEGER) "
                     "IN (SELECT mp.person_id FROM mention_person mp JOIN person_mention m ON m.id = mp.mention_id "
                     "JOIN source_record r ON r.id = m.source_record_id WHERE r.agency_code = ?7))) "
                     "ORDER BY seq DESC LIMIT ?6"));
    q.Bind(1, query.user)
        .Bind(2, query.action)
        .Bind(3, query.from)
        .Bind(4, query.to)
        .Bind(5, query.before)
        .Bind(6, query.limit)
        .Bind(7, query.agency);
    while (true) {
      RR_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      AuditEvent e = AuditEventFromRow(q);
      e.leaf_hash = q.Text(10);
      out.push_back(std::move(e));
    }
  }
  RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "read_audit", "audit_log",
                                                 {{"user", query.user},
                                                  {"action", query.action},
                                                  {"from", query.from},
                                                  {"to", query.to},
                                                  {"before", query.before},
                                                  {"limit", query.limit},
                                                  {"scope", query.agency.empty() ? "partnership" : query.agency},
                                                  {"events", out.size()}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return out;
}

Result<AuditCheckpointList> SqliteStore::ReadAuditCheckpoints(const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  AuditCheckpointList out;
  RR_ASSIGN_OR_RETURN(out.kept, ListAuditCheckpoints());
  {
    RR_ASSIGN_OR_RETURN(
        auto q,
        db_->Prepare("SELECT tree_size, root_hash, signed_at, public_key, signature FROM audit_tree WHERE id = 1"));
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) out.head = AuditCheckpoint{q.Int(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4)};
  }
  RR_RETURN_IF_ERROR(
      AppendAuditLocked(MakeAudit(actor, "read_audit_checkpoints", "audit_log", {{"checkpoints", out.kept.size()}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return out;
}

namespace {

Result<int64_t> AuditLogSize(SqliteDb& db) {
  RR_ASSIGN_OR_RETURN(auto q, db.Prepare("SELECT COALESCE(MAX(seq), 0) FROM audit_event"));
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? q.Int(0) : int64_t{0};
}

}  // namespace

Result<AuditProof> SqliteStore::ReadAuditInclusionProof(int64_t seq, int64_t tree_size, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(const int64_t size, AuditLogSize(*db_));
  if (tree_size == 0) tree_size = size;
  if (seq < 1 || tree_size < seq || tree_size > size) {
    return Status::InvalidArgument("need 1 <= seq <= size <= " + std::to_string(size) + " (the log's size)");
  }
  RR_ASSIGN_OR_RETURN(AuditProof proof, AuditInclusionProof(seq, tree_size));
  RR_RETURN_IF_ERROR(AppendAuditLocked(
      MakeAudit(actor, "audit_proof", "audit_log", {{"kind", "inclusion"}, {"seq", seq}, {"size", tree_size}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return proof;
}

Result<AuditProof> SqliteStore::ReadAuditConsistencyProof(int64_t old_size, int64_t new_size, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(const int64_t size, AuditLogSize(*db_));
  if (new_size == 0) new_size = size;
  if (old_size < 1 || new_size < old_size || new_size > size) {
    return Status::InvalidArgument("need 1 <= old <= new <= " + std::to_string(size) + " (the log's size)");
  }
  RR_ASSIGN_OR_RETURN(AuditProof proof, AuditConsistencyProof(old_size, new_size));
  RR_RETURN_IF_ERROR(AppendAuditLocked(
      MakeAudit(actor, "audit_proof", "audit_log", {{"kind", "consistency"}, {"old", old_size}, {"new", new_size}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return proof;
}

}  // namespace riskradar::store
