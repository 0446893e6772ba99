// The event vocabulary, kept in step with config/vocabulary.md.
#include "riskradar/core/vocabulary.h"

#include <algorithm>
#include <array>

namespace riskradar {
namespace {

constexpr std::array<std::string_view, 3> kMissing = {"missing_overnight", "missing_day", "whereabouts_unclear"};
constexpr std::array<std::string_view, 19> kReferral = {"cse_concern",
                                                        "disclosure_cse",
                                                        "gifts_money",
                                                        "neglect",
                                                        "physical_abuse",
                                                        "sexual_abuse",
                                                        "domestic_abuse",
                                                        "family_breakdown",
                                                        "parental_substance_misuse",
                                                        "parental_mental_health",
                                                        "looked_after",
                                                        "leaving_care",
                                                        "learning_disability",
                                                        "unsuitable_accommodation",
                                                        "no_protective_adult",
                                                        "peers_exploited",
                                                        "isolation_from_peers",
                                                        "distrust_of_authority",
                                                        "other"};
constexpr std::array<std::string_view, 9> kHealth = {"sti",     "pregnancy", "termination",        "self_harm",
                                                     "alcohol", "drugs",     "injury_unexplained", "sexual_assault",
                                                     "routine"};
constexpr std::array<std::string_view, 9> kPolice = {"found_with_adult",
                                                     "vehicle_unknown_adult",
                                                     "withdrawn_allegation",
                                                     "drugs",
                                                     "alcohol",
                                                     "antisocial",
                                                     "sexual_offence",
                                                     "assault",
                                                     "other"};
constexpr std::array<std::string_view, 8> kIntelligence = {
    "relationship_of_concern",   "gifts_money",     "online_grooming",    "sexual_images", "place_of_concern",
    "multiple_unknown_contacts", "peers_exploited", "suspected_exploiter"};
constexpr std::array<std::string_view, 2> kExclusion = {"fixed_term", "permanent"};
constexpr std::array<std::string_view, 3> kAbsence = {"persistent", "severe", "not_in_education"};
constexpr std::array<std::string_view, 2> kSighting = {"child_with_adult", "child_at_place"};
constexpr std::array<std::string_view, 4> kDisruption = {"cawn", "hotel_notice", "sexual_risk_order",
                                                         "licensing_referral"};
constexpr std::array<std::string_view, 2> kOffence = {"cse_offence", "other"};

constexpr std::array<EventKind, 11> kAllKinds = {
    EventKind::kMissingEpisode, EventKind::kReferral,     EventKind::kHealthAttendance,
    EventKind::kPoliceIncident, EventKind::kIntelligence, EventKind::kSchoolExclusion,
    EventKind::kSchoolAbsence,  EventKind::kSighting,     EventKind::kDisruption,
    EventKind::kArrest,         EventKind::kCharge};

}  // namespace

std::span<const std::string_view> CategoriesOf(EventKind kind) {
  switch (kind) {
    case EventKind::kMissingEpisode:
      return kMissing;
    case EventKind::kReferral:
      return kReferral;
    case EventKind::kHealthAttendance:
      return kHealth;
    case EventKind::kPoliceIncident:
      return kPolice;
    case EventKind::kIntelligence:
      return kIntelligence;
    case EventKind::kSchoolExclusion:
      return kExclusion;
    case EventKind::kSchoolAbsence:
      return kAbsence;
    case EventKind::kSighting:
      return kSighting;
    case EventKind::kDisruption:
      return kDisruption;
    case EventKind::kArrest:
    case EventKind::kCharge:
      return kOffence;
  }
  return {};
}

bool IsKnownCategory(EventKind kind, std::string_view category) {
  const auto cats = CategoriesOf(kind);
  return std::find(cats.begin(), cats.end(), category) != cats.end();
}

std::span<const EventKind> AllEventKinds() { return kAllKinds; }

bool IsAnyKnownCategory(std::string_view category) {
  return std::any_of(kAllKinds.begin(), kAllKinds.end(), [&](EventKind k) { return IsKnownCategory(k, category); });
}

}  // namespace riskradar
