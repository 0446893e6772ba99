// Need-to-know rules (see include/riskradar/core/access.h).
#include "riskradar/core/access.h"

namespace riskradar {

std::string_view ToString(Role role) {
  switch (role) {
    case Role::kAnalyst:
      return "analyst";
    case Role::kPractitioner:
      return "practitioner";
    case Role::kManager:
      return "manager";
    case Role::kIgLead:
      return "ig_lead";
    case Role::kAdministrator:
      return "administrator";
  }
  return "analyst";
}

Result<Role> ParseRole(std::string_view text) {
  for (Role r : AllRoles()) {
    if (ToString(r) == text) return r;
  }
  return Status::InvalidArgument("unknown role '" + std::string(text) +
                                 "' (analyst, practitioner, manager, ig_lead, administrator)");
}

const std::vector<Role>& AllRoles() {
  static const std::vector<Role> roles = {Role::kAnalyst, Role::kPractitioner, Role::kManager, Role::kIgLead,
                                          Role::kAdministrator};
  return roles;
}

bool MaySeeIdentifying(Role role) {
  return role == Role::kAnalyst || role == Role::kPractitioner || role == Role::kManager;
}

std::string_view ToString(RecordAccess access) {
  switch (access) {
    case RecordAccess::kHidden:
      return "hidden";
    case RecordAccess::kOwnAgency:
      return "own_agency";
    case RecordAccess::kAgreementAndRelationship:
      return "agreement_and_relationship";
    case RecordAccess::kBreakGlass:
      return "break_glass";
  }
  return "hidden";
}

RecordAccess DecideRecordAccess(const Viewer& viewer, std::string_view record_agency, std::string_view record_class,
                                const ChildAccessFacts& facts) {
  if (!MaySeeIdentifying(viewer.role)) return RecordAccess::kHidden;
  if (record_agency == viewer.agency_code) return RecordAccess::kOwnAgency;
  if (facts.relationship) {
    for (const AgreementFact& a : facts.agreements) {
      if (a.provider_agency == record_agency && (a.data_class == "*" || a.data_class == record_class)) {
        return RecordAccess::kAgreementAndRelationship;
      }
    }
  }
  if (facts.break_glass) return RecordAccess::kBreakGlass;
  return RecordAccess::kHidden;
}

}  // namespace riskradar
