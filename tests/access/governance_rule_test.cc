// The governance rules (access/governance.h) alone, as tables: who may disable which account, end which
// agreement or relationship, see which child's relationships, read which IG scope and review which grant, and
// what each list keeps. No store: every case is a viewer, the rows or facts and what the rule must give.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "riskradar/access/governance.h"

namespace riskradar::access {
namespace governance_rule_test {

using V = GovernanceVerdict;

Viewer Who(int64_t id, const char* name, const char* agency, Role role) { return {id, name, agency, role}; }

store::User Account(int64_t id, const char* name, const char* agency, Role role = Role::kPractitioner) {
  store::User u;
  u.id = id;
  u.name = name;
  u.agency_code = agency;
  u.role = role;
  u.password_hash = "$argon2id$v=19$secret-hash";
  u.totp_secret = "JBSWY3DPEHPK3PXP";
  u.enrol_hash = "$argon2id$v=19$enrol-hash";
  return u;
}

// ---- disabling an account

struct DisableCase {
  const char* name;
  std::optional<store::User> target;
  V verdict;
};

TEST(GovernanceRule, DisableUserOnlyAnotherAccountOfTheAdministratorsOwnAgency) {
  const Viewer admin = Who(7, "wmp-admin", "wmp", Role::kAdministrator);
  const std::vector<DisableCase> cases = {
      {"no such account", std::nullopt, V::kNotFound},
      {"an account of another agency", Account(8, "bcc-prac", "bcc"), V::kRefused},
      {"another agency's administrator", Account(9, "bcc-admin", "bcc", Role::kAdministrator), V::kRefused},
      {"oneself", Account(7, "wmp-admin", "wmp", Role::kAdministrator), V::kSelf},
      {"a practitioner of the own agency", Account(10, "wmp-prac", "wmp"), V::kAllow},
      {"a second administrator of the own agency", Account(11, "wmp-admin2", "wmp", Role::kAdministrator), V::kAllow},
      {"an already disabled account of the own agency",
       [] {
         store::User u = Account(12, "wmp-old", "wmp");
         u.disabled = true;
         return u;
       }(),
       V::kAllow},
  };
  for (const DisableCase& c : cases) {
    EXPECT_EQ(DecideDisableUser(admin, c.target), c.verdict) << c.name << ": " << ToString(c.verdict);
  }
}

TEST(GovernanceRule, UsersOfAgencyKeepsThatAgencyByNameWithoutHashesOrSecrets) {
  const std::vector<store::User> rows = {Account(3, "wmp-z", "wmp"), Account(1, "bcc-a", "bcc"),
                                         Account(2, "wmp-a", "wmp", Role::kAdministrator)};
  const std::vector<store::User> wmp = UsersOfAgency(rows, "wmp");
  ASSERT_EQ(wmp.size(), 2u);
  EXPECT_EQ(wmp[0].name, "wmp-a");
  EXPECT_EQ(wmp[0].role, Role::kAdministrator);
  EXPECT_EQ(wmp[1].name, "wmp-z");
  for (const store::User& u : wmp) {
    EXPECT_EQ(u.agency_code, "wmp");
    EXPECT_TRUE(u.password_hash.empty()) << u.name;
    EXPECT_TRUE(u.totp_secret.empty()) << u.name;
    EXPECT_TRUE(u.enrol_hash.empty()) << u.name;
  }
  EXPECT_EQ(UsersOfAgency(rows, "bcc").size(), 1u);
  EXPECT_TRUE(UsersOfAgency(rows, "nhs").empty());
  const std::vector<store::User> all = UsersOfAgency(rows, "");
  ASSERT_EQ(all.size(), 3u) << "the operator's list: every account";
  EXPECT_EQ(all[0].name, "bcc-a");
  EXPECT_TRUE(all[0].password_hash.empty());
}

// ---- sharing agreements

store::SharingAgreementRecord Agreement(int64_t id, const char* provider, const char* recipient, bool ended = false) {
  store::SharingAgreementRecord r;
  r.agreement.id = id;
  r.agreement.provider_agency = provider;
  r.agreement.recipient_agency = recipient;
  if (ended) r.ended_at = "2026-01-01T00:00:00Z";
  return r;
}

struct AgreementCase {
  const char* name;
  const char* agency;
  std::optional<store::SharingAgreementRecord> found;
  V verdict;
};

TEST(GovernanceRule, EndAgreementOnlyOneTheAgencyIsAPartyToWhileInForce) {
  const std::vector<AgreementCase> cases = {
      {"no such agreement", "wmp", std::nullopt, V::kNotFound},
      {"the provider ends it", "wmp", Agreement(1, "wmp", "bcc"), V::kAllow},
      {"the recipient ends it", "bcc", Agreement(1, "wmp", "bcc"), V::kAllow},
      {"a third agency", "nhs", Agreement(1, "wmp", "bcc"), V::kRefused},
      {"a third agency, already ended", "nhs", Agreement(1, "wmp", "bcc", true), V::kRefused},
      {"a party, already ended", "wmp", Agreement(1, "wmp", "bcc", true), V::kAlreadyDone},
  };
  for (const AgreementCase& c : cases) {
    EXPECT_EQ(DecideEndAgreement(c.agency, c.found), c.verdict) << c.name;
  }
}

TEST(GovernanceRule, AgreementsOfAgencyKeepThoseItIsAPartyTo) {
  const std::vector<store::SharingAgreementRecord> rows = {Agreement(3, "nhs", "wmp"), Agreement(1, "wmp", "bcc"),
                                                           Agreement(2, "bcc", "nhs", true)};
  auto ids = [&](const char* agency) {
    std::vector<int64_t> out;
    for (const auto& r : AgreementsOfAgency(rows, agency)) out.push_back(r.agreement.id);
    return out;
  };
  EXPECT_EQ(ids("wmp"), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(ids("bcc"), (std::vector<int64_t>{1, 2})) << "ended agreements are listed too";
  EXPECT_EQ(ids("nhs"), (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(ids("sch").empty());
  EXPECT_EQ(ids(""), (std::vector<int64_t>{1, 2, 3}));
}

// ---- care relationships

store::PersonMentionRow Mention(const char* agency, const char* record_class) {
  store::PersonMentionRow m;
  m.person_id = 1;
  m.agency_code = agency;
  m.record_class = record_class;
  return m;
}

struct ChildCase {
  const char* name;
  Viewer manager;
  std::vector<store::PersonMentionRow> mentions;
  ChildAccessFacts facts;
  bool visible;
};

TEST(GovernanceRule, ChildVisibleWhenAnyRecordIsUnderNeedToKnow) {
  const Viewer bcc = Who(1, "bcc-mgr", "bcc", Role::kManager);
  const ChildAccessFacts none;
  const ChildAccessFacts related_with_police{true, false, {{"wmp", "*"}}};
  const ChildAccessFacts related_with_police_intel_only{true, false, {{"wmp", "police_intel"}}};
  const ChildAccessFacts agreement_without_relationship{false, false, {{"wmp", "*"}}};
  const ChildAccessFacts break_glass{false, true, {}};
  const std::vector<ChildCase> cases = {
      {"own agency's record", bcc, {Mention("bcc", "child_protection")}, none, true},
      {"only another agency's record", bcc, {Mention("wmp", "police_intel")}, none, false},
      {"another agency's record, relationship and agreement",
       bcc,
       {Mention("wmp", "police_intel")},
       related_with_police,
       true},
      {"agreement for another class only", bcc, {Mention("wmp", "custody")}, related_with_police_intel_only, false},
      {"agreement without a relationship",
       bcc,
       {Mention("wmp", "police_intel")},
       agreement_without_relationship,
       false},
      {"break-glass", bcc, {Mention("wmp", "police_intel")}, break_glass, true},
      {"one visible record of several",
       bcc,
       {Mention("wmp", "police_intel"), Mention("bcc", "child_protection")},
       none,
       true},
      {"no records at all", bcc, {}, none, false},
      {"a role that never sees identifying data",
       Who(2, "bcc-admin", "bcc", Role::kAdministrator),
       {Mention("bcc", "child_protection")},
       none,
       false},
  };
  for (const ChildCase& c : cases) EXPECT_EQ(ChildVisible(c.mentions, c.manager, c.facts), c.visible) << c.name;
}

store::CareRelationshipRecord Relationship(int64_t id, int64_t person, const char* agency, bool ended = false) {
  store::CareRelationshipRecord r;
  r.id = id;
  r.person_id = person;
  r.user_name = std::string(agency) + "-prac";
  r.agency_code = agency;
  r.kind = "allocated_case";
  if (ended) r.ended_at = "2026-01-01T00:00:00Z";
  return r;
}

struct RelationshipCase {
  const char* name;
  std::optional<store::CareRelationshipRecord> found;
  V verdict;
};

TEST(GovernanceRule, EndRelationshipOnlyOfThatChildByAUserOfTheManagersAgencyWhileCurrent) {
  const Viewer manager = Who(1, "bcc-mgr", "bcc", Role::kManager);
  const std::vector<RelationshipCase> cases = {
      {"no such relationship", std::nullopt, V::kNotFound},
      {"a relationship of another child", Relationship(5, 2, "bcc"), V::kNotFound},
      {"another agency's user", Relationship(5, 1, "wmp"), V::kRefused},
      {"another agency's user, ended", Relationship(5, 1, "wmp", true), V::kRefused},
      {"own agency's, already ended", Relationship(5, 1, "bcc", true), V::kAlreadyDone},
      {"own agency's, current", Relationship(5, 1, "bcc"), V::kAllow},
  };
  for (const RelationshipCase& c : cases) EXPECT_EQ(DecideEndRelationship(manager, 1, c.found), c.verdict) << c.name;
}

TEST(GovernanceRule, RelationshipsKeptByTheManagersAgencyOnly) {
  const std::vector<store::CareRelationshipRecord> rows = {Relationship(4, 1, "bcc", true), Relationship(2, 1, "wmp"),
                                                           Relationship(3, 1, "bcc")};
  const auto kept = RelationshipsKeptBy(rows, Who(1, "bcc-mgr", "bcc", Role::kManager));
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].id, 3);
  EXPECT_EQ(kept[1].id, 4) << "ended ones are listed too";
  EXPECT_TRUE(RelationshipsKeptBy(rows, Who(2, "nhs-mgr", "nhs", Role::kManager)).empty());
}

// ---- IG scope, alerts, break-glass

struct ScopeCase {
  const char* name;
  const char* agency;
  const char* asked;
  StatusCode code;
  const char* scope;  // "" the partnership
};

TEST(GovernanceRule, IgScopeIsTheOwnAgencyUnlessTheOperatorConfiguredThePartnership) {
  const std::vector<std::string> wide = {"wmp"};
  const std::vector<ScopeCase> cases = {
      {"default, not configured", "bcc", "", StatusCode::kOk, "bcc"},
      {"agency, not configured", "bcc", "agency", StatusCode::kOk, "bcc"},
      {"partnership, not configured", "bcc", "partnership", StatusCode::kPermissionDenied, ""},
      {"default, configured", "wmp", "", StatusCode::kOk, ""},
      {"agency, configured", "wmp", "agency", StatusCode::kOk, "wmp"},
      {"partnership, configured", "wmp", "partnership", StatusCode::kOk, ""},
      {"an unknown scope", "wmp", "everyone", StatusCode::kInvalidArgument, ""},
      {"an unknown scope, not configured", "bcc", "Agency", StatusCode::kInvalidArgument, ""},
  };
  for (const ScopeCase& c : cases) {
    auto scope = DecideIgScope(c.agency, c.asked, wide);
    EXPECT_EQ(scope.status().code(), c.code) << c.name;
    if (scope.ok()) {
      EXPECT_EQ(*scope, c.scope) << c.name;
    }
  }
  EXPECT_EQ(*DecideIgScope("wmp", "", {}), "wmp") << "nothing configured: every agency reads its own";
}

store::IgAlert Alert(int64_t id, const char* agency, int64_t grant, bool reviewed) {
  store::IgAlert a;
  a.id = id;
  a.agency_code = agency;
  a.kind = "break_glass";
  a.grant.id = grant;
  if (reviewed) a.grant.reviewed_at = "2026-01-01T00:00:00Z";
  return a;
}

TEST(GovernanceRule, AlertsForTheAgencyOnlyOpenOnesUnlessAskedForAll) {
  const std::vector<store::IgAlert> rows = {Alert(3, "bcc", 2, false), Alert(1, "bcc", 1, true),
                                            Alert(2, "wmp", 1, true), Alert(4, "wmp", 2, false)};
  auto ids = [&](const char* agency, bool open_only) {
    std::vector<int64_t> out;
    for (const auto& a : AlertsForAgency(rows, agency, open_only)) out.push_back(a.id);
    return out;
  };
  EXPECT_EQ(ids("bcc", true), (std::vector<int64_t>{3}));
  EXPECT_EQ(ids("bcc", false), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(ids("wmp", true), (std::vector<int64_t>{4}));
  EXPECT_TRUE(ids("nhs", false).empty());
}

store::BreakGlassGrantRow Grant(int64_t id, std::vector<std::string> alerted, bool reviewed) {
  store::BreakGlassGrantRow r;
  r.grant.id = id;
  r.alerted_agencies = std::move(alerted);
  if (reviewed) r.grant.reviewed_at = "2026-01-01T00:00:00Z";
  return r;
}

TEST(GovernanceRule, GrantsInScopeAreThoseAlertedToTheAgencyOrEveryOneForThePartnership) {
  const std::vector<store::BreakGlassGrantRow> rows = {Grant(3, {"nhs"}, false), Grant(1, {"bcc", "wmp"}, true),
                                                       Grant(2, {"wmp"}, false)};
  auto ids = [&](const char* scope, bool unreviewed_only) {
    std::vector<int64_t> out;
    for (const auto& g : GrantsInScope(rows, scope, unreviewed_only)) out.push_back(g.id);
    return out;
  };
  EXPECT_EQ(ids("wmp", false), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(ids("wmp", true), (std::vector<int64_t>{2}));
  EXPECT_EQ(ids("bcc", true), (std::vector<int64_t>{}));
  EXPECT_EQ(ids("", false), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(ids("", true), (std::vector<int64_t>{2, 3}));
}

struct ReviewCase {
  const char* name;
  const char* agency;
  std::optional<store::BreakGlassGrantRow> grant;
  V verdict;
};

TEST(GovernanceRule, ReviewBreakGlassOnlyAGrantAlertedToTheAgencyOnce) {
  const std::vector<ReviewCase> cases = {
      {"no such grant", "wmp", std::nullopt, V::kNotFound},
      {"alerted to the agency", "wmp", Grant(1, {"bcc", "wmp"}, false), V::kAllow},
      {"alerted only to others", "nhs", Grant(1, {"bcc", "wmp"}, false), V::kRefused},
      {"alerted only to others, reviewed", "nhs", Grant(1, {"bcc", "wmp"}, true), V::kRefused},
      {"alerted to the agency, reviewed", "bcc", Grant(1, {"bcc", "wmp"}, true), V::kAlreadyDone},
      {"alerted to nobody", "wmp", Grant(1, {}, false), V::kRefused},
  };
  for (const ReviewCase& c : cases) EXPECT_EQ(DecideBreakGlassReview(c.agency, c.grant), c.verdict) << c.name;
}

}  // namespace governance_rule_test
}  // namespace riskradar::access
