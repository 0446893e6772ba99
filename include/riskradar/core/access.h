// Need-to-know rules: roles, and which agency's records a user may see about a child.
// Pure functions, so the store can apply them inside the transaction that reads and audits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/status.h"

namespace riskradar {

enum class Role { kAnalyst, kPractitioner, kManager, kIgLead, kAdministrator };

std::string_view ToString(Role role);
Result<Role> ParseRole(std::string_view text);
const std::vector<Role>& AllRoles();

// Roles whose work needs identifying data about children (the child view, break-glass).
// IG leads and administrators see aggregates, users, agreements and the audit trail, never a child's record.
bool MaySeeIdentifying(Role role);
// Every role signs in with a TOTP second factor: an administrator can grant roles that see identifying
// data, so an administrator's account is as valuable as theirs.
inline bool RequiresTotp(Role) { return true; }

struct Viewer {
  int64_t user_id = 0;
  std::string user_name;
  std::string agency_code;
  Role role = Role::kAnalyst;
};

// A sharing agreement in force from `provider` to the viewer's agency for one data class ("*" for all).
struct AgreementFact {
  std::string provider_agency;
  std::string data_class;
};

// What the store found about the viewer and one child, at the time of the request.
struct ChildAccessFacts {
  bool relationship = false;  // allocated case or MASE listing, current
  bool break_glass = false;   // an unexpired break-glass grant
  std::vector<AgreementFact> agreements;
};

// Why a record is visible (for the audit event), or kHidden.
enum class RecordAccess { kHidden, kOwnAgency, kAgreementAndRelationship, kBreakGlass };
std::string_view ToString(RecordAccess access);

// The need-to-know rule (DESIGN.md, security model): own agency's records always; another agency's records
// only under a sharing agreement AND a legitimate relationship, or under break-glass.
RecordAccess DecideRecordAccess(const Viewer& viewer, std::string_view record_agency, std::string_view record_class,
                                const ChildAccessFacts& facts);

}  // namespace riskradar
