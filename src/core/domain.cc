// Stable names for the domain enumerations, in one table per enum.
#include "riskradar/core/domain.h"

#include <array>
#include <utility>

namespace riskradar {
namespace {

template <typename E, size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

constexpr NameTable<AgencyKind, 5> kAgencyKinds = {{{AgencyKind::kCouncil, "council"},
                                                    {AgencyKind::kNhs, "nhs"},
                                                    {AgencyKind::kPolice, "police"},
                                                    {AgencyKind::kEducation, "education"},
                                                    {AgencyKind::kVoluntary, "voluntary"}}};
constexpr NameTable<Sex, 4> kSexes = {
    {{Sex::kUnknown, "unknown"}, {Sex::kFemale, "female"}, {Sex::kMale, "male"}, {Sex::kOther, "other"}}};
constexpr NameTable<PersonRole, 4> kRoles = {{{PersonRole::kChild, "child"},
                                              {PersonRole::kPersonOfConcern, "person_of_concern"},
                                              {PersonRole::kAssociate, "associate"},
                                              {PersonRole::kAdult, "adult"}}};
constexpr NameTable<PlaceType, 10> kPlaceTypes = {{{PlaceType::kChildrensHome, "childrens_home"},
                                                   {PlaceType::kHotel, "hotel"},
                                                   {PlaceType::kPark, "park"},
                                                   {PlaceType::kSupermarket, "supermarket"},
                                                   {PlaceType::kTakeaway, "takeaway"},
                                                   {PlaceType::kTaxiRank, "taxi_rank"},
                                                   {PlaceType::kShoppingCentre, "shopping_centre"},
                                                   {PlaceType::kResidential, "residential"},
                                                   {PlaceType::kSchool, "school"},
                                                   {PlaceType::kOther, "other"}}};
constexpr NameTable<PlaceType, 10> kPlaceLabels = {{{PlaceType::kChildrensHome, "children's homes"},
                                                    {PlaceType::kHotel, "hotels"},
                                                    {PlaceType::kPark, "parks"},
                                                    {PlaceType::kSupermarket, "supermarkets"},
                                                    {PlaceType::kTakeaway, "takeaways"},
                                                    {PlaceType::kTaxiRank, "taxi ranks"},
                                                    {PlaceType::kShoppingCentre, "shopping centres"},
                                                    {PlaceType::kResidential, "residential addresses"},
                                                    {PlaceType::kSchool, "schools"},
                                                    {PlaceType::kOther, "other places"}}};
constexpr NameTable<EventKind, 11> kEventKinds = {{{EventKind::kMissingEpisode, "missing_episode"},
                                                   {EventKind::kReferral, "referral"},
                                                   {EventKind::kHealthAttendance, "health_attendance"},
                                                   {EventKind::kPoliceIncident, "police_incident"},
                                                   {EventKind::kIntelligence, "intelligence"},
                                                   {EventKind::kSchoolExclusion, "school_exclusion"},
                                                   {EventKind::kSchoolAbsence, "school_absence"},
                                                   {EventKind::kSighting, "sighting"},
                                                   {EventKind::kDisruption, "disruption"},
                                                   {EventKind::kArrest, "arrest"},
                                                   {EventKind::kCharge, "charge"}}};
constexpr NameTable<RiskLevel, 4> kLevels = {{{RiskLevel::kNoCurrentRisk, "none"},
                                              {RiskLevel::kAtRisk, "at_risk"},
                                              {RiskLevel::kSignificant, "significant"},
                                              {RiskLevel::kSerious, "serious"}}};
constexpr NameTable<RiskLevel, 4> kLevelLabels = {{{RiskLevel::kNoCurrentRisk, "no current risk"},
                                                   {RiskLevel::kAtRisk, "at risk"},
                                                   {RiskLevel::kSignificant, "significant risk"},
                                                   {RiskLevel::kSerious, "serious risk"}}};

template <typename E, size_t N>
std::string_view NameOf(const NameTable<E, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "unknown";
}

template <typename E, size_t N>
Result<E> Lookup(const NameTable<E, N>& table, std::string_view name, std::string_view what) {
  for (const auto& [v, n] : table) {
    if (n == name) return v;
  }
  std::string allowed;
  for (const auto& [v, n] : table) {
    if (!allowed.empty()) allowed += ", ";
    allowed += n;
  }
  return Status::InvalidArgument("unknown " + std::string(what) + " '" + std::string(name) +
                                 "' (expected one of: " + allowed + ")");
}

}  // namespace

std::string_view ToString(AgencyKind v) { return NameOf(kAgencyKinds, v); }
std::string_view ToString(Sex v) { return NameOf(kSexes, v); }
std::string_view ToString(PersonRole v) { return NameOf(kRoles, v); }
std::string_view ToString(PlaceType v) { return NameOf(kPlaceTypes, v); }
std::string_view ToString(EventKind v) { return NameOf(kEventKinds, v); }
std::string_view ToString(RiskLevel v) { return NameOf(kLevels, v); }
std::string_view Label(PlaceType v) { return NameOf(kPlaceLabels, v); }
std::string_view Label(RiskLevel v) { return NameOf(kLevelLabels, v); }

Result<AgencyKind> ParseAgencyKind(std::string_view s) { return Lookup(kAgencyKinds, s, "agency kind"); }
Result<Sex> ParseSex(std::string_view s) { return Lookup(kSexes, s, "sex"); }
Result<PersonRole> ParsePersonRole(std::string_view s) { return Lookup(kRoles, s, "person role"); }
Result<PlaceType> ParsePlaceType(std::string_view s) { return Lookup(kPlaceTypes, s, "place type"); }
Result<EventKind> ParseEventKind(std::string_view s) { return Lookup(kEventKinds, s, "event kind"); }
Result<RiskLevel> ParseRiskLevel(std::string_view s) { return Lookup(kLevels, s, "risk level"); }

}  // namespace riskradar
