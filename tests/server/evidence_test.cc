// Issue 12 item 2 against the running server: each indicator of a child's assessment lists the events behind
// it that the caller may see, and never an event of an agency whose records the caller may not see.
#include <set>

#include "server_fixture.h"

namespace riskradar::server {
namespace evidence_test {

class EvidenceTest : public ServerFixture {
 protected:
  // The shared seed (child 1, Amy: two police records), then one children's services (bcc) record of Amy and
  // a newer assessment whose indicators cite police evidence, council evidence and both. The council sees
  // police records under the wmp -> bcc agreement; the police see no council record.
  static void SetUpTestSuite() {
    ServerFixture::SetUpTestSuite();
    auto writer = store_->BeginBatch({"bcc", "cs.csv", "h2", "fmt", "childrens_social_care", "test"});
    ASSERT_TRUE(writer.ok());
    store::ParsedRow r;
    r.record.agency_code = "bcc";
    r.record.local_id = "CS-0042";
    r.record.line = 2;
    r.record.raw_json = "{}";
    r.record.content_hash = "CS-0042";
    r.record.record_class = "childrens_social_care";
    r.record.lawful_basis = "test";
    r.subject.forename = "Amy";
    r.subject.surname = "Synthetic";
    r.subject.local_person_id = "amy-cs";
    r.event.kind = EventKind::kReferral;
    r.event.category = "cse_concern";
    r.event.date = *Date::FromYmd(2025, 2, 14);
    r.event.detail = "synthetic referral";
    ASSERT_TRUE((*writer)->AddRow(r).ok());
    ASSERT_TRUE((*writer)->Commit({1, 1, 0, 0}, store::Actor{}).ok());
    auto out = ChildrenLinkage();
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_TRUE(store_->SaveLinkage(*out, store::Actor{}).ok());
    auto record = store_->ReadChildRecord(1);
    ASSERT_TRUE(record.ok() && record->has_value());
    for (const auto& e : (*record)->events) (e.agency_code == "bcc" ? council_ : police_).push_back(e.event_id);
    ASSERT_EQ(police_.size(), 2u);
    ASSERT_EQ(council_.size(), 1u);
    Assessment a;
    a.person_id = 1;
    a.as_of = *Date::FromYmd(2025, 5, 1);
    a.level = RiskLevel::kSignificant;
    a.score = 18;
    a.model_version = "test";
    a.indicators = {{"repeat_missing", "significant", "Repeatedly missing", true, 5, police_},
                    {"cse_concern", "risk", "Concern of sexual exploitation", true, 3, council_},
                    {"both", "risk", "Evidenced by both agencies", false, 1, {police_[0], council_[0]}}};
    a.explanation = {"Score 18 points: band 16 to under 25 points gives significant"};
    ASSERT_TRUE(store_->SaveAssessments({a}, store::Actor{}).ok());
  }

  json ChildAs(const std::string& user) {
    auto r = Get(Login(user), "/api/children/1");
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, 200) << r->body;
    body_ = r->body;
    return json::parse(r->body);
  }
  static std::set<int64_t> EvidenceIds(const json& indicator) {
    std::set<int64_t> ids;
    for (const auto& e : indicator["evidence"]) ids.insert(e["event_id"].get<int64_t>());
    return ids;
  }

  static inline std::vector<int64_t> police_, council_;
  std::string body_;
};

TEST_F(EvidenceTest, CouncilPractitionerSeesEveryIndicatorWithItsEvidence) {
  const json v = ChildAs("bcc-practitioner");
  ASSERT_TRUE(v["explanation_complete"].get<bool>());
  const json& ind = v["assessment"]["indicators"];
  ASSERT_EQ(ind.size(), 3u);
  EXPECT_EQ(EvidenceIds(ind[0]), std::set<int64_t>(police_.begin(), police_.end()));
  EXPECT_EQ(EvidenceIds(ind[1]), std::set<int64_t>{council_[0]});
  EXPECT_EQ(EvidenceIds(ind[2]), (std::set<int64_t>{police_[0], council_[0]}));
  const json& e = ind[1]["evidence"][0];
  EXPECT_EQ(e["date"], "2025-02-14");
  EXPECT_EQ(e["kind"], "referral");
  EXPECT_EQ(e["category"], "cse_concern");
  EXPECT_EQ(e["agency"], "bcc");
  EXPECT_EQ(e["record_class"], "childrens_social_care");
  EXPECT_EQ(e["source_record"], "CS-0042");
  EXPECT_EQ(v["assessment"]["explanation"].size(), 1u);
  // The assessment's model ("test") is not the configured one: what would change is withheld with a note.
  EXPECT_TRUE(v["assessment"]["what_would_change"]["up"].is_null());
  EXPECT_NE(v["assessment"]["what_would_change"]["note"].get<std::string>().find("test"), std::string::npos);
}

TEST_F(EvidenceTest, PolicePractitionerNeverSeesTheCouncilEvent) {
  const json v = ChildAs("wmp-practitioner");
  EXPECT_FALSE(v["explanation_complete"].get<bool>());
  const json& ind = v["assessment"]["indicators"];
  ASSERT_EQ(ind.size(), 2u);  // cse_concern has only council evidence
  EXPECT_EQ(ind[0]["code"], "repeat_missing");
  EXPECT_EQ(EvidenceIds(ind[0]), std::set<int64_t>(police_.begin(), police_.end()));
  EXPECT_EQ(ind[1]["code"], "both");
  EXPECT_EQ(EvidenceIds(ind[1]), std::set<int64_t>{police_[0]});
  EXPECT_TRUE(v["assessment"]["explanation"].empty());
  EXPECT_TRUE(v["assessment"]["what_would_change"]["rules"].empty());
  // Neither the council event's id, its date nor its agency appears anywhere in the answer.
  EXPECT_EQ(body_.find("\"event_id\":" + std::to_string(council_[0])), std::string::npos);
  EXPECT_EQ(body_.find("\"id\":" + std::to_string(council_[0]) + ","), std::string::npos);
  EXPECT_EQ(body_.find("2025-02-14"), std::string::npos);
  EXPECT_EQ(body_.find("\"bcc\""), std::string::npos);
  EXPECT_EQ(body_.find("cse_concern"), std::string::npos);
  EXPECT_EQ(body_.find("CS-0042"), std::string::npos);
  EXPECT_FALSE(ind[0]["evidence"][0]["source_record"].get<std::string>().empty());
}

}  // namespace evidence_test
}  // namespace riskradar::server
