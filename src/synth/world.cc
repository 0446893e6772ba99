// Builds the hidden world: people with true risk levels, places (of concern and
// ordinary), offender networks, and every event an agency will later record.
// Counts follow the regional picture in DESIGN.md at scale 1 and scale linearly.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "model.h"
#include "place_names.h"
#include "riskradar/core/identifiers.h"

namespace riskradar::synth {
namespace {

// Population at scale 1.
constexpr double kChildren = 13500;
constexpr double kOrdinaryAdults = 6600;
constexpr double kChildrenAtRisk = 740;
constexpr double kOffenders = 372;
constexpr double kNetworks = 40;
constexpr double kSchools = 70;
constexpr double kOrdinaryPlaces = 320;
// Places of concern by type at scale 1 (sum 96).
constexpr std::array<std::pair<PlaceType, double>, 8> kConcernPlaces = {{{PlaceType::kChildrensHome, 17},
                                                                         {PlaceType::kHotel, 14},
                                                                         {PlaceType::kPark, 12},
                                                                         {PlaceType::kTakeaway, 12},
                                                                         {PlaceType::kTaxiRank, 8},
                                                                         {PlaceType::kShoppingCentre, 7},
                                                                         {PlaceType::kSupermarket, 8},
                                                                         {PlaceType::kResidential, 18}}};

// Name-origin mix per district (Birmingham about half non-white-British; Census 2021 shape, rounded).
constexpr std::array<std::array<double, kNameOriginCount>, kDistrictCount> kOriginMix = {
    {{0.49, 0.31, 0.11, 0.04, 0.05},    // Birmingham
     {0.63, 0.17, 0.08, 0.07, 0.05},    // Coventry
     {0.84, 0.09, 0.03, 0.02, 0.02},    // Dudley
     {0.54, 0.26, 0.10, 0.05, 0.05},    // Sandwell
     {0.84, 0.09, 0.03, 0.02, 0.02},    // Solihull
     {0.69, 0.19, 0.05, 0.04, 0.03},    // Walsall
     {0.58, 0.22, 0.10, 0.05, 0.05}}};  // Wolverhampton

// UPN local-authority numbers for the seven districts (DfE LA codes).
constexpr std::array<int, kDistrictCount> kLaCodes = {330, 331, 332, 333, 334, 335, 336};

size_t Scaled(double base, double scale, size_t minimum = 1) {
  const double value = std::round(base * scale);
  return std::max(minimum, static_cast<size_t>(value < 0 ? 0 : value));
}

const char* const kVulnerabilities[] = {"neglect",
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
                                        "no_protective_adult"};
constexpr double kVulnerabilityWeights[] = {3, 1, 0.5, 3, 2.5, 1.5, 1.5, 1.5, 0.3, 1, 0.6, 0.5};

enum class Need : uint8_t { kNone, kOffender, kOffenderOptional, kOrdinaryAdult };
enum class Where : uint8_t { kNone, kConcern, kConcernOptional, kOrdinary, kOrdinaryOptional };

// One line of an event menu: what happens, who records it, and how often per level.
struct MenuItem {
  Channel channel;
  EventKind kind;
  const char* category;  // nullptr: a vulnerability drawn from kVulnerabilities
  Need associate;
  Where place;
  int min_age;
  bool female_only;
  std::array<double, 4> weight;  // by RiskLevel: none (noise menu), at_risk, significant, serious
};

// Risk menu: events of children at some true level (weight[0] unused).
const MenuItem kRiskMenu[] = {
    {Channel::kCouncil,
     EventKind::kMissingEpisode,
     "missing_overnight",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0, 3, 4, 4.5}},
    {Channel::kCouncil, EventKind::kMissingEpisode, "missing_day", Need::kNone, Where::kNone, 0, false, {0, 2, 2, 2}},
    {Channel::kCouncil,
     EventKind::kMissingEpisode,
     "whereabouts_unclear",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0, 1.5, 1.5, 1.5}},
    {Channel::kCouncil, EventKind::kReferral, "cse_concern", Need::kNone, Where::kNone, 0, false, {0, 1.5, 1.5, 1.5}},
    {Channel::kCouncil, EventKind::kReferral, "gifts_money", Need::kNone, Where::kNone, 0, false, {0, 0.5, 0.8, 0.8}},
    {Channel::kCouncil,
     EventKind::kReferral,
     "peers_exploited",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0, 0.3, 0.4, 0.4}},
    {Channel::kCouncil,
     EventKind::kReferral,
     "isolation_from_peers",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0, 0.3, 0.3, 0.3}},
    {Channel::kCouncil,
     EventKind::kReferral,
     "distrust_of_authority",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0, 0.3, 0.4, 0.5}},
    {Channel::kCouncil, EventKind::kReferral, nullptr, Need::kNone, Where::kNone, 0, false, {0, 2, 2, 2}},
    {Channel::kSexualHealth,
     EventKind::kHealthAttendance,
     "sti",
     Need::kNone,
     Where::kNone,
     13,
     false,
     {0, 0.8, 1.2, 1.5}},
    {Channel::kSexualHealth,
     EventKind::kHealthAttendance,
     "pregnancy",
     Need::kNone,
     Where::kNone,
     13,
     true,
     {0, 0.25, 0.4, 0.5}},
    {Channel::kSexualHealth,
     EventKind::kHealthAttendance,
     "termination",
     Need::kNone,
     Where::kNone,
     13,
     true,
     {0, 0.1, 0.2, 0.3}},
    {Channel::kSexualHealth,
     EventKind::kHealthAttendance,
     "sexual_assault",
     Need::kNone,
     Where::kNone,
     12,
     false,
     {0, 0.05, 0.15, 0.4}},
    {Channel::kAe, EventKind::kHealthAttendance, "self_harm", Need::kNone, Where::kNone, 0, false, {0, 0.5, 0.7, 0.8}},
    {Channel::kAe, EventKind::kHealthAttendance, "alcohol", Need::kNone, Where::kNone, 0, false, {0, 0.6, 0.7, 0.8}},
    {Channel::kAe, EventKind::kHealthAttendance, "drugs", Need::kNone, Where::kNone, 0, false, {0, 0.4, 0.5, 0.7}},
    {Channel::kAe,
     EventKind::kHealthAttendance,
     "injury_unexplained",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0, 0.3, 0.5, 0.8}},
    {Channel::kPoliceOccurrence,
     EventKind::kPoliceIncident,
     "found_with_adult",
     Need::kOffender,
     Where::kConcernOptional,
     0,
     false,
     {0, 0.6, 1.2, 1.8}},
    {Channel::kPoliceOccurrence,
     EventKind::kPoliceIncident,
     "vehicle_unknown_adult",
     Need::kOffenderOptional,
     Where::kConcernOptional,
     0,
     false,
     {0, 0.5, 0.8, 1.0}},
    {Channel::kPoliceOccurrence,
     EventKind::kPoliceIncident,
     "withdrawn_allegation",
     Need::kOffenderOptional,
     Where::kNone,
     0,
     false,
     {0, 0.1, 0.3, 0.5}},
    {Channel::kPoliceOccurrence,
     EventKind::kPoliceIncident,
     "drugs",
     Need::kNone,
     Where::kOrdinaryOptional,
     0,
     false,
     {0, 0.3, 0.3, 0.3}},
    {Channel::kPoliceOccurrence,
     EventKind::kPoliceIncident,
     "alcohol",
     Need::kNone,
     Where::kOrdinaryOptional,
     0,
     false,
     {0, 0.3, 0.3, 0.3}},
    {Channel::kPoliceIntelligence,
     EventKind::kIntelligence,
     "relationship_of_concern",
     Need::kOffender,
     Where::kNone,
     0,
     false,
     {0, 0.5, 1.0, 1.5}},
    {Channel::kPoliceIntelligence,
     EventKind::kIntelligence,
     "gifts_money",
     Need::kOffenderOptional,
     Where::kNone,
     0,
     false,
     {0, 0.4, 0.6, 0.8}},
    {Channel::kPoliceIntelligence,
     EventKind::kIntelligence,
     "online_grooming",
     Need::kOffenderOptional,
     Where::kNone,
     0,
     false,
     {0, 0.3, 0.5, 0.7}},
    {Channel::kPoliceIntelligence,
     EventKind::kIntelligence,
     "sexual_images",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0, 0.2, 0.4, 0.6}},
    {Channel::kPoliceIntelligence,
     EventKind::kIntelligence,
     "place_of_concern",
     Need::kNone,
     Where::kConcern,
     0,
     false,
     {0, 0.3, 0.6, 0.8}},
    {Channel::kPoliceIntelligence,
     EventKind::kIntelligence,
     "multiple_unknown_contacts",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0, 0.3, 0.4, 0.5}},
    {Channel::kPoliceIntelligence,
     EventKind::kIntelligence,
     "peers_exploited",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0, 0.2, 0.3, 0.3}},
    {Channel::kSchool,
     EventKind::kSchoolAbsence,
     "persistent",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0, 0.8, 0.8, 0.6}},
    {Channel::kSchool, EventKind::kSchoolAbsence, "severe", Need::kNone, Where::kNone, 0, false, {0, 0.3, 0.5, 0.8}},
    {Channel::kSchool,
     EventKind::kSchoolAbsence,
     "not_in_education",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0, 0.1, 0.2, 0.3}},
    {Channel::kSchool,
     EventKind::kSchoolExclusion,
     "fixed_term",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0, 0.5, 0.6, 0.6}},
    {Channel::kSchool,
     EventKind::kSchoolExclusion,
     "permanent",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0, 0.05, 0.1, 0.15}},
    {Channel::kPoliceOccurrence,
     EventKind::kSighting,
     "child_with_adult",
     Need::kOffender,
     Where::kConcern,
     0,
     false,
     {0, 0.5, 1.0, 1.6}},
    {Channel::kCouncil,
     EventKind::kSighting,
     "child_with_adult",
     Need::kOffender,
     Where::kConcern,
     0,
     false,
     {0, 0.3, 0.5, 0.9}},
    {Channel::kPoliceOccurrence,
     EventKind::kSighting,
     "child_at_place",
     Need::kNone,
     Where::kConcern,
     0,
     false,
     {0, 0.3, 0.4, 0.5}},
    {Channel::kCouncil,
     EventKind::kSighting,
     "child_at_place",
     Need::kNone,
     Where::kConcern,
     0,
     false,
     {0, 0.1, 0.2, 0.3}},
};

// Noise menu: ordinary events every child may have (weight[0] for all children).
const MenuItem kNoiseMenu[] = {
    {Channel::kAe, EventKind::kHealthAttendance, "routine", Need::kNone, Where::kNone, 0, false, {3, 0, 0, 0}},
    {Channel::kAe,
     EventKind::kHealthAttendance,
     "injury_unexplained",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0.08, 0, 0, 0}},
    {Channel::kAe, EventKind::kHealthAttendance, "self_harm", Need::kNone, Where::kNone, 11, false, {0.15, 0, 0, 0}},
    {Channel::kAe, EventKind::kHealthAttendance, "alcohol", Need::kNone, Where::kNone, 13, false, {0.12, 0, 0, 0}},
    {Channel::kAe, EventKind::kHealthAttendance, "drugs", Need::kNone, Where::kNone, 13, false, {0.05, 0, 0, 0}},
    {Channel::kSexualHealth,
     EventKind::kHealthAttendance,
     "routine",
     Need::kNone,
     Where::kNone,
     14,
     false,
     {0.45, 0, 0, 0}},
    {Channel::kSexualHealth,
     EventKind::kHealthAttendance,
     "sti",
     Need::kNone,
     Where::kNone,
     15,
     false,
     {0.05, 0, 0, 0}},
    {Channel::kSexualHealth,
     EventKind::kHealthAttendance,
     "pregnancy",
     Need::kNone,
     Where::kNone,
     15,
     true,
     {0.03, 0, 0, 0}},
    {Channel::kSchool, EventKind::kSchoolAbsence, "persistent", Need::kNone, Where::kNone, 0, false, {1.5, 0, 0, 0}},
    {Channel::kSchool, EventKind::kSchoolAbsence, "severe", Need::kNone, Where::kNone, 0, false, {0.2, 0, 0, 0}},
    {Channel::kSchool,
     EventKind::kSchoolAbsence,
     "not_in_education",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0.05, 0, 0, 0}},
    {Channel::kSchool, EventKind::kSchoolExclusion, "fixed_term", Need::kNone, Where::kNone, 0, false, {0.6, 0, 0, 0}},
    {Channel::kSchool, EventKind::kSchoolExclusion, "permanent", Need::kNone, Where::kNone, 0, false, {0.03, 0, 0, 0}},
    {Channel::kCouncil, EventKind::kReferral, nullptr, Need::kNone, Where::kNone, 0, false, {1.1, 0, 0, 0}},
    {Channel::kCouncil, EventKind::kReferral, "other", Need::kNone, Where::kNone, 0, false, {0.3, 0, 0, 0}},
    {Channel::kCouncil,
     EventKind::kMissingEpisode,
     "missing_day",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0.15, 0, 0, 0}},
    {Channel::kCouncil,
     EventKind::kMissingEpisode,
     "missing_overnight",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0.08, 0, 0, 0}},
    {Channel::kCouncil,
     EventKind::kMissingEpisode,
     "whereabouts_unclear",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0.1, 0, 0, 0}},
    {Channel::kPoliceOccurrence,
     EventKind::kPoliceIncident,
     "antisocial",
     Need::kNone,
     Where::kOrdinaryOptional,
     0,
     false,
     {0.5, 0, 0, 0}},
    {Channel::kPoliceOccurrence,
     EventKind::kPoliceIncident,
     "assault",
     Need::kOrdinaryAdult,
     Where::kOrdinaryOptional,
     0,
     false,
     {0.25, 0, 0, 0}},
    {Channel::kPoliceOccurrence,
     EventKind::kPoliceIncident,
     "other",
     Need::kNone,
     Where::kOrdinaryOptional,
     0,
     false,
     {0.3, 0, 0, 0}},
    {Channel::kPoliceOccurrence,
     EventKind::kPoliceIncident,
     "drugs",
     Need::kNone,
     Where::kOrdinaryOptional,
     13,
     false,
     {0.08, 0, 0, 0}},
    {Channel::kPoliceOccurrence,
     EventKind::kPoliceIncident,
     "alcohol",
     Need::kNone,
     Where::kOrdinaryOptional,
     13,
     false,
     {0.1, 0, 0, 0}},
    {Channel::kPoliceOccurrence,
     EventKind::kSighting,
     "child_at_place",
     Need::kNone,
     Where::kOrdinary,
     0,
     false,
     {0.04, 0, 0, 0}},
    {Channel::kPoliceIntelligence,
     EventKind::kIntelligence,
     "multiple_unknown_contacts",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0.02, 0, 0, 0}},
    {Channel::kPoliceIntelligence,
     EventKind::kIntelligence,
     "gifts_money",
     Need::kNone,
     Where::kNone,
     0,
     false,
     {0.01, 0, 0, 0}},
};

class WorldBuilder {
 public:
  WorldBuilder(const WorldOptions& options, const ReferenceData& ref, const AgencyRouting& routing)
      : options_(options), ref_(ref), routing_(routing), rng_(options.seed, 1), time_rng_(options.seed, 7) {}

  World Build() {
    BuildPlaces();
    BuildChildren();
    BuildAdults();
    BuildNetworks();
    KeepTargetedHomes();
    PlanChildEvents();
    PlanAdultEvents();
    MarkHomesOfConcern();
    return std::move(world_);
  }

 private:
  // --- places -------------------------------------------------------------
  int AddPlace(PlaceType type, int district, bool of_concern) {
    TruePlace place;
    place.type = type;
    place.district = district;
    place.of_concern = of_concern;
    for (int attempt = 0; attempt < 50; ++attempt) {
      place.name = FictionalPlaceName(type, rng_);
      if (place_names_.insert(place.name).second) break;
    }
    const Sector& sector = ref_.sectors[district][ref_.sector_index[district].Draw(rng_)];
    place.postcode = UnitPostcode(sector, rng_);
    place.lat = std::round((sector.lat + (rng_.Uniform() - 0.5) * 0.01) * 1e5) / 1e5;
    place.lon = std::round((sector.lon + (rng_.Uniform() - 0.5) * 0.016) * 1e5) / 1e5;
    world_.places.push_back(std::move(place));
    return static_cast<int>(world_.places.size() - 1);
  }

  int DrawDistrict() { return static_cast<int>(ref_.district_index.Draw(rng_)); }

  void BuildPlaces() {
    for (const auto& [type, base] : kConcernPlaces) {
      const size_t n = Scaled(base, options_.scale);
      for (size_t i = 0; i < n; ++i) {
        const int place = AddPlace(type, DrawDistrict(), true);
        concern_by_district_[world_.places[place].district].push_back(place);
        if (type == PlaceType::kChildrensHome) homes_by_district_[world_.places[place].district].push_back(place);
      }
    }
    // Every district gets schools (children attend one in their district).
    const size_t schools = Scaled(kSchools, options_.scale, kDistrictCount);
    for (size_t i = 0; i < schools; ++i) {
      const int district = i < kDistrictCount ? static_cast<int>(i) : DrawDistrict();
      schools_by_district_[district].push_back(AddPlace(PlaceType::kSchool, district, false));
    }
    static constexpr std::array<std::pair<PlaceType, double>, 8> kOrdinaryMix = {{{PlaceType::kPark, 3},
                                                                                  {PlaceType::kShoppingCentre, 1.5},
                                                                                  {PlaceType::kSupermarket, 2},
                                                                                  {PlaceType::kTakeaway, 2.5},
                                                                                  {PlaceType::kHotel, 1},
                                                                                  {PlaceType::kTaxiRank, 0.7},
                                                                                  {PlaceType::kResidential, 3},
                                                                                  {PlaceType::kOther, 3}}};
    std::vector<double> weights;
    for (const auto& entry : kOrdinaryMix) weights.push_back(entry.second);
    const WeightedIndex type_index(weights);
    const size_t ordinary = Scaled(kOrdinaryPlaces, options_.scale, kDistrictCount);
    for (size_t i = 0; i < ordinary; ++i) {
      const int district = i < kDistrictCount ? static_cast<int>(i) : DrawDistrict();
      ordinary_by_district_[district].push_back(AddPlace(kOrdinaryMix[type_index.Draw(rng_)].first, district, false));
    }
  }

  // --- people ---------------------------------------------------------------
  std::string NextNhsNumber() {
    // Numbers from the 999 range NHS England reserves for testing, via an affine
    // permutation so they look scattered but never repeat.
    for (;;) {
      const uint64_t counter = nhs_counter_++;
      const uint64_t block = counter / 1000000;
      const uint64_t body = (counter % 1000000 * 7919 + 123457 + options_.seed % 1000000) % 1000000;
      char first9[16];
      std::snprintf(first9, sizeof first9, "%03d%06d", static_cast<int>(999 - block), static_cast<int>(body));
      const int check = NhsCheckDigit(first9);
      if (check < 0) continue;
      return std::string(first9) + static_cast<char>('0' + check);
    }
  }

  std::string NextUpn(const TruePerson& child) {
    const int district = child.district;
    const int year = (child.dob.year() + 5) % 100;  // allocated on entry to reception
    const int serial = upn_serial_[district]++;
    char body[16];
    // LA (3) + establishment (4) + year (2) + serial (3); the serial overflows into the establishment number.
    std::snprintf(body, sizeof body, "%03d%04d%02d%03d", kLaCodes[district], 2000 + serial / 1000 % 8000, year,
                  serial % 1000);
    auto letter = UpnCheckLetter(body);
    return std::string(1, letter.ok() ? *letter : 'A') + body;
  }

  NameOrigin DrawOrigin(int district) {
    const auto& mix = kOriginMix[district];
    double u = rng_.Uniform(), acc = 0;
    for (int i = 0; i < kNameOriginCount; ++i) {
      acc += mix[i];
      if (u < acc) return static_cast<NameOrigin>(i);
    }
    return NameOrigin::kOther;
  }

  void NamePerson(TruePerson& person) {
    const int origin = static_cast<int>(person.origin);
    const auto& given = person.child ? ref_.child_given[origin][person.sex] : ref_.adult_given[origin][person.sex];
    person.forename = given.Draw(rng_);
    // A few names carry diacritics in the family's own spelling (Zoë); agencies differ in keeping them.
    static const std::array<std::pair<std::string_view, std::string_view>, 6> kDiacritics = {{{"Zoe", "Zoë"},
                                                                                              {"Chloe", "Chloë"},
                                                                                              {"Renee", "Renée"},
                                                                                              {"Jose", "José"},
                                                                                              {"Andre", "André"},
                                                                                              {"Noemi", "Noémi"}}};
    for (const auto& [plain, marked] : kDiacritics) {
      if (person.forename == plain && rng_.Chance(0.4)) person.forename = marked;
    }
    person.surname = ref_.surname[origin][person.sex].Draw(rng_);
    if (person.child && rng_.Chance(0.03)) {
      // Double-barrelled surnames, a source of hyphen and order variation.
      person.surname += "-" + ref_.surname[origin][person.sex].Draw(rng_);
    }
  }

  void Address(TruePerson& person) {
    const int d = person.district;
    person.postcode = UnitPostcode(ref_.sectors[d][ref_.sector_index[d].Draw(rng_)], rng_);
    person.prev_postcode = UnitPostcode(ref_.sectors[d][ref_.sector_index[d].Draw(rng_)], rng_);
  }

  void BuildChildren() {
    const size_t children = Scaled(kChildren, options_.scale);
    const size_t at_risk = std::min(children, Scaled(kChildrenAtRisk, options_.scale, 3));
    const size_t serious = std::max<size_t>(1, static_cast<size_t>(std::round(at_risk * 0.12)));
    const size_t significant = std::max<size_t>(1, static_cast<size_t>(std::round(at_risk * 0.28)));
    const Date end = options_.period_end;
    for (size_t i = 0; i < children; ++i) {
      TruePerson child;
      child.child = true;
      RiskLevel level = RiskLevel::kNoCurrentRisk;
      if (i < serious)
        level = RiskLevel::kSerious;
      else if (i < serious + significant)
        level = RiskLevel::kSignificant;
      else if (i < at_risk)
        level = RiskLevel::kAtRisk;
      child.level = level;
      // About 30% of children at risk are boys (under-identified, not rare).
      child.sex = level == RiskLevel::kNoCurrentRisk ? static_cast<int>(rng_.Index(2)) : (rng_.Chance(0.30) ? 1 : 0);
      // Aged 10-17 on the period end; children at risk skew to 13-16.
      int age = static_cast<int>(rng_.Between(10, 17));
      if (level != RiskLevel::kNoCurrentRisk && age < 13 && rng_.Chance(0.7))
        age = static_cast<int>(rng_.Between(13, 16));
      const Date latest =
          *Date::FromYmd(end.year() - age, end.month(), end.day() == 29 && end.month() == 2 ? 28 : end.day());
      child.dob = latest.AddDays(-static_cast<int32_t>(rng_.Between(0, 364)));
      child.district = DrawDistrict();
      child.origin = DrawOrigin(child.district);
      NamePerson(child);
      if (rng_.Chance(0.03)) child.alt_surname = ref_.surname[static_cast<int>(child.origin)][child.sex].Draw(rng_);
      Address(child);
      child.nhs_number = NextNhsNumber();
      child.upn = NextUpn(child);
      child.school = rng_.Pick(schools_by_district_[child.district]);
      child.looked_after = rng_.Chance(level == RiskLevel::kNoCurrentRisk ? 0.04 : 0.35);
      const auto& homes = homes_by_district_[child.district];
      if (child.looked_after && !homes.empty() && rng_.Chance(level == RiskLevel::kNoCurrentRisk ? 0.15 : 0.45)) {
        child.home_place = rng_.Pick(homes);
        child.postcode = world_.places[child.home_place].postcode;
      }
      world_.people.push_back(std::move(child));
    }
    // Shuffle the order so person keys do not reveal the level.
    rng_.Shuffle(world_.people);
  }

  uint32_t AddAdult(int district, bool offender) {
    TruePerson adult;
    adult.offender = offender;
    adult.sex = offender ? (rng_.Chance(0.9) ? 1 : 0) : static_cast<int>(rng_.Index(2));
    const int age = offender ? static_cast<int>(18 + std::min<int64_t>(rng_.Between(0, 25), rng_.Between(0, 40)))
                             : static_cast<int>(rng_.Between(18, 70));
    adult.dob = *Date::FromYmd(options_.period_end.year() - age, 1, 1);
    adult.dob = adult.dob.AddDays(-static_cast<int32_t>(rng_.Between(0, 364)));
    adult.district = district;
    adult.origin = DrawOrigin(district);
    NamePerson(adult);
    Address(adult);
    world_.people.push_back(std::move(adult));
    return static_cast<uint32_t>(world_.people.size() - 1);
  }

  void BuildAdults() {
    const size_t adults = Scaled(kOrdinaryAdults, options_.scale);
    for (size_t i = 0; i < adults; ++i) {
      const int district = DrawDistrict();
      ordinary_adults_by_district_[district].push_back(AddAdult(district, false));
    }
  }

  // --- networks -------------------------------------------------------------
  void BuildNetworks() {
    const size_t offenders_total = Scaled(kOffenders, options_.scale, 3);
    const size_t networks = Scaled(kNetworks, options_.scale);
    // Children to be linked to offenders: most serious and significant, a third of at risk.
    std::array<std::vector<uint32_t>, kDistrictCount> linkable;
    for (uint32_t p = 0; p < world_.people.size(); ++p) {
      const TruePerson& person = world_.people[p];
      if (!person.child || person.level == RiskLevel::kNoCurrentRisk) continue;
      const double p_link = person.level == RiskLevel::kSerious       ? 0.9
                            : person.level == RiskLevel::kSignificant ? 0.75
                                                                      : 0.35;
      if (rng_.Chance(p_link)) linkable[person.district].push_back(p);
    }
    auto take_child = [&](int district) -> int64_t {
      if (linkable[district].empty() || rng_.Chance(0.25)) {
        for (int step = 0; step < kDistrictCount; ++step) {
          const int d = (district + 1 + static_cast<int>(rng_.Index(kDistrictCount)) + step) % kDistrictCount;
          if (!linkable[d].empty()) {
            district = d;
            break;
          }
        }
      }
      if (linkable[district].empty()) return -1;
      const uint32_t child = linkable[district].back();
      linkable[district].pop_back();
      return child;
    };
    // Places a network can use: every place of concern but children's homes, by district, in random order.
    std::array<std::vector<int>, kDistrictCount> unused;
    for (int d = 0; d < kDistrictCount; ++d) {
      for (int place : concern_by_district_[d]) {
        if (world_.places[place].type != PlaceType::kChildrensHome) unused[d].push_back(place);
      }
      rng_.Shuffle(unused[d]);
    }
    size_t offenders_used = 0;
    const size_t network_budget = offenders_total * 3 / 4;
    for (size_t n = 0; n < networks; ++n) {
      TrueNetwork network;
      network.district = DrawDistrict();
      // Sizes 3-15, mostly small; capped by the offender budget.
      size_t size = static_cast<size_t>(3 + std::min<int64_t>(rng_.Between(0, 12), rng_.Between(0, 12)));
      const size_t left_networks = networks - n;
      const size_t budget_left = network_budget > offenders_used ? network_budget - offenders_used : 0;
      size = std::min(size, std::max<size_t>(3, budget_left / left_networks * 2));
      for (size_t m = 0; m < size; ++m) {
        const uint32_t member = AddAdult(rng_.Chance(0.8) ? network.district : DrawDistrict(), true);
        world_.people[member].network = static_cast<int>(n);
        network.members.push_back(member);
      }
      offenders_used += size;
      // Two places (sometimes three), the network's own where possible; a few are shared
      // with one other network, never more, so networks stay separable by place.
      const size_t place_count = 2 + (rng_.Chance(0.15) ? 1 : 0);
      for (size_t k = 0; k < place_count; ++k) {
        int district = network.district;
        for (int step = 1; step < kDistrictCount && unused[district].empty(); ++step) {
          district = (network.district + step) % kDistrictCount;
        }
        const bool share = k > 0 && rng_.Chance(0.05);
        if (!unused[district].empty() && !share) {
          network.places.push_back(unused[district].back());
          unused[district].pop_back();
          ++place_use_[network.places.back()];
          continue;
        }
        std::vector<int> once;
        for (const auto& [place, uses] : place_use_) {
          if (uses == 1 && std::find(network.places.begin(), network.places.end(), place) == network.places.end())
            once.push_back(place);
        }
        if (once.empty()) continue;
        network.places.push_back(rng_.Pick(once));
        ++place_use_[network.places.back()];
      }
      // Some networks target a children's home.
      const auto& homes = homes_by_district_[network.district];
      if (!homes.empty() && rng_.Chance(0.2)) network.places.push_back(rng_.Pick(homes));
      const size_t victims = static_cast<size_t>(rng_.Between(3, 10));
      for (size_t v = 0; v < victims; ++v) {
        const int64_t child = take_child(network.district);
        if (child < 0) break;
        network.victims.push_back(static_cast<uint32_t>(child));
        world_.people[child].network = static_cast<int>(n);
      }
      for (uint32_t victim : network.victims) {
        // Each victim knows a few members; the first member is the most connected.
        const size_t known = std::min(network.members.size(), static_cast<size_t>(rng_.Between(2, 4)));
        std::set<uint32_t> chosen = {network.members[0]};
        while (chosen.size() < known) chosen.insert(rng_.Pick(network.members));
        for (uint32_t member : chosen) Link(victim, member);
      }
      world_.networks.push_back(std::move(network));
    }
    // Lone offenders, each with one to three victims (children not already in a network).
    const size_t lone = offenders_total > offenders_used ? offenders_total - offenders_used : 0;
    for (size_t i = 0; i < lone; ++i) {
      const int district = DrawDistrict();
      const uint32_t offender = AddAdult(district, true);
      const size_t victims = static_cast<size_t>(rng_.Between(1, 3));
      for (size_t v = 0; v < victims; ++v) {
        const int64_t child = take_child(district);
        if (child < 0) break;
        Link(static_cast<uint32_t>(child), offender);
      }
      // A lone offender's place: one no network uses where any is left.
      if (!unused[district].empty()) {
        lone_place_[offender] = unused[district].back();
        unused[district].pop_back();
      } else {
        // Lone offenders meet children at venues; only networks are planted targeting a children's home.
        std::vector<int> venues;
        for (int place : concern_by_district_[district]) {
          if (world_.places[place].type != PlaceType::kChildrensHome) venues.push_back(place);
        }
        lone_place_[offender] = venues.empty() ? -1 : rng_.Pick(venues);
      }
    }
  }

  // A children's home is where looked-after children live: a place of concern only where exploitation points
  // there. Homes no network or lone offender uses leave the pool of places children are seen at by chance.
  void KeepTargetedHomes() {
    for (const TrueNetwork& network : world_.networks) targeted_.insert(network.places.begin(), network.places.end());
    for (const auto& [offender, place] : lone_place_) targeted_.insert(place);
    for (auto& places : concern_by_district_) {
      std::erase_if(places, [&](int place) {
        return world_.places[place].type == PlaceType::kChildrensHome && !targeted_.contains(place);
      });
    }
  }

  // After planning: a home is of concern when targeted, or when a planted offender was seen there with a child.
  void MarkHomesOfConcern() {
    std::set<int> seen_with_offender;
    for (const PlannedEvent& event : world_.events) {
      if (event.place >= 0 && event.associate >= 0 && world_.people[event.associate].offender)
        seen_with_offender.insert(event.place);
    }
    for (size_t i = 0; i < world_.places.size(); ++i) {
      TruePlace& place = world_.places[i];
      if (place.type != PlaceType::kChildrensHome || !place.of_concern) continue;
      const int index = static_cast<int>(i);
      place.of_concern = targeted_.contains(index) || seen_with_offender.contains(index);
    }
  }

  void Link(uint32_t child, uint32_t offender) {
    world_.people[child].links.push_back(offender);
    world_.people[offender].links.push_back(child);
  }

  // --- events ---------------------------------------------------------------
  int32_t DateIn(int32_t from, int32_t to) {
    const int32_t start = options_.period_start.days(), end = options_.period_end.days();
    // A few events come from the year before the period (history agencies still send).
    if (rng_.Chance(0.04)) return start - static_cast<int32_t>(rng_.Between(1, 365));
    from = std::max(from, start);
    to = std::min(to, end);
    if (to < from) to = from;
    return static_cast<int32_t>(rng_.Between(from, to));
  }

  void Emit(Channel channel, EventKind kind, const char* category, uint32_t subject, int32_t associate, int32_t place,
            int32_t date) {
    const TruePerson& person = world_.people[subject];
    int district = person.district;
    // A few children are known outside their home district (placements, moves).
    if (rng_.Chance(0.03)) district = static_cast<int>(rng_.Index(kDistrictCount));
    PlannedEvent event;
    event.date = date;
    event.subject = subject;
    event.associate = associate;
    event.place = place;
    event.seq = static_cast<uint32_t>(world_.events.size());
    event.event_key = event.seq;
    event.kind = kind;
    event.category = category;
    if (channel == Channel::kPoliceOccurrence) PlanTime(event);
    switch (channel) {
      case Channel::kCouncil:
        event.extract = static_cast<uint16_t>(routing_.council[district]);
        break;
      case Channel::kSchool:
        event.extract = static_cast<uint16_t>(routing_.school[person.district]);
        break;
      case Channel::kAe:
        event.extract = static_cast<uint16_t>(routing_.ae[district]);
        break;
      case Channel::kSexualHealth:
        event.extract = static_cast<uint16_t>(routing_.sexual_health);
        break;
      case Channel::kPoliceOccurrence:
        event.extract = static_cast<uint16_t>(routing_.police_occurrence);
        break;
      case Channel::kPoliceIntelligence:
        event.extract = static_cast<uint16_t>(routing_.police_intelligence);
        break;
    }
    world_.events.push_back(event);
  }

  // A plausible time of day for a police occurrence, from its own random stream (so that times never shift the
  // rest of the world): exploitation at a place of concern clusters around that place's own evening hour and
  // on Friday and Saturday nights; missing reports come in the afternoon and evening; other incidents spread
  // over the day.
  void PlanTime(PlannedEvent& event) {
    const bool at_concern = event.place >= 0 && world_.places[static_cast<size_t>(event.place)].of_concern;
    const std::string_view category = event.category;
    const bool exploitation = event.kind == EventKind::kSighting ||
                              (event.kind == EventKind::kPoliceIncident && category == "sexual_offence");
    int hour;
    if (exploitation && at_concern) {
      const int peak = 18 + (event.place * 5) % 7;  // 18:00 .. 24:00
      hour = peak + static_cast<int>(time_rng_.Between(-2, 2) + time_rng_.Between(-1, 1));
      // Friday and Saturday nights: move some to the next one (never past the period's end).
      const int weekday = ((event.date % 7) + 7 + 3) % 7;  // Monday 0
      if (time_rng_.Chance(0.45) && weekday != 4 && weekday != 5) {
        const int32_t moved = event.date + (4 - weekday + 7) % 7 + static_cast<int32_t>(time_rng_.Between(0, 1));
        if (moved <= options_.period_end.days()) event.date = moved;
      }
    } else if (event.kind == EventKind::kMissingEpisode) {
      hour = static_cast<int>(time_rng_.Between(14, 23));
    } else {
      hour = time_rng_.Chance(0.8) ? static_cast<int>(time_rng_.Between(7, 23)) : static_cast<int>(time_rng_.Index(24));
    }
    hour = ((hour % 24) + 24) % 24;
    event.minute = static_cast<int16_t>(hour * 60 + static_cast<int>(time_rng_.Between(0, 59)));
  }

  int32_t OffenderFor(const TruePerson& child) {
    if (child.links.empty()) return -1;
    // The first-linked offender (the network's most active member) is seen most.
    if (rng_.Chance(0.4)) return static_cast<int32_t>(child.links.front());
    return static_cast<int32_t>(rng_.Pick(child.links));
  }

  int32_t ConcernPlaceFor(const TruePerson& child) {
    if (child.network >= 0) {
      const auto& places = world_.networks[child.network].places;
      if (!places.empty() && rng_.Chance(0.9)) return rng_.Pick(places);
    } else if (!child.links.empty()) {
      auto it = lone_place_.find(child.links.front());
      if (it != lone_place_.end() && it->second >= 0 && rng_.Chance(0.8)) return it->second;
    }
    if (child.home_place >= 0 && rng_.Chance(0.3)) return child.home_place;
    const auto& places = concern_by_district_[child.district];
    return places.empty() ? -1 : rng_.Pick(places);
  }

  int32_t OrdinaryPlace(int district) {
    const auto& places = ordinary_by_district_[district];
    return places.empty() ? -1 : rng_.Pick(places);
  }

  int32_t OrdinaryAdult(int district) {
    const auto& adults = ordinary_adults_by_district_[district];
    return adults.empty() ? -1 : static_cast<int32_t>(rng_.Pick(adults));
  }

  const char* Vulnerability(const TruePerson& child) {
    static const WeightedIndex index(
        std::vector<double>(std::begin(kVulnerabilityWeights), std::end(kVulnerabilityWeights)));
    if (child.looked_after && rng_.Chance(0.5)) return "looked_after";
    const char* category = kVulnerabilities[index.Draw(rng_)];
    if (std::string_view(category) == "looked_after" && !child.looked_after) return "family_breakdown";
    return category;
  }

  // Plans one menu item for a child at a date; returns false when it does not fit (age, sex).
  bool PlanItem(const MenuItem& item, uint32_t child_index, int32_t date) {
    const TruePerson& child = world_.people[child_index];
    const int age = Date::AgeOn(child.dob, Date::FromDays(date));
    if (age < item.min_age || (item.female_only && child.sex != 0)) return false;
    int32_t associate = -1;
    switch (item.associate) {
      case Need::kNone:
        break;
      case Need::kOffender:
        associate = OffenderFor(child);
        // Children not linked to a planted offender are sometimes seen with an ordinary adult (false-positive
        // pressure).
        if (associate < 0 && rng_.Chance(0.3)) associate = OrdinaryAdult(child.district);
        break;
      case Need::kOffenderOptional:
        if (rng_.Chance(0.5)) associate = OffenderFor(child);
        break;
      case Need::kOrdinaryAdult:
        if (rng_.Chance(0.3)) associate = OrdinaryAdult(child.district);
        break;
    }
    int32_t place = -1;
    switch (item.place) {
      case Where::kNone:
        break;
      case Where::kConcern:
        place = ConcernPlaceFor(child);
        break;
      case Where::kConcernOptional:
        if (rng_.Chance(0.6)) place = ConcernPlaceFor(child);
        break;
      case Where::kOrdinary:
        place = OrdinaryPlace(child.district);
        break;
      case Where::kOrdinaryOptional:
        if (rng_.Chance(0.4)) place = OrdinaryPlace(child.district);
        break;
    }
    const char* category = item.category != nullptr ? item.category : Vulnerability(child);
    if (item.kind == EventKind::kMissingEpisode) {
      // One episode is usually recorded by both the police and children's services.
      if (child.home_place >= 0) place = child.home_place;
      const bool police = rng_.Chance(0.75);
      const bool council = !police || rng_.Chance(0.6);
      if (police) Emit(Channel::kPoliceOccurrence, item.kind, category, child_index, -1, place, date);
      const int32_t council_date =
          std::min(date + static_cast<int32_t>(rng_.Between(0, 2)), options_.period_end.days());
      if (council) Emit(Channel::kCouncil, item.kind, category, child_index, -1, place, std::max(council_date, date));
      // Both records are of the one episode (truth/events.csv).
      if (police && council) world_.events.back().event_key = world_.events[world_.events.size() - 2].event_key;
      return true;
    }
    Emit(item.channel, item.kind, category, child_index, associate, place, date);
    return true;
  }

  template <size_t N>
  void DrawFromMenu(const MenuItem (&menu)[N], int weight_column, uint32_t child, int count, int32_t from, int32_t to) {
    std::vector<double> weights;
    for (const MenuItem& item : menu) weights.push_back(item.weight[weight_column]);
    const WeightedIndex index(weights);
    int planned = 0;
    for (int attempt = 0; planned < count && attempt < count * 4; ++attempt) {
      if (PlanItem(menu[index.Draw(rng_)], child, DateIn(from, to))) ++planned;
    }
  }

  void PlanChildEvents() {
    const int32_t start = options_.period_start.days(), end = options_.period_end.days();
    for (uint32_t p = 0; p < world_.people.size(); ++p) {
      const TruePerson& child = world_.people[p];
      if (!child.child) continue;
      // Ordinary events for everyone: at least one, so every child is known to an agency.
      const int noise = std::max(1, 1 + rng_.Poisson(child.level == RiskLevel::kNoCurrentRisk ? 1.7 : 1.0));
      DrawFromMenu(kNoiseMenu, 0, p, noise, start, end);
      if (child.level == RiskLevel::kNoCurrentRisk) continue;
      const int level = static_cast<int>(child.level);
      // Risk concentrates in a window of a few months.
      const int32_t window_start = static_cast<int32_t>(rng_.Between(start - 60, end - 120));
      const int32_t window_end = window_start + static_cast<int32_t>(rng_.Between(120, 300));
      static constexpr int kBase[4] = {0, 4, 7, 10};
      static constexpr double kExtra[4] = {0, 3, 5, 8};
      DrawFromMenu(kRiskMenu, level, p, kBase[level] + rng_.Poisson(kExtra[level]), window_start, window_end);
      const double p_disclosure = child.level == RiskLevel::kSerious       ? 0.55
                                  : child.level == RiskLevel::kSignificant ? 0.06
                                                                           : 0.0;
      const double p_offence = child.level == RiskLevel::kSerious       ? 0.45
                               : child.level == RiskLevel::kSignificant ? 0.08
                                                                        : 0.01;
      if (rng_.Chance(p_disclosure))
        Emit(Channel::kCouncil, EventKind::kReferral, "disclosure_cse", p, -1, -1, DateIn(window_start, window_end));
      if (rng_.Chance(p_offence)) {
        Emit(Channel::kPoliceOccurrence, EventKind::kPoliceIncident, "sexual_offence", p, OffenderFor(child),
             rng_.Chance(0.5) ? ConcernPlaceFor(child) : -1, DateIn(window_start, window_end));
      }
    }
  }

  void PlanAdultEvents() {
    const int32_t start = options_.period_start.days(), end = options_.period_end.days();
    static const char* const kAdultIncidents[] = {"antisocial", "assault", "drugs", "alcohol", "other"};
    for (uint32_t p = 0; p < world_.people.size(); ++p) {
      const TruePerson& adult = world_.people[p];
      if (adult.child) continue;
      if (!adult.offender) {
        // Ordinary adults appear in police data for everyday incidents.
        const int count = 1 + rng_.Poisson(0.7);
        for (int i = 0; i < count; ++i) {
          Emit(Channel::kPoliceOccurrence, EventKind::kPoliceIncident, kAdultIncidents[rng_.Index(5)], p, -1,
               rng_.Chance(0.4) ? OrdinaryPlace(adult.district) : -1, DateIn(start, end));
        }
        continue;
      }
      PlanOffenderEvents(p);
    }
    // Hotel notices and licensing referrals against the places networks use.
    for (const TrueNetwork& network : world_.networks) {
      for (int place : network.places) {
        const PlaceType type = world_.places[place].type;
        if (type == PlaceType::kHotel && rng_.Chance(0.6)) {
          const int notices = 1 + static_cast<int>(rng_.Index(2));
          for (int i = 0; i < notices; ++i) {
            Emit(Channel::kPoliceOccurrence, EventKind::kDisruption, "hotel_notice", rng_.Pick(network.members), -1,
                 place, DateIn(start, end));
          }
        }
        if ((type == PlaceType::kTaxiRank || type == PlaceType::kTakeaway) && rng_.Chance(0.35)) {
          Emit(Channel::kPoliceOccurrence, EventKind::kDisruption, "licensing_referral", rng_.Pick(network.members), -1,
               place, DateIn(start, end));
        }
      }
    }
  }

  void PlanOffenderEvents(uint32_t p) {
    const int32_t start = options_.period_start.days(), end = options_.period_end.days();
    const TruePerson& offender = world_.people[p];
    const TrueNetwork* network = offender.network >= 0 ? &world_.networks[offender.network] : nullptr;
    auto offender_place = [&]() -> int32_t {
      if (network != nullptr && !network->places.empty()) return rng_.Pick(network->places);
      auto it = lone_place_.find(p);
      return it != lone_place_.end() ? it->second : -1;
    };
    const int intel = 1 + rng_.Poisson(network != nullptr ? 1.5 : 1.0);
    for (int i = 0; i < intel; ++i) {
      int32_t associate = -1;
      const double u = rng_.Uniform();
      if (u < 0.4 && !offender.links.empty())
        associate = static_cast<int32_t>(rng_.Pick(offender.links));
      else if (u < 0.7 && network != nullptr && network->members.size() > 1) {
        const uint32_t other = rng_.Pick(network->members);
        if (other != p) associate = static_cast<int32_t>(other);
      }
      Emit(Channel::kPoliceIntelligence, EventKind::kIntelligence, "suspected_exploiter", p, associate,
           rng_.Chance(0.6) ? offender_place() : -1, DateIn(start, end));
    }
    if (rng_.Chance(0.3)) {
      const int32_t arrested = DateIn(start, end);
      const int32_t victim = offender.links.empty() ? -1 : static_cast<int32_t>(rng_.Pick(offender.links));
      Emit(Channel::kPoliceOccurrence, EventKind::kArrest, "cse_offence", p, victim, -1, arrested);
      if (rng_.Chance(0.4)) {
        Emit(Channel::kPoliceOccurrence, EventKind::kCharge, "cse_offence", p, victim, -1,
             std::min(arrested + static_cast<int32_t>(rng_.Between(1, 60)), end));
      }
    } else if (rng_.Chance(0.08)) {
      Emit(Channel::kPoliceOccurrence, EventKind::kArrest, "other", p, -1, -1, DateIn(start, end));
    }
    if (!offender.links.empty() && rng_.Chance(0.25)) {
      Emit(Channel::kPoliceOccurrence, EventKind::kDisruption, "cawn", p,
           static_cast<int32_t>(rng_.Pick(offender.links)), -1, DateIn(start, end));
    }
    if (rng_.Chance(0.03)) {
      Emit(Channel::kPoliceOccurrence, EventKind::kDisruption, "sexual_risk_order", p, -1, -1, DateIn(start, end));
    }
    if (rng_.Chance(0.4)) {
      static const char* const kOther[] = {"assault", "drugs", "other", "antisocial"};
      Emit(Channel::kPoliceOccurrence, EventKind::kPoliceIncident, kOther[rng_.Index(4)], p, -1, -1,
           DateIn(start, end));
    }
  }

  const WorldOptions& options_;
  const ReferenceData& ref_;
  const AgencyRouting& routing_;
  Rng rng_;
  Rng time_rng_;  // times of day only (PlanTime)
  World world_;
  std::set<std::string> place_names_;
  std::array<std::vector<int>, kDistrictCount> concern_by_district_;
  std::array<std::vector<int>, kDistrictCount> homes_by_district_;
  std::array<std::vector<int>, kDistrictCount> schools_by_district_;
  std::array<std::vector<int>, kDistrictCount> ordinary_by_district_;
  std::array<std::vector<uint32_t>, kDistrictCount> ordinary_adults_by_district_;
  std::map<int, int> place_use_;  // place -> networks using it (ordered: deterministic)
  std::set<int> targeted_;        // places a network or a lone offender uses
  std::map<uint32_t, int> lone_place_;
  uint64_t nhs_counter_ = 0;
  std::array<int, kDistrictCount> upn_serial_{};
};

}  // namespace

World BuildWorld(const WorldOptions& options, const ReferenceData& ref, const AgencyRouting& routing) {
  return WorldBuilder(options, ref, routing).Build();
}

}  // namespace riskradar::synth
