// The server fixture with what the directory endpoints read: more people, records from every agency, places,
// networks, a reviewed link, imports with quarantined rows. On top of ServerFixture's seed:
//
//   person 1 Amy   child   wmp x3 (two base rows + a sighting with Carl at the hotel)   every user related
//   person 2 Bea   child   wmp                                                          nobody related
//   person 3 Carl  adult, person of concern: wmp (intelligence at the hotel, the sighting's associate),
//                  nhs (attendance at the park)                                          nobody related
//   person 4 Dee   child   bcc child_protection (referral at the takeaway) + bcc education   every user related
//   person 5 Eve   child   nhs (attendance at the hotel)                                nobody related
//
//   agreements: wmp -> bcc for every class (ServerFixture); bcc -> wmp for child_protection only.
//   places: 1 hotel (of concern, B1 1AA, with its own exact coordinates), 2 takeaway (of concern, B1 9ZZ: a
//           postcode sector of a single postcode),
//           3 park (scored, not of concern).
//   networks: 1 = offender 3, children 1 and 2, place 1; 2 = child 4, place 2.
//   graph edges: Amy-Carl, Bea-Carl, Amy and Carl at the hotel, Dee at the takeaway; Carl's priority 12.5 (hub).
//   imports: 1 wmp (ServerFixture), 2 wmp (2 quarantined rows), 3 bcc (1 quarantined row), 4 nhs.
//   review: Amy's two base mentions, confirmed with a weight.
//
// With with_hidden_identity_ (the field-level need-to-know suite) also:
//   person 6 Fay   child   wmp sighting at the hotel (Sight6) that names no one (no name, no date of birth) +
//                  bcc child_protection referral (Ref6) naming "Fay Hidden", born 2011-02-03   nobody related
//                  in network 1; her two mentions are a pending review pair.
#pragma once

#include "riskradar/access/audited_access.h"
#include "server_fixture.h"

namespace riskradar::server {
inline namespace directory_fixture {  // inline: named for unity builds, used unqualified

class DirectoryFixture : public ServerFixture {
 protected:
  // The hotel's own coordinates as stored (a point in postcode sector B1 1, not its centroid).
  static constexpr double kHotelExactLat = 52.47791, kHotelExactLon = -1.90102;

  static void SetUpTestSuite() {
    ServerFixture::SetUpTestSuite();
    SeedDirectory();
  }

  struct Row {
    const char* local_id;
    const char* record_class;
    const char* forename;
    const char* surname;
    PersonRole role;
    const char* associate;  // forename, or nullptr
    const char* place;      // place name, or nullptr
    EventKind kind;
  };

  static void AddBatch(const std::string& agency, const std::string& file, const std::string& record_class,
                       const std::vector<Row>& rows, const std::vector<std::string>& quarantined) {
    auto writer = store_->BeginBatch({agency, file, "hash-" + file, "fmt", record_class, "test"});
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    int line = 2;
    for (const Row& row : rows) {
      store::ParsedRow r;
      r.record.agency_code = agency;
      r.record.local_id = row.local_id;
      r.record.line = line++;
      r.record.raw_json = "{}";
      r.record.content_hash = std::string(row.local_id) + agency;
      r.record.record_class = row.record_class;
      r.record.lawful_basis = "test";
      r.subject.forename = row.forename;
      r.subject.surname = row.surname;
      r.subject.local_person_id = row.forename;
      r.subject.role = row.role;
      r.subject.postcode = "B1 1AA";
      if (auto dob = dob_of_.find(row.local_id); dob != dob_of_.end()) r.subject.dob = dob->second;
      if (auto sex = sex_of_.find(row.local_id); sex != sex_of_.end()) r.subject.sex = sex->second;
      if (row.associate) {
        PersonMention a;
        a.forename = row.associate;
        a.surname = "Offender";
        a.local_person_id = row.associate;
        a.role = PersonRole::kPersonOfConcern;
        r.associate = a;
      }
      if (row.place) {
        PlaceMention p;
        p.name = row.place;
        p.type = std::string(row.place).find("Hotel") != std::string::npos      ? PlaceType::kHotel
                 : std::string(row.place).find("Takeaway") != std::string::npos ? PlaceType::kTakeaway
                                                                                : PlaceType::kPark;
        p.postcode = "B1 1AA";
        r.place = p;
      }
      r.event.kind = row.kind;
      r.event.category = "synthetic";
      r.event.date = *Date::FromYmd(2025, 5, line);
      r.event.detail = "synthetic detail";
      ASSERT_TRUE((*writer)->AddRow(r).ok());
    }
    for (const std::string& raw : quarantined) {
      store::QuarantinedRow q;
      q.file = file;
      q.line = line++;
      q.column = "dob";
      q.value = "31/02/2010";
      q.reason = "not a date";
      q.raw = raw;
      ASSERT_TRUE((*writer)->AddQuarantine(q).ok());
    }
    const auto n = static_cast<int64_t>(rows.size()), nq = static_cast<int64_t>(quarantined.size());
    ASSERT_TRUE((*writer)->Commit({n + nq, n, 0, nq}, store::Actor{}).ok());
  }

  static void SeedDirectory() {
    const auto kChild = PersonRole::kChild, kConcern = PersonRole::kPersonOfConcern, kAdult = PersonRole::kAdult;
    AddBatch("wmp", "/home/analyst/extracts/wmp-2.csv", "police_intelligence",
             {{"Carl1", "police_intelligence", "Carl", "Offender", kConcern, nullptr, "Synthetic Hotel",
               EventKind::kIntelligence},
              {"Sight1", "police_intelligence", "Amy", "Synthetic", kChild, "Carl", "Synthetic Hotel",
               EventKind::kSighting}},
             {"Zed,Quarantined,31/02/2010", "Yan,Quarantined,31/02/2010"});
    AddBatch(
        "bcc", "bcc-1.csv", "child_protection",
        {{"Dee1", "child_protection", "Dee", "Council", kChild, nullptr, "Synthetic Takeaway", EventKind::kReferral},
         {"Dee2", "education", "Dee", "Council", kChild, nullptr, nullptr, EventKind::kSchoolExclusion}},
        {"Xia,Quarantined,31/02/2010"});
    AddBatch("nhs", "nhs-1.csv", "health",
             {{"Eve1", "health", "Eve", "Health", kChild, nullptr, "Synthetic Hotel", EventKind::kHealthAttendance},
              {"Carl2", "health", "Carl", "Offender", kAdult, nullptr, "Quiet Park", EventKind::kHealthAttendance}},
             {});

    if (with_hidden_identity_) {
      dob_of_["Ref6"] = *Date::FromYmd(2011, 2, 3);
      sex_of_["Ref6"] = Sex::kFemale;
      AddBatch("wmp", "wmp-3.csv", "police_intelligence",
               {{"Sight6", "police_intelligence", "", "", kChild, nullptr, "Synthetic Hotel", EventKind::kSighting}},
               {});
      AddBatch("bcc", "bcc-2.csv", "child_protection",
               {{"Ref6", "child_protection", "Fay", "Hidden", kChild, nullptr, nullptr, EventKind::kReferral}}, {});
    }
    const std::map<std::string, int64_t> person_of = {{"Amy", 1}, {"Bea", 2}, {"Carl", 3}, {"Dee", 4},
                                                      {"Eve", 5}, {"Fay", 6}, {"", 6}};
    const std::map<std::string, int64_t> place_of = {
        {"Synthetic Hotel", 1}, {"Synthetic Takeaway", 2}, {"Quiet Park", 3}};
    auto mentions = store_->LoadPersonMentions();
    ASSERT_TRUE(mentions.ok());
    auto place_mentions = store_->LoadPlaceMentions();
    ASSERT_TRUE(place_mentions.ok());
    store::LinkageOutput out;
    const std::vector<std::tuple<int64_t, const char*, bool, bool>> people = {{1, "Amy Synthetic", true, false},
                                                                              {2, "Bea Synthetic", true, false},
                                                                              {3, "Carl Offender", false, true},
                                                                              {4, "Dee Council", true, false},
                                                                              {5, "Eve Health", true, false}};
    for (const auto& [id, name, child, concern] : people) {
      Person p;
      p.id = id;
      p.display_name = name;
      p.is_child = child;
      p.person_of_concern = concern;
      p.district = "Birmingham";
      p.dob = child ? Date::FromYmd(2010, 5, 1) : Date::FromYmd(1990, 1, 1);
      out.persons.push_back(p);
    }
    if (with_hidden_identity_) {
      Person fay;  // as linkage derives it from both mentions: the name and birth date only the council holds
      fay.id = 6;
      fay.display_name = "Fay Hidden";
      fay.dob = Date::FromYmd(2011, 2, 3);
      fay.sex = Sex::kFemale;
      fay.district = "Birmingham";
      fay.is_child = true;
      out.persons.push_back(fay);
    }
    std::vector<int64_t> amy_mentions, fay_mentions;
    for (const auto& m : *mentions) {
      out.mention_person.push_back({m.mention.id, person_of.at(m.mention.forename)});
      if (m.mention.forename == "Amy") amy_mentions.push_back(m.mention.id);
      if (person_of.at(m.mention.forename) == 6) fay_mentions.push_back(m.mention.id);
    }
    for (const auto& [name, id] : place_of) {
      Place p;
      p.id = id;
      p.name = name;
      p.type = id == 1 ? PlaceType::kHotel : id == 2 ? PlaceType::kTakeaway : PlaceType::kPark;
      // The hotel has its own (exact) coordinates; the API shows its postcode sector's centroid instead.
      p.postcode = id == 2 ? "B1 9ZZ" : "B1 1AA";
      p.district = "Birmingham";
      if (id == 1) {
        p.lat = kHotelExactLat;
        p.lon = kHotelExactLon;
      }
      out.places.push_back(p);
    }
    for (const auto& pm : *place_mentions)
      out.place_mention_place.push_back({pm.mention.id, place_of.at(pm.mention.name)});
    ASSERT_GE(amy_mentions.size(), 3u);
    store::ReviewItem review;
    review.left_mention_id = amy_mentions[0];
    review.right_mention_id = amy_mentions[1];
    review.match_weight = 12.5;
    review.match_probability = 0.9998;
    out.review.push_back(review);
    if (with_hidden_identity_) {
      ASSERT_EQ(fay_mentions.size(), 2u);
      store::ReviewItem fay_pair;
      fay_pair.left_mention_id = fay_mentions[0];
      fay_pair.right_mention_id = fay_mentions[1];
      fay_pair.match_weight = 3.5;
      fay_pair.match_probability = 0.6;
      out.review.push_back(fay_pair);
    }
    ASSERT_TRUE(store_->SaveLinkage(out, store::Actor{}).ok());
    store::ReviewDecisionRequest confirm;
    confirm.left_mention_id = review.left_mention_id;
    confirm.right_mention_id = review.right_mention_id;
    confirm.status = "confirmed";
    confirm.reason = "same synthetic NHS number";
    ASSERT_TRUE(access::AuditedAccess(*store_)
                    .DecideReviewPair(confirm, store::Actor{"reviewer", "wmp", "analyst", "review"})
                    .ok());
    amy_review_ = {amy_mentions[0], amy_mentions[1]};

    store::NetworkOutput net;
    net.networks = {{1, {3}, {1, 2}, {1}}, {2, {}, {4}, {2}}};
    if (with_hidden_identity_) net.networks[0].children.push_back(6);
    net.places = {
        {1, 2, 1, 3, 9.5, true, {"2 children on the radar seen here (+4)", "3 events recorded here (+1.5)"}, {}},
        {2, 1, 0, 1, 4.0, true, {"1 child on the radar seen here (+2)"}, {}},
        {3, 0, 1, 1, 1.0, false, {"1 person of concern seen here (+1)"}, {}}};
    net.places[0].profile.by_weekday[4] = 2;  // two Friday occasions at the hotel, one of them at 21:00
    net.places[0].profile.by_hour[21] = 1;
    net.places[0].profile.occasions = 3;
    net.places[0].profile.timed = 1;
    net.places[0].profile.last_quarter = 2;
    net.places[0].profile.previous_quarter = 0;
    net.places[0].profile.trend = "emerging";
    // The graph's edges (the ego-network suite): Amy and Bea seen with Carl, Carl and Amy at the hotel, Dee at
    // the takeaway; Carl's priority.
    const Date d1 = *Date::FromYmd(2025, 3, 7), d2 = *Date::FromYmd(2025, 9, 12);
    net.edges = {{"child_adult", 1, 3, 2, 2, d1, d2},
                 {"child_adult", 2, 3, 1, 1, d2, d2},
                 {"person_place", 1, 1, 1, 1, d2, d2},
                 {"person_place", 3, 1, 2, 2, d1, d2},
                 {"person_place", 4, 2, 1, 1, d1, d1}};
    store::PersonPriority carl;
    carl.person_id = 3;
    carl.network_id = 1;
    carl.role = "hub";
    carl.priority = 12.5;
    carl.suspected_offender = true;
    carl.children_linked = 2;
    carl.reasons = {"2 children on the radar linked (+6)"};
    net.persons = {carl};
    ASSERT_TRUE(store_->SaveNetworks(net, store::Actor{}).ok());

    for (const auto& [name, secret] : secrets_) {  // every account ServerFixture made
      auto u = store_->FindUser(name);
      ASSERT_TRUE(u.ok() && u->has_value()) << name;
      ASSERT_TRUE(store_->AddCareRelationship({(*u)->id, 4, "mase_listing"}, store::Actor{}).ok());
    }
    store::SharingAgreement a;
    a.provider_agency = "bcc";
    a.recipient_agency = "wmp";
    a.data_class = "child_protection";
    a.purpose = "CSE safeguarding";
    a.lawful_basis = "Children Act 2004 s.11";
    ASSERT_TRUE(store_->AddSharingAgreement(a, store::Actor{}).ok());
    ASSERT_TRUE(store_->SignAuditCheckpoint().ok());
  }

  static int64_t AuditRows() {
    sqlite3* db = nullptr;
    sqlite3_open(db_.c_str(), &db);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM audit_event", -1, &q, nullptr);
    sqlite3_step(q);
    const int64_t n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
  }

  static std::string UserName(const std::string& agency, Role role) {
    return agency + "-" + std::string(ToString(role));
  }

  static inline std::pair<int64_t, int64_t> amy_review_;
  static inline bool with_hidden_identity_ = false;   // seed person 6 (see the top of this file)
  static inline std::map<std::string, Date> dob_of_;  // date of birth of a row's subject, by local id
  static inline std::map<std::string, Sex> sex_of_;   // sex of a row's subject, by local id
};

}  // namespace directory_fixture
}  // namespace riskradar::server
