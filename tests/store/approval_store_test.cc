// The store contract of approval requests (users.h), on a real SQLite store: one pending request per kind,
// subject and child; decisions as compare-and-set; an enrolling account and its enrolment; inside a unit of
// work, an abandoned unit leaves nothing.
#include <gtest/gtest.h>

#include "conformance_fixture.h"

namespace riskradar::store {
namespace approval_store_test {

class ApprovalStoreTest : public conformance::Fixture {
 protected:
  static ApprovalRequest Request(ApprovalKind kind, const std::string& subject, int64_t person_id = 0) {
    ApprovalRequest r;
    r.kind = kind;
    r.requested_by = "bcc-admin";
    r.requester_agency = r.subject_agency = "bcc";
    r.subject_user = subject;
    r.role = "practitioner";
    r.person_id = person_id;
    r.reason = "a reason for the test";
    r.enrol_part_hash = "hash-a";
    r.created_s = 100;
    r.expires_s = 200;
    return r;
  }
};

TEST_P(ApprovalStoreTest, OnePendingRequestPerKindSubjectAndChildAndDecisionsAreCompareAndSet) {
  auto first = store_->InsertApprovalRequest(Request(ApprovalKind::kMaseListing, "bcc-lee", 7));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(store_->InsertApprovalRequest(Request(ApprovalKind::kMaseListing, "bcc-lee", 7)).status().code(),
            StatusCode::kAlreadyExists);
  // Another child, another kind, another subject: separate requests.
  EXPECT_TRUE(store_->InsertApprovalRequest(Request(ApprovalKind::kMaseListing, "bcc-lee", 8)).ok());
  EXPECT_TRUE(store_->InsertApprovalRequest(Request(ApprovalKind::kCareRelationship, "bcc-lee", 7)).ok());
  EXPECT_TRUE(store_->InsertApprovalRequest(Request(ApprovalKind::kAccountGrant, "bcc-new")).ok());

  auto found = store_->FindApprovalRequest(*first);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->kind, ApprovalKind::kMaseListing);
  EXPECT_EQ((*found)->person_id, 7);
  EXPECT_EQ((*found)->state, "pending");
  EXPECT_EQ((*found)->enrol_part_hash, "hash-a");
  EXPECT_EQ((*found)->expires_s, 200);

  auto won = store_->SetApprovalState(*first, "pending", "approved", "bcc-ig", "checked");
  ASSERT_TRUE(won.ok());
  EXPECT_TRUE(*won);
  auto lost = store_->SetApprovalState(*first, "pending", "rejected", "bcc-ig2", "too late");
  ASSERT_TRUE(lost.ok());
  EXPECT_FALSE(*lost);
  found = store_->FindApprovalRequest(*first);
  EXPECT_EQ((*found)->state, "approved");
  EXPECT_EQ((*found)->decided_by, "bcc-ig");
  EXPECT_EQ((*found)->decision_note, "checked");
  EXPECT_FALSE((*found)->decided_at.empty());
  // Decided, the same request may be asked again.
  EXPECT_TRUE(store_->InsertApprovalRequest(Request(ApprovalKind::kMaseListing, "bcc-lee", 7)).ok());

  EXPECT_EQ(store_->ListApprovalRequests(false)->size(), 5u);
  EXPECT_EQ(store_->ListApprovalRequests(true)->size(), 4u);
  EXPECT_TRUE(store_->ReadPersonAgencies(987654)->empty());
  EXPECT_FALSE(store_->FindApprovalRequest(987654)->has_value());
}

TEST_P(ApprovalStoreTest, AnEnrollingAccountEnrolsOnceAndAnAbandonedUnitLeavesNothing) {
  User u;
  u.name = "bcc-new";
  u.agency_code = "bcc";
  u.role = Role::kManager;
  u.password_hash = "hash-a";
  u.enrol_hash = "hash-b";
  u.totp_secret = "JBSWY3DPEHPK3PXP";
  {
    auto unit = store_->BeginUnit(UnitKind::kWrite);
    ASSERT_TRUE(unit.ok());
    ASSERT_TRUE(store_->InsertEnrollingUser(u).ok());
    // Not committed: rolled back with the unit.
  }
  EXPECT_FALSE(store_->FindUser("bcc-new")->has_value());
  auto id = store_->InsertEnrollingUser(u);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(store_->InsertEnrollingUser(u).status().code(), StatusCode::kAlreadyExists);
  auto found = store_->FindUser("bcc-new");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_TRUE((*found)->must_enrol);
  EXPECT_EQ((*found)->password_hash, "hash-a");
  EXPECT_EQ((*found)->enrol_hash, "hash-b");
  EXPECT_EQ((*found)->totp_secret, "JBSWY3DPEHPK3PXP");  // opened by FindUser, sealed at rest

  ASSERT_TRUE(store_->SetEnrolmentTotp(*id, "KRSXG5CTMVRXEZLU").ok());
  ASSERT_TRUE(store_->CompleteEnrolment(*id, "hash-new", 12345).ok());
  found = store_->FindUser("bcc-new");
  EXPECT_FALSE((*found)->must_enrol);
  EXPECT_EQ((*found)->password_hash, "hash-new");
  EXPECT_TRUE((*found)->enrol_hash.empty());
  EXPECT_EQ((*found)->totp_secret, "KRSXG5CTMVRXEZLU");
  // Enrolled: neither step applies again.
  EXPECT_EQ(store_->CompleteEnrolment(*id, "hash-again", 12346).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->SetEnrolmentTotp(*id, "JBSWY3DPEHPK3PXP").code(), StatusCode::kFailedPrecondition);
  // A reset puts it back into enrolment.
  ASSERT_TRUE(store_->ResetToEnrolment(*id, "hash-c", "hash-d", "JBSWY3DPEHPK3PXP").ok());
  found = store_->FindUser("bcc-new");
  EXPECT_TRUE((*found)->must_enrol);
  EXPECT_EQ((*found)->password_hash, "hash-c");
  EXPECT_EQ(store_->ResetToEnrolment(987654, "x", "y", "JBSWY3DPEHPK3PXP").code(), StatusCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApprovalStoreTest, ::testing::ValuesIn(conformance::Backends()),
                         conformance::BackendName);

}  // namespace approval_store_test
}  // namespace riskradar::store
