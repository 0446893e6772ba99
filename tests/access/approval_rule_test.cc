// The separation-of-duties rule (access/administration.h) alone, as a table: who may approve which request.
// No store: every case is a viewer, the facts of one request and the verdict the rule must give.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "riskradar/access/administration.h"

namespace riskradar::access {
namespace approval_rule_test {

using store::ApprovalKind;

struct Case {
  const char* name;
  Viewer approver;
  ApprovalFacts facts;
  ApprovalVerdict verdict;
  bool may_list;
};

Viewer V(const char* name, const char* agency, Role role) { return {1, name, agency, role}; }

// A relationship or listing asked by bcc-manager for `subject` over a child with records from `agencies`.
ApprovalFacts Rel(ApprovalKind kind, const char* subject, std::vector<std::string> agencies,
                  const char* state = "pending", bool expired = false) {
  return {kind, "bcc-manager", subject, "bcc", std::move(agencies), state, expired};
}
// An account grant or reset asked by wmp-admin for `subject` of `agency`.
ApprovalFacts Acct(ApprovalKind kind, const char* subject, const char* agency = "wmp", const char* state = "pending") {
  return {kind, "wmp-admin", subject, agency, {}, state, false};
}

const ApprovalKind kListing = ApprovalKind::kMaseListing, kCase = ApprovalKind::kCareRelationship,
                   kGrant = ApprovalKind::kAccountGrant, kReset = ApprovalKind::kCredentialReset;
const Role kPr = Role::kPractitioner, kMg = Role::kManager, kIg = Role::kIgLead, kAd = Role::kAdministrator,
           kAn = Role::kAnalyst;
const ApprovalVerdict kOk = ApprovalVerdict::kApprove, kScope = ApprovalVerdict::kNotInScope,
                      kOwn = ApprovalVerdict::kOwnRequest, kBen = ApprovalVerdict::kBeneficiary,
                      kDone = ApprovalVerdict::kNotPending, kLapsed = ApprovalVerdict::kExpired;

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      // Relationships and listings: an IG lead or a manager of an agency holding records on the child.
      {"ig lead of the record holder", V("wmp-ig", "wmp", kIg), Rel(kListing, "bcc-manager", {"wmp"}), kOk, true},
      {"manager of the record holder", V("wmp-mgr", "wmp", kMg), Rel(kCase, "bcc-prac", {"wmp"}), kOk, true},
      {"second manager of own agency holding records", V("bcc-mgr2", "bcc", kMg),
       Rel(kListing, "bcc-manager", {"bcc", "wmp"}), kOk, true},
      {"ig lead of an agency without records", V("nhs-ig", "nhs", kIg), Rel(kListing, "bcc-manager", {"wmp"}), kScope,
       false},
      {"own agency holds no record", V("bcc-ig", "bcc", kIg), Rel(kCase, "bcc-prac", {"wmp"}), kScope, false},
      {"administrator of the record holder", V("wmp-admin", "wmp", kAd), Rel(kListing, "bcc-manager", {"wmp"}), kScope,
       false},
      {"practitioner of the record holder", V("wmp-prac", "wmp", kPr), Rel(kCase, "bcc-prac", {"wmp"}), kScope, false},
      {"analyst of the record holder", V("wmp-an", "wmp", kAn), Rel(kCase, "bcc-prac", {"wmp"}), kScope, false},
      {"the requester listing themselves", V("bcc-manager", "bcc", kMg), Rel(kListing, "bcc-manager", {"bcc"}), kOwn,
       true},
      {"the requester, even out of scope", V("bcc-manager", "bcc", kMg), Rel(kCase, "bcc-prac", {"wmp"}), kOwn, true},
      {"the beneficiary, a manager in scope", V("bcc-mgr2", "bcc", kMg), Rel(kListing, "bcc-mgr2", {"bcc"}), kBen,
       true},
      {"the beneficiary, out of scope", V("bcc-prac", "bcc", kPr), Rel(kCase, "bcc-prac", {"wmp"}), kBen, false},
      {"already approved", V("wmp-ig", "wmp", kIg), Rel(kCase, "bcc-prac", {"wmp"}, "approved"), kDone, true},
      {"withdrawn", V("wmp-ig", "wmp", kIg), Rel(kCase, "bcc-prac", {"wmp"}, "withdrawn"), kDone, true},
      {"expired", V("wmp-ig", "wmp", kIg), Rel(kCase, "bcc-prac", {"wmp"}, "pending", true), kLapsed, true},
      {"no such child (no record holder)", V("wmp-ig", "wmp", kIg), Rel(kCase, "bcc-prac", {}), kScope, false},
      // Account grants and resets: a second administrator or the IG lead of the account's agency.
      {"second administrator", V("wmp-admin2", "wmp", kAd), Acct(kGrant, "wmp-new"), kOk, true},
      {"ig lead of the agency", V("wmp-ig", "wmp", kIg), Acct(kReset, "wmp-prac"), kOk, true},
      {"administrator of another agency", V("bcc-admin", "bcc", kAd), Acct(kGrant, "wmp-new"), kScope, false},
      {"ig lead of another agency", V("bcc-ig", "bcc", kIg), Acct(kReset, "wmp-prac"), kScope, false},
      {"manager of the agency", V("wmp-mgr", "wmp", kMg), Acct(kGrant, "wmp-new"), kScope, false},
      {"the requesting administrator", V("wmp-admin", "wmp", kAd), Acct(kGrant, "wmp-new"), kOwn, true},
      {"the reset account itself, an ig lead", V("wmp-ig", "wmp", kIg), Acct(kReset, "wmp-ig"), kBen, true},
      {"the reset account itself, an administrator", V("wmp-admin2", "wmp", kAd), Acct(kReset, "wmp-admin2"), kBen,
       true},
      {"ig lead, a promotion", V("wmp-ig", "wmp", kIg), Acct(ApprovalKind::kRoleChange, "wmp-prac"), kOk, true},
      {"the promoted account itself", V("wmp-admin2", "wmp", kAd), Acct(ApprovalKind::kRoleChange, "wmp-admin2"), kBen,
       true},
      {"rejected already", V("wmp-ig", "wmp", kIg), Acct(kGrant, "wmp-new", "wmp", "rejected"), kDone, true},
  };
  return cases;
}

TEST(ApprovalRuleTest, EveryCaseOfTheTable) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(ToString(DecideApproval(c.approver, c.facts)), ToString(c.verdict));
    EXPECT_EQ(MayListRequest(c.approver, c.facts), c.may_list);
  }
}

// Nobody decides their own request or one that benefits them, whatever their role, agency or the request.
TEST(ApprovalRuleTest, NeverTheRequesterNorTheBeneficiary) {
  int checked = 0;
  for (ApprovalKind kind : {kCase, kListing, kGrant, ApprovalKind::kRoleChange, kReset}) {
    for (Role role : AllRoles()) {
      for (const char* agency : {"wmp", "bcc"}) {
        const ApprovalFacts facts{kind, "someone", "someone-else", agency, {"wmp", "bcc"}, "pending", false};
        const ApprovalVerdict as_requester = DecideApproval({1, "someone", agency, role}, facts);
        const ApprovalVerdict as_subject = DecideApproval({2, "someone-else", agency, role}, facts);
        EXPECT_EQ(ToString(as_requester), "own_request");
        EXPECT_EQ(ToString(as_subject), "beneficiary");
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 5 * 5 * 2);
}

// Exactly the authorised roles are ever in scope, for each kind.
TEST(ApprovalRuleTest, OnlyTheAuthorisedRolesAreInScope) {
  for (Role role : AllRoles()) {
    const Viewer v{1, "approver", "wmp", role};
    const bool rel = ApproverInScope(v, Rel(kCase, "x", {"wmp"}));
    const bool acct = ApproverInScope(v, Acct(kReset, "x"));
    EXPECT_EQ(rel, role == kIg || role == kMg) << ToString(role);
    EXPECT_EQ(acct, role == kIg || role == kAd) << ToString(role);
  }
}

}  // namespace approval_rule_test
}  // namespace riskradar::access
