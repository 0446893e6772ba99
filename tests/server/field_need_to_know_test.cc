// Field-level need-to-know (issue 11 item 5), against the running server: Fay (person 6) is known to the police
// by a sighting that names no one, and to the council by a referral that names her and gives her date of birth.
// Every identity field shown must come from a record the viewer may see, so no viewer outside the council (and
// no council role that sees only aggregates) may learn her name, date of birth or sex from any endpoint that
// returns identity fields, for any role of any agency, while the council's practitioners still see them.
#include "directory_fixture.h"

namespace riskradar::server {
namespace field_need_to_know_test {

constexpr const char* kHiddenName = "Fay Hidden";
constexpr const char* kHiddenForename = "Fay";
constexpr const char* kHiddenDob = "2011-02-03";
constexpr int64_t kFay = 6;

class FieldNeedToKnowTest : public DirectoryFixture {
 protected:
  static void SetUpTestSuite() {
    with_hidden_identity_ = true;
    DirectoryFixture::SetUpTestSuite();
  }
  static void TearDownTestSuite() {
    DirectoryFixture::TearDownTestSuite();
    with_hidden_identity_ = false;
  }

  // Every endpoint that returns a person's identity fields, with the person on it.
  std::vector<std::string> Endpoints() {
    int64_t review_id = 0;
    sqlite3* db = nullptr;
    sqlite3_open(db_.c_str(), &db);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT lr.id FROM link_review lr JOIN mention_person mp ON mp.mention_id = lr.left_mention_id "
                       "WHERE mp.person_id = 6",
                       -1, &q, nullptr);
    if (sqlite3_step(q) == SQLITE_ROW) review_id = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    EXPECT_NE(review_id, 0) << "Fay's review pair is seeded";
    return {"/api/children/6",
            "/api/people",
            "/api/people?role=child",
            "/api/people?q=Fay",
            "/api/people?q=Hidden",
            "/api/people/6",
            "/api/places/1",
            "/api/networks/1",
            "/api/review",
            "/api/review/" + std::to_string(review_id)};
  }
};

TEST_F(FieldNeedToKnowTest, NoEndpointShowsAFieldHeldOnlyByARecordTheViewerMayNotSee) {
  const std::vector<std::string> endpoints = Endpoints();
  int checked = 0;
  for (const char* agency : {"wmp", "bcc", "nhs"}) {
    for (Role role : AllRoles()) {
      const std::string user = UserName(agency, role);
      // Only the council's identifying roles may see the council's record (nobody holds a relationship with
      // Fay, so no agreement applies).
      const bool may_see_council_record = std::string(agency) == "bcc" && MaySeeIdentifying(role);
      if (may_see_council_record) continue;
      const Session s = Login(user);
      for (const std::string& path : endpoints) {
        auto r = Get(s, path);
        ASSERT_TRUE(r) << user << " " << path;
        EXPECT_EQ(r->body.find(kHiddenForename), std::string::npos) << user << " " << path << ": " << r->body;
        EXPECT_EQ(r->body.find(kHiddenDob), std::string::npos) << user << " " << path << ": " << r->body;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 12 * static_cast<int>(endpoints.size()));  // 15 users less the council's three data roles
}

TEST_F(FieldNeedToKnowTest, ThePoliceSeeTheirOwnRecordOfFayWithTheFieldsItHolds) {
  for (Role role : {Role::kAnalyst, Role::kPractitioner, Role::kManager}) {
    const std::string user = UserName("wmp", role);
    const Session s = Login(user);
    // The person is shown (their own record is visible), with no field taken from the council's record.
    auto person = Get(s, "/api/people/6");
    ASSERT_TRUE(person);
    ASSERT_EQ(person->status, 200) << user << ": " << person->body;
    const json p = json::parse(person->body)["person"];
    EXPECT_EQ(p["id"], kFay);
    EXPECT_EQ(p["name"], "") << user;
    EXPECT_TRUE(p["dob"].is_null()) << user;
    EXPECT_EQ(p["sex"], "unknown") << user;
    EXPECT_EQ(p["district"], "Birmingham") << "the police record's own postcode gives the district";
    EXPECT_EQ(json::parse(person->body)["records"].size(), 1u);

    auto child = Get(s, "/api/children/6");
    ASSERT_TRUE(child);
    ASSERT_EQ(child->status, 200) << user << ": " << child->body;
    const json c = json::parse(child->body)["person"];
    EXPECT_EQ(c["name"], "");
    EXPECT_TRUE(c["dob"].is_null());

    // Fay is on the place and in the network through the police sighting, without a name.
    const json place = json::parse(Get(s, "/api/places/1")->body);
    bool at_place = false;
    for (const auto& who : place["people"]) {
      if (who["id"] == kFay) {
        at_place = true;
        EXPECT_EQ(who["name"], "");
      }
    }
    EXPECT_TRUE(at_place) << user << ": " << place.dump();
    const json network = json::parse(Get(s, "/api/networks/1")->body);
    bool member = false;
    for (const auto& m : network["members"]) {
      if (m["id"] == kFay) {
        member = true;
        EXPECT_EQ(m["name"], "");
      }
    }
    EXPECT_TRUE(member) << user << ": " << network.dump();

    // A search by the council's name finds nobody: a name the viewer may not see is not searchable either.
    const json found = json::parse(Get(s, "/api/people?q=Hidden")->body);
    EXPECT_EQ(found["total"], 0) << user;
  }
}

TEST_F(FieldNeedToKnowTest, TheCouncilSeesTheFieldsItsRecordHolds) {
  for (Role role : {Role::kAnalyst, Role::kPractitioner, Role::kManager}) {
    const std::string user = UserName("bcc", role);
    const Session s = Login(user);
    auto person = Get(s, "/api/people/6");
    ASSERT_TRUE(person);
    ASSERT_EQ(person->status, 200) << user << ": " << person->body;
    const json p = json::parse(person->body)["person"];
    EXPECT_EQ(p["name"], kHiddenName);
    EXPECT_EQ(p["dob"], kHiddenDob);
    EXPECT_EQ(p["sex"], "female");
    const json found = json::parse(Get(s, "/api/people?q=Hidden")->body);
    ASSERT_EQ(found["total"], 1) << user;
    EXPECT_EQ(found["people"][0]["name"], kHiddenName);
    const json child = json::parse(Get(s, "/api/children/6")->body);
    EXPECT_EQ(child["person"]["name"], kHiddenName);
    EXPECT_EQ(child["person"]["dob"], kHiddenDob);
  }
}

}  // namespace field_need_to_know_test
}  // namespace riskradar::server
