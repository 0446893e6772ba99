// Agency extract writers: each format has its own columns, codes, date formats
// and habits, and each record carries independent, realistic recording errors.
#include "extracts.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <map>
#include <optional>

#include "place_names.h"

namespace riskradar::synth {
namespace {

using Json = nlohmann::ordered_json;

// --- codes per format --------------------------------------------------------

struct Codes {
  std::string_view category;
  std::string_view council_a, council_b, council_c;
};
// Council category codes (display text, short code, legacy upper case).
constexpr std::array<Codes, 24> kCouncilCodes = {{
    {"cse_concern", "CSE concern", "CSE", "CSE RISK"},
    {"disclosure_cse", "Disclosure of CSE", "CSE-DISC", "CSE DISCLOSURE"},
    {"gifts_money", "Gifts / money", "GIFTS", "GIFTS OR MONEY"},
    {"neglect", "Neglect", "NEG", "NEGLECT"},
    {"physical_abuse", "Physical abuse", "PHYS", "PHYSICAL ABUSE"},
    {"sexual_abuse", "Sexual abuse", "SEXAB", "SEXUAL ABUSE"},
    {"domestic_abuse", "Domestic abuse", "DA", "DOMESTIC ABUSE"},
    {"family_breakdown", "Family breakdown", "FAMBRK", "FAMILY BREAKDOWN"},
    {"parental_substance_misuse", "Parental substance misuse", "PSM", "PARENTAL SUBSTANCE MISUSE"},
    {"parental_mental_health", "Parental mental health", "PMH", "PARENTAL MENTAL HEALTH"},
    {"looked_after", "Looked after", "LAC", "LOOKED AFTER"},
    {"leaving_care", "Leaving care", "CL", "CARE LEAVER"},
    {"learning_disability", "Learning disability", "LD", "LEARNING DISABILITY"},
    {"unsuitable_accommodation", "Unsuitable accommodation", "ACCOM", "UNSUITABLE ACCOMMODATION"},
    {"no_protective_adult", "No protective adult", "NPA", "NO PROTECTIVE ADULT"},
    {"peers_exploited", "Peers exploited", "PEERS", "PEERS EXPLOITED"},
    {"isolation_from_peers", "Isolated from peers", "ISOL", "ISOLATED"},
    {"distrust_of_authority", "Distrust of authority", "DISTRUST", "DISTRUST OF AUTHORITY"},
    {"other", "Other", "OTH", "OTHER"},
    {"missing_overnight", "Missing overnight", "MISS-ON", "MISSING OVERNIGHT"},
    {"missing_day", "Missing (day)", "MISS-DAY", "MISSING DAYTIME"},
    {"whereabouts_unclear", "Whereabouts unclear", "WHEREABOUTS", "WHEREABOUTS UNKNOWN"},
    {"child_with_adult", "Seen with adult", "SEEN-ADULT", "SEEN WITH ADULT"},
    {"child_at_place", "Seen at location", "SEEN-PLACE", "SEEN AT LOCATION"},
}};

std::string_view CouncilCategory(Format format, std::string_view category) {
  for (const Codes& codes : kCouncilCodes) {
    if (codes.category != category) continue;
    if (format == Format::kCouncilA) return codes.council_a;
    if (format == Format::kCouncilB) return codes.council_b;
    return codes.council_c;
  }
  return format == Format::kCouncilA ? "Other" : format == Format::kCouncilB ? "OTH" : "OTHER";
}

// Place type codes: [0] council A display, [1] council B code, [2] upper case (council C, police).
std::string_view PlaceTypeCode(PlaceType type, int style) {
  static constexpr std::array<std::array<std::string_view, 3>, 10> kCodes = {
      {{"Children's Home", "CH", "CHILDRENS HOME"},
       {"Hotel", "HOTEL", "HOTEL"},
       {"Park", "PARK", "PARK"},
       {"Supermarket", "SUPERMARKET", "SUPERMARKET"},
       {"Takeaway", "TAKEAWAY", "TAKEAWAY"},
       {"Taxi Rank", "TAXI", "TAXI RANK"},
       {"Shopping Centre", "SHOPPING", "SHOPPING CENTRE"},
       {"Residential", "ADDRESS", "DWELLING"},
       {"School", "SCHOOL", "SCHOOL"},
       {"Other", "OTHER", "OTHER"}}};
  return kCodes[static_cast<size_t>(type)][static_cast<size_t>(style)];
}

std::string_view PoliceType(EventKind kind) {
  switch (kind) {
    case EventKind::kMissingEpisode:
      return "MISSING";
    case EventKind::kSighting:
      return "SIGHTING";
    case EventKind::kDisruption:
      return "DISRUPTION";
    case EventKind::kArrest:
      return "ARREST";
    case EventKind::kCharge:
      return "CHARGE";
    default:
      return "INCIDENT";
  }
}

std::string_view PoliceClassification(EventKind kind, std::string_view category) {
  static const std::map<std::string_view, std::string_view> kCodes = {
      {"missing_overnight", "MISSING - OVERNIGHT"},
      {"missing_day", "MISSING - NOT OVERNIGHT"},
      {"whereabouts_unclear", "ABSENT - WHEREABOUTS UNCLEAR"},
      {"found_with_adult", "CHILD FOUND WITH ADULT"},
      {"vehicle_unknown_adult", "VEHICLE - UNKNOWN ADULT"},
      {"withdrawn_allegation", "ALLEGATION WITHDRAWN"},
      {"drugs", "DRUGS"},
      {"alcohol", "ALCOHOL"},
      {"antisocial", "ASB"},
      {"sexual_offence", "SEXUAL OFFENCE"},
      {"assault", "ASSAULT"},
      {"child_with_adult", "CHILD WITH ADULT"},
      {"child_at_place", "CHILD AT LOCATION"},
      {"cawn", "CAWN ISSUED"},
      {"hotel_notice", "S116 HOTEL NOTICE"},
      {"sexual_risk_order", "SEXUAL RISK ORDER"},
      {"licensing_referral", "LICENSING REFERRAL"},
      {"cse_offence", "CSE OFFENCE"}};
  if (category == "other")
    return (kind == EventKind::kArrest || kind == EventKind::kCharge) ? "OTHER OFFENCE" : "OTHER";
  auto it = kCodes.find(category);
  return it != kCodes.end() ? it->second : "OTHER";
}

std::string_view IntelligenceCategory(std::string_view category) {
  static const std::map<std::string_view, std::string_view> kCodes = {
      {"relationship_of_concern", "RELATIONSHIP OF CONCERN"},
      {"gifts_money", "GIFTS/MONEY"},
      {"online_grooming", "ONLINE GROOMING"},
      {"sexual_images", "INDECENT IMAGES"},
      {"place_of_concern", "LOCATION OF CONCERN"},
      {"multiple_unknown_contacts", "MULTIPLE UNKNOWN CONTACTS"},
      {"peers_exploited", "PEER EXPLOITATION"},
      {"suspected_exploiter", "SUSPECTED EXPLOITER"}};
  auto it = kCodes.find(category);
  return it != kCodes.end() ? it->second : "SUSPECTED EXPLOITER";
}

std::string_view AeComplaint(std::string_view category, Rng& rng) {
  if (category == "self_harm") return "SH01";
  if (category == "alcohol") return "ETOH";
  if (category == "drugs") return "OD02";
  if (category == "injury_unexplained") return "INJ9";
  if (category == "sexual_assault") return "SA01";
  static constexpr std::array<std::string_view, 6> kRoutine = {"RESP", "MSK", "ABDO", "HEAD", "MINJ", "ALLG"};
  return kRoutine[rng.Index(kRoutine.size())];
}

std::string_view SexualHealthReason(std::string_view category, Rng& rng) {
  if (category == "sti") return "STI_POSITIVE";
  if (category == "pregnancy") return "PREGNANCY_TEST_POSITIVE";
  if (category == "termination") return "TOP_REFERRAL";
  if (category == "sexual_assault") return "SEXUAL_ASSAULT";
  static constexpr std::array<std::string_view, 3> kRoutine = {"CONTRACEPTION", "STI_SCREEN_NEGATIVE", "ADVICE_ONLY"};
  return kRoutine[rng.Index(kRoutine.size())];
}

std::string_view SchoolReason(std::string_view category) {
  if (category == "persistent") return "PA";
  if (category == "severe") return "SA";
  if (category == "not_in_education") return "CME";
  if (category == "fixed_term") return "FTE";
  return "PEX";
}

// Short free text; some with commas and quotes so CSV quoting is exercised.
std::string DetailText(EventKind kind, std::string_view category, Rng& rng) {
  switch (kind) {
    case EventKind::kMissingEpisode: {
      static constexpr std::array<std::string_view, 4> kTexts = {
          "Not returned by agreed time, returned next morning.", "Said she was \"at a friend's\", would not say where.",
          "Reported missing by carer; located by police.", "Returned of own accord, tired and hungry."};
      return std::string(kTexts[rng.Index(kTexts.size())]);
    }
    case EventKind::kSighting:
      return category == "child_with_adult" ? "Seen with an older adult, left together in a car."
                                            : "Seen at the location late evening, no adult present.";
    case EventKind::kReferral:
      return rng.Chance(0.5) ? "Referral received via MASH, strategy discussion held."
                             : "Contact from school, concerns noted.";
    case EventKind::kIntelligence:
      return rng.Chance(0.5) ? "Information received from a member of the public."
                             : "Intelligence from partner agency, graded B2.";
    default:
      return rng.Chance(0.7) ? "" : "See linked occurrence, no further action.";
  }
}

// --- person rendering ------------------------------------------------------------

// How a format writes names, dates of birth and postcodes.
struct Habits {
  bool upper_all = false;      // every name in capitals
  bool upper_surname = false;  // surnames in capitals (police)
  bool fold_always = false;    // the system cannot store diacritics
  double missing_dob = 0.01;
  double missing_postcode = 0.03;
};

Habits HabitsOf(Format format) {
  switch (format) {
    case Format::kCouncilA:
      return {false, false, false, 0.01, 0.02};
    case Format::kCouncilB:
      return {false, false, false, 0.01, 0.03};
    case Format::kCouncilC:
      return {true, true, true, 0.01, 0.03};
    case Format::kAe:
      return {false, false, false, 0.003, 0.01};
    case Format::kSexualHealth:
      return {false, false, false, 0.01, 0.04};
    case Format::kPoliceOccurrence:
      return {false, true, true, 0.03, 0.05};
    case Format::kPoliceIntelligence:
      return {false, true, true, 0.05, 0.08};
    case Format::kSchool:
      return {false, false, false, 0.002, 0.01};
  }
  return {};
}

struct Rendered {
  std::string forename;
  std::string surname;
  std::optional<Date> dob;
  std::string postcode;
  int sex = -1;  // -1 unknown
};

// A stable per (person, agency) draw, for habits that persist across an agency's records.
double StableUniform(uint64_t seed, uint64_t person, uint64_t agency, uint64_t salt) {
  uint64_t state =
      seed ^ (person * 0x9e3779b97f4a7c15ULL) ^ (agency * 0xc2b2ae3d27d4eb4fULL) ^ (salt * 0x165667b19e3779f9ULL);
  return static_cast<double>(SplitMix64(state) >> 11) * 0x1.0p-53;
}

class PersonRenderer {
 public:
  PersonRenderer(const ReferenceData* ref, uint64_t seed, int agency, Format format)
      : ref_(ref), seed_(seed), agency_(agency), habits_(HabitsOf(format)) {}

  Rendered Render(const TruePerson& person, uint32_t index, Rng& rng, double extra_missing_dob = 0) const {
    Rendered out;
    out.forename = person.forename;
    out.surname = person.surname;
    if (!person.alt_surname.empty() && StableUniform(seed_, index, agency_, 1) < 0.5) out.surname = person.alt_surname;
    out.forename = NameVariant(out.forename, rng, true);
    out.surname = NameVariant(out.surname, rng, false);
    if (rng.Chance(0.01)) std::swap(out.forename, out.surname);
    if (habits_.fold_always || rng.Chance(0.4)) {
      out.forename = FoldDiacritics(out.forename);
      out.surname = FoldDiacritics(out.surname);
    }
    if (habits_.upper_all) out.forename = ToUpperUtf8(out.forename);
    if (habits_.upper_all || habits_.upper_surname) out.surname = ToUpperUtf8(out.surname);
    out.dob = person.dob;
    if (rng.Chance(habits_.missing_dob + extra_missing_dob)) {
      out.dob.reset();
    } else if (rng.Chance(0.01) && person.dob.day() <= 12 && person.dob.day() != person.dob.month()) {
      out.dob = Date::FromYmd(person.dob.year(), person.dob.day(), person.dob.month());
    } else if (rng.Chance(0.007)) {
      out.dob = Date::FromYmd(person.dob.year() + (rng.Chance(0.5) ? 1 : -1), person.dob.month(),
                              person.dob.day() == 29 && person.dob.month() == 2 ? 28 : person.dob.day());
    }
    // Some agencies still hold an earlier address; a few records have none.
    out.postcode = StableUniform(seed_, index, agency_, 2) < 0.08 ? person.prev_postcode : person.postcode;
    if (rng.Chance(habits_.missing_postcode)) out.postcode.clear();
    out.sex = rng.Chance(0.01) ? -1 : person.sex;
    return out;
  }

 private:
  std::string NameVariant(const std::string& name, Rng& rng, bool forename) const {
    std::string out = name;
    const std::string lower = AsciiLower(name);
    auto translit = ref_->transliterations.find(lower);
    if (translit != ref_->transliterations.end() && rng.Chance(0.15)) out = rng.Pick(translit->second);
    if (forename && rng.Chance(0.03)) {
      auto nick = ref_->nicknames.find(lower);
      if (nick != ref_->nicknames.end()) out = rng.Pick(nick->second);
    }
    if (rng.Chance(0.015)) out = Typo(out, rng);
    if (out.find_first_of("-'") != std::string::npos && rng.Chance(0.3)) out = PunctuationVariant(out, rng);
    return out;
  }

  const ReferenceData* ref_;
  uint64_t seed_;
  int agency_;
  Habits habits_;
};

// --- helpers -----------------------------------------------------------------------

std::string Digits(uint64_t value, int width) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%0*llu", width, static_cast<unsigned long long>(value));
  return buffer;
}

std::string FormatDate(const std::optional<Date>& date, std::string_view format) {
  return date ? date->Format(format) : std::string();
}

std::string TimeOfDay(Rng& rng, bool seconds) {
  char buffer[16];
  if (seconds) {
    std::snprintf(buffer, sizeof buffer, "%02d:%02d:%02d", static_cast<int>(rng.Between(0, 23)),
                  static_cast<int>(rng.Between(0, 59)), static_cast<int>(rng.Between(0, 59)));
  } else {
    std::snprintf(buffer, sizeof buffer, "%02d:%02d", static_cast<int>(rng.Between(0, 23)),
                  static_cast<int>(rng.Between(0, 59)));
  }
  return buffer;
}

// The occurrence's planned time of day where the world gives one; the same three draws either way, so the rest
// of the extract does not change with it.
std::string EventTime(Rng& rng, const PlannedEvent& event) {
  int hour = static_cast<int>(rng.Between(0, 23));
  int minute = static_cast<int>(rng.Between(0, 59));
  const int second = static_cast<int>(rng.Between(0, 59));
  if (event.minute >= 0) {
    hour = event.minute / 60;
    minute = event.minute % 60;
  }
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%02d:%02d:%02d", hour, minute, second);
  return buffer;
}

std::string SexCode(int sex, Format format) {
  switch (format) {
    case Format::kCouncilB:
    case Format::kSexualHealth:
      return sex == 0 ? "Female" : sex == 1 ? "Male" : "Unknown";
    case Format::kCouncilC:
    case Format::kAe:
      return sex == 0 ? "2" : sex == 1 ? "1" : "9";
    default:
      return sex == 0 ? "F" : sex == 1 ? "M" : "U";
  }
}

// A person's recorded ethnicity as a DfE school census code, fixed per person: drawn from a hash of the person's
// index, not from the generator's random streams, so adding it changed no other figure. Roughly the Census 2021
// West Midlands shape for the person's name origin; now and then refused or not obtained.
std::string_view DfeEthnicity(const TruePerson& person, uint32_t index) {
  uint64_t h = (static_cast<uint64_t>(index) + 1) * 0x9E3779B97F4A7C15ULL;
  h ^= h >> 31;
  h *= 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 27;
  const int u = static_cast<int>(h % 1000);
  if (u < 25) return u < 12 ? "REFU" : "NOBT";
  switch (person.origin) {
    case NameOrigin::kWhiteBritish:
      return u < 940 ? "WBRI" : u < 960 ? "WIRI" : u < 985 ? "MWBC" : "MOTH";
    case NameOrigin::kSouthAsian:
      return u < 400 ? "APKN" : u < 700 ? "AIND" : u < 850 ? "ABAN" : u < 940 ? "AOTH" : "MWAS";
    case NameOrigin::kBlackAfricanCaribbean:
      return u < 420 ? "BAFR" : u < 720 ? "BCRB" : u < 800 ? "BOTH" : u < 930 ? "MWBC" : "MWBA";
    case NameOrigin::kEastEuropean:
      return u < 900 ? "WOTH" : "WROM";
    case NameOrigin::kOther:
      return u < 300 ? "CHNE" : u < 650 ? "OOTH" : u < 850 ? "AOTH" : "MOTH";
  }
  return "NOBT";
}

// The same recorded ethnicity as an NHS ethnic category code (the 2001 letters); A&E leaves more of them unstated.
std::string_view NhsEthnicity(const TruePerson& person, uint32_t index) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 17> kCodes = {{{"WBRI", "A"},
                                                                                            {"WIRI", "B"},
                                                                                            {"WOTH", "C"},
                                                                                            {"WROM", "C"},
                                                                                            {"MWBC", "D"},
                                                                                            {"MWBA", "E"},
                                                                                            {"MWAS", "F"},
                                                                                            {"MOTH", "G"},
                                                                                            {"AIND", "H"},
                                                                                            {"APKN", "J"},
                                                                                            {"ABAN", "K"},
                                                                                            {"AOTH", "L"},
                                                                                            {"BCRB", "M"},
                                                                                            {"BAFR", "N"},
                                                                                            {"BOTH", "P"},
                                                                                            {"CHNE", "R"},
                                                                                            {"OOTH", "S"}}};
  if (index % 7 == 3) return "Z";
  const std::string_view dfe = DfeEthnicity(person, index);
  for (const auto& [from, to] : kCodes) {
    if (from == dfe) return to;
  }
  return "Z";
}

// "999 123 4567" as typed into spreadsheets, or the bare 10 digits.
std::string SpacedNhs(const std::string& nhs) {
  return nhs.substr(0, 3) + " " + nhs.substr(3, 3) + " " + nhs.substr(6);
}

// Increasing, gappy record numbers so ids look like a live system's.
class RecordNumbers {
 public:
  explicit RecordNumbers(uint64_t start) : next_(start) {}
  uint64_t Next(Rng& rng) {
    const uint64_t value = next_ + rng.Index(3);
    next_ += 3;
    return value;
  }

 private:
  uint64_t next_;
};

// The agency's local person id: a fixed permutation of the person index (unique per agency).
std::string LocalPersonId(std::string_view prefix, uint32_t index, int agency, int width) {
  uint64_t modulus = 1;
  for (int i = 0; i < width; ++i) modulus *= 10;
  const uint64_t value =
      (static_cast<uint64_t>(index) * 7919 + 1000003ULL * static_cast<uint64_t>(agency + 1)) % modulus;
  return std::string(prefix) + Digits(value, width);
}

}  // namespace

std::string PersonKey(uint32_t index) { return "P" + Digits(index + 1, 7); }
std::string PlaceKey(int index) { return "L" + Digits(static_cast<uint64_t>(index) + 1, 5); }

Partnership DescribePartnership() {
  Partnership p;
  auto add_agency = [&](std::string code, std::string name, std::string kind, std::string area, int district) {
    p.agencies.push_back({std::move(code), std::move(name), std::move(kind), std::move(area), district});
    return static_cast<int>(p.agencies.size() - 1);
  };
  auto add_extract = [&](int agency, Format format, std::string name, std::string mapping) {
    p.extracts.push_back({agency, format, "extracts/" + p.agencies[agency].code + "/" + name, std::move(mapping)});
    return static_cast<int>(p.extracts.size() - 1);
  };
  struct Council {
    const char* code;
    const char* name;
    Format format;
  };
  static constexpr std::array<Council, kDistrictCount> kCouncils = {
      {{"bcc-cs", "Birmingham Children's Trust", Format::kCouncilA},
       {"cov-cs", "Coventry City Council Children's Services", Format::kCouncilB},
       {"dud-cs", "Dudley Council Children's Services", Format::kCouncilA},
       {"san-cs", "Sandwell Children's Trust", Format::kCouncilC},
       {"sol-cs", "Solihull Council Children's Services", Format::kCouncilA},
       {"wal-cs", "Walsall Council Children's Services", Format::kCouncilB},
       {"wlv-cs", "City of Wolverhampton Council Children's Services", Format::kCouncilC}}};
  for (int d = 0; d < kDistrictCount; ++d) {
    const Council& c = kCouncils[d];
    const int agency = add_agency(c.code, c.name, "council", std::string(kDistricts[d]), d);
    const char* mapping = c.format == Format::kCouncilA   ? "council-case-a.toml"
                          : c.format == Format::kCouncilB ? "council-case-b.toml"
                                                          : "council-case-c.toml";
    const char* file = c.format == Format::kCouncilA   ? "case_events.csv"
                       : c.format == Format::kCouncilB ? "cs_activity_export.csv"
                                                       : "EPISODES.CSV";
    p.routing.council[d] = add_extract(agency, c.format, file, mapping);
  }
  // Acute trusts by area; names are generic so no real trust is implied.
  const int bham_ae =
      add_extract(add_agency("bsol-ae", "Birmingham and Solihull Acute Hospitals (A&E)", "nhs", "Birmingham", -1),
                  Format::kAe, "ae_attendances.csv", "nhs-ae.toml");
  const int cov_ae = add_extract(add_agency("cov-ae", "Coventry Acute Hospital (A&E)", "nhs", "Coventry", -1),
                                 Format::kAe, "ae_attendances.csv", "nhs-ae.toml");
  const int bc_ae = add_extract(add_agency("bc-ae", "Black Country Acute Hospitals (A&E)", "nhs", "West Midlands", -1),
                                Format::kAe, "ae_attendances.csv", "nhs-ae.toml");
  for (int d = 0; d < kDistrictCount; ++d) {
    const std::string_view district = kDistricts[d];
    p.routing.ae[d] = (district == "Birmingham" || district == "Solihull") ? bham_ae
                      : district == "Coventry"                             ? cov_ae
                                                                           : bc_ae;
  }
  p.routing.sexual_health =
      add_extract(add_agency("wm-ash", "West Midlands Integrated Sexual Health Service", "nhs", "West Midlands", -1),
                  Format::kSexualHealth, "attendances.jsonl", "nhs-sexual-health.toml");
  const int police = add_agency("wmp", "West Midlands Police", "police", "West Midlands", -1);
  p.routing.police_occurrence =
      add_extract(police, Format::kPoliceOccurrence, "occurrences.jsonl", "police-occurrence.toml");
  p.routing.police_intelligence =
      add_extract(police, Format::kPoliceIntelligence, "intelligence.jsonl", "police-intelligence.toml");
  static constexpr std::array<const char*, kDistrictCount> kSchoolCodes = {"bham-edu", "cov-edu", "dud-edu", "san-edu",
                                                                           "sol-edu",  "wal-edu", "wlv-edu"};
  for (int d = 0; d < kDistrictCount; ++d) {
    const int agency = add_agency(kSchoolCodes[d], std::string(kDistricts[d]) + " schools (attendance and exclusions)",
                                  "education", std::string(kDistricts[d]), d);
    p.routing.school[d] = add_extract(agency, Format::kSchool, "attendance_exclusions.csv", "school-census.toml");
  }
  return p;
}

namespace {

// Shared state while writing one extract.
struct ExtractContext {
  const World& world;
  const ReferenceData* ref;
  const AgencySpec& agency;
  int agency_index;
  Format format;
  uint64_t seed;
  Rng rng;
  PersonRenderer renderer;
  TruthWriters& truth;
  std::string file;  // as in the manifest, e.g. extracts/wmp/occurrences.jsonl
  // A separate stream for deliberate defects, so adding them leaves every other row byte-identical.
  Rng defects;
};

std::string EventKey(uint32_t key) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "E%08u", key);
  return buffer;
}

void RecordTruth(ExtractContext& ctx, const std::string& local_id, const PlannedEvent& event) {
  ctx.truth.mentions.WriteRow({ctx.agency.code, local_id, "subject", PersonKey(event.subject)});
  if (event.associate >= 0) {
    ctx.truth.mentions.WriteRow(
        {ctx.agency.code, local_id, "associate", PersonKey(static_cast<uint32_t>(event.associate))});
  }
  if (event.place >= 0) ctx.truth.place_mentions.WriteRow({ctx.agency.code, local_id, PlaceKey(event.place)});
  ctx.truth.events.WriteRow({ctx.agency.code, local_id, EventKey(event.event_key)});
}

std::string PlaceName(ExtractContext& ctx, int place) {
  const TruePlace& p = ctx.world.places[place];
  return PlaceNameVariant(p.name, kDistricts[p.district], ctx.rng);
}

std::string PlacePostcode(ExtractContext& ctx, int place) {
  return ctx.rng.Chance(0.12) ? std::string() : ctx.world.places[place].postcode;
}

Status WriteCouncil(ExtractContext& ctx, const std::vector<const PlannedEvent*>& events,
                    const std::filesystem::path& path, size_t& rows) {
  static const std::array<std::vector<std::string>, 3> kHeaders = {
      {{"Record ID",  "Child ID",      "Forename",          "Surname", "Date of Birth",  "Gender",        "Postcode",
        "NHS Number", "Event Type",    "Event Date",        "Concern", "Adult Forename", "Adult Surname", "Adult DOB",
        "Location",   "Location Type", "Location Postcode", "Notes",   "Worker",         "Team"},
       {"case_ref", "person_ref", "first_name", "last_name", "birth_date", "sex", "post_code", "nhs_no", "activity",
        "activity_date", "reason", "linked_adult_first", "linked_adult_last", "linked_adult_dob", "place_name",
        "place_category", "place_postcode", "summary", "social_worker"},
       {"REF_NO", "CLIENT_NO", "SURNAME", "FORENAMES", "DOB", "SEX", "POSTCODE", "NHS_NUMBER", "EPISODE_TYPE",
        "START_DATE", "CATEGORY", "ASSOC_SURNAME", "ASSOC_FORENAMES", "ASSOC_DOB", "LOCATION", "LOCATION_TYPE",
        "LOCATION_POSTCODE", "COMMENTS", "TEAM_CODE"}}};
  const int style = ctx.format == Format::kCouncilA ? 0 : ctx.format == Format::kCouncilB ? 1 : 2;
  CsvWriter writer;
  RR_RETURN_IF_ERROR(writer.Open(path, kHeaders[static_cast<size_t>(style)]));
  const std::string person_prefix = ctx.agency.code.substr(0, 3);
  RecordNumbers numbers(static_cast<uint64_t>(ctx.rng.Between(1000000, 2000000)));
  for (const PlannedEvent* event : events) {
    const TruePerson& child = ctx.world.people[event->subject];
    const Rendered person = ctx.renderer.Render(child, event->subject, ctx.rng);
    // Councils hold an NHS number for about 40% of children (and then not on every record).
    const bool has_nhs = StableUniform(ctx.seed, event->subject, static_cast<uint64_t>(ctx.agency_index), 3) < 0.4 &&
                         ctx.rng.Chance(0.9) && !child.nhs_number.empty();
    std::string nhs =
        has_nhs ? (style == 0 && ctx.rng.Chance(0.6) ? SpacedNhs(child.nhs_number) : child.nhs_number) : "";
    const uint64_t number = numbers.Next(ctx.rng);
    std::string local_id = style == 0   ? "CS" + Digits(number, 8)
                           : style == 1 ? "CR-" + Digits(number, 7)
                                        : Digits(number, 8);
    std::string person_id =
        LocalPersonId(style == 2 ? "" : ToUpperUtf8(person_prefix), event->subject, ctx.agency_index, 7);
    const Date date = Date::FromDays(event->date);
    std::string kind;
    if (event->kind == EventKind::kReferral)
      kind = style == 0 ? "Referral" : style == 1 ? "REF" : "R";
    else if (event->kind == EventKind::kMissingEpisode)
      kind = style == 0 ? "Missing Episode" : style == 1 ? (child.looked_after ? "MFC" : "MFH") : "M";
    else
      kind = style == 0 ? "Sighting" : style == 1 ? "SIGHT" : "S";
    std::string adult_fore, adult_sur, adult_dob;
    if (event->associate >= 0) {
      const TruePerson& adult = ctx.world.people[static_cast<size_t>(event->associate)];
      // Councils know less about the adult: the date of birth is often unknown.
      const Rendered a = ctx.renderer.Render(adult, static_cast<uint32_t>(event->associate), ctx.rng, 0.4);
      adult_fore = a.forename;
      adult_sur = a.surname;
      adult_dob = FormatDate(a.dob, style == 0 ? "%d/%m/%Y" : style == 1 ? "%Y-%m-%d" : "%d-%b-%Y");
    }
    std::string place_name, place_type, place_postcode;
    if (event->place >= 0) {
      place_name = PlaceName(ctx, event->place);
      place_type = std::string(PlaceTypeCode(ctx.world.places[event->place].type, style));
      place_postcode = PlacePostcode(ctx, event->place);
    }
    const std::string category(CouncilCategory(ctx.format, event->category));
    std::string detail = DetailText(event->kind, event->category, ctx.rng);
    std::vector<std::string> row;
    if (style == 0) {
      row = {local_id,
             person_id,
             person.forename,
             person.surname,
             FormatDate(person.dob, "%d/%m/%Y"),
             SexCode(person.sex, ctx.format),
             person.postcode,
             nhs,
             kind,
             date.Format("%d/%m/%Y"),
             category,
             adult_fore,
             adult_sur,
             adult_dob,
             place_name,
             place_type,
             place_postcode,
             detail,
             "SW" + Digits(static_cast<uint64_t>(ctx.rng.Between(100, 999)), 4),
             ctx.rng.Chance(0.5) ? "MASH" : "Exploitation Hub"};
      // Cells typed by hand sometimes keep a trailing space (Excel keeps it too).
      if (ctx.rng.Chance(0.02)) row[3] += " ";
    } else if (style == 1) {
      row = {local_id,
             person_id,
             person.forename,
             person.surname,
             FormatDate(person.dob, "%Y-%m-%d"),
             SexCode(person.sex, ctx.format),
             person.postcode,
             nhs,
             kind,
             date.Format("%Y-%m-%d"),
             category,
             adult_fore,
             adult_sur,
             adult_dob,
             place_name,
             place_type,
             place_postcode,
             detail,
             "Worker " + Digits(static_cast<uint64_t>(ctx.rng.Between(1, 400)), 3)};
    } else {
      row = {local_id,
             person_id,
             person.surname,
             person.forename,
             FormatDate(person.dob, "%d-%b-%Y"),
             SexCode(person.sex, ctx.format),
             person.postcode,
             nhs,
             kind,
             date.Format("%Y%m%d"),
             category,
             ToUpperUtf8(adult_sur),
             ToUpperUtf8(adult_fore),
             adult_dob,
             ToUpperUtf8(place_name),
             place_type,
             place_postcode,
             ToUpperUtf8(detail),
             "T" + Digits(static_cast<uint64_t>(ctx.rng.Between(1, 40)), 2)};
    }
    writer.WriteRow(row);
    RecordTruth(ctx, local_id, *event);
    // About one row in 400 is a hand re-keyed copy with an impossible event date (31 February): ingest must
    // quarantine it with a reason, so the demo shows the quarantine at work. It has no truth row: it never lands.
    if (ctx.defects.Chance(0.0025)) {
      row[0] += style == 2 ? "9" : "R";
      row[9] = style == 0 ? "31/02/2025" : style == 1 ? "2025-02-31" : "20250231";
      writer.WriteRow(row);
      ctx.truth.defects.WriteRow({ctx.file, std::to_string(writer.rows() + 1), "impossible event date"});
    }
  }
  rows = writer.rows();
  return writer.Close();
}

Status WriteAe(ExtractContext& ctx, const std::vector<const PlannedEvent*>& events, const std::filesystem::path& path,
               size_t& rows) {
  CsvWriter writer;
  RR_RETURN_IF_ERROR(
      writer.Open(path, {"Attendance ID", "NHS Number", "Patient Surname", "Patient Forename", "Date of Birth", "Sex",
                         "Postcode", "Arrival Date", "Complaint Code", "Presenting Complaint", "Site",
                         "Safeguarding Flag", "Discharge", "Ethnic Category"}));
  const std::string tag = ToUpperUtf8(ctx.agency.code.substr(0, ctx.agency.code.find('-')));
  RecordNumbers numbers(static_cast<uint64_t>(ctx.rng.Between(100000, 900000)));
  static constexpr std::array<std::string_view, 4> kDischarge = {"HOME", "GP FOLLOW UP", "ADMITTED",
                                                                 "LEFT BEFORE SEEN"};
  for (const PlannedEvent* event : events) {
    const TruePerson& child = ctx.world.people[event->subject];
    const Rendered person = ctx.renderer.Render(child, event->subject, ctx.rng);
    const std::string local_id = tag + "AE" + Digits(numbers.Next(ctx.rng), 7);
    // ZZ99 3VZ: the NHS pseudo-postcode for no fixed abode.
    const std::string postcode = ctx.rng.Chance(0.005) ? "ZZ99 3VZ" : person.postcode;
    const std::string_view code = AeComplaint(event->category, ctx.rng);
    const bool flagged = std::string_view(event->category) != "routine";
    writer.WriteRow({local_id, child.nhs_number, person.surname, person.forename, FormatDate(person.dob, "%Y%m%d"),
                     SexCode(person.sex, ctx.format), postcode,
                     Date::FromDays(event->date).ToIso() + " " + TimeOfDay(ctx.rng, false), std::string(code),
                     DetailText(event->kind, event->category, ctx.rng), "Site " + std::to_string(ctx.rng.Between(1, 3)),
                     flagged && ctx.rng.Chance(0.7) ? "Y" : "N",
                     std::string(kDischarge[ctx.rng.Index(kDischarge.size())]),
                     std::string(NhsEthnicity(child, event->subject))});
    RecordTruth(ctx, local_id, *event);
  }
  rows = writer.rows();
  return writer.Close();
}

Status WriteSexualHealth(ExtractContext& ctx, const std::vector<const PlannedEvent*>& events,
                         const std::filesystem::path& path, size_t& rows) {
  LineWriter writer;
  RR_RETURN_IF_ERROR(writer.Open(path));
  RecordNumbers numbers(static_cast<uint64_t>(ctx.rng.Between(10000, 90000)));
  static constexpr std::array<std::string_view, 5> kClinics = {"Central Hub", "North Clinic", "East Outreach",
                                                               "Young People's Drop-in", "South Clinic"};
  for (const PlannedEvent* event : events) {
    const TruePerson& child = ctx.world.people[event->subject];
    const Rendered person = ctx.renderer.Render(child, event->subject, ctx.rng);
    const Date date = Date::FromDays(event->date);
    const std::string local_id =
        "SH" + Digits(static_cast<uint64_t>(date.year() % 100), 2) + "-" + Digits(numbers.Next(ctx.rng), 6);
    Json row;
    row["episode_id"] = local_id;
    row["clinic"] = std::string(kClinics[ctx.rng.Index(kClinics.size())]);
    row["attended_on"] = date.ToIso();
    Json patient;
    patient["nhs_number"] = child.nhs_number;
    patient["forename"] = person.forename;
    patient["surname"] = person.surname;
    patient["date_of_birth"] = FormatDate(person.dob, "%Y-%m-%d");
    patient["gender"] = SexCode(person.sex, ctx.format);
    patient["postcode"] = person.postcode;
    row["patient"] = std::move(patient);
    row["reason"] = std::string(SexualHealthReason(event->category, ctx.rng));
    row["cse_screen_completed"] = std::string_view(event->category) != "routine" || ctx.rng.Chance(0.3);
    const std::string line = row.dump();
    writer.Write(line);
    RecordTruth(ctx, local_id, *event);
    // About one line in 500 is a copy cut short by an export that ran out of space: not valid JSON, so ingest
    // must quarantine it (it has no truth row: it never lands).
    if (ctx.defects.Chance(0.002)) {
      writer.Write(line.substr(0, line.size() / 2));
      ctx.truth.defects.WriteRow({ctx.file, std::to_string(writer.lines()), "truncated JSON line"});
    }
  }
  rows = writer.lines();
  return writer.Close();
}

// Police nominal ids are on most but not all records.
std::string PoliceNominal(ExtractContext& ctx, uint32_t person) {
  return ctx.rng.Chance(0.85) ? LocalPersonId("N", person, ctx.agency_index, 8) : std::string();
}

Json PolicePerson(ExtractContext& ctx, uint32_t index, std::string_view role, bool associate, bool intelligence) {
  const TruePerson& person = ctx.world.people[index];
  const Rendered r = ctx.renderer.Render(person, index, ctx.rng, associate ? 0.1 : 0.0);
  Json out;
  if (intelligence) {
    out["nominal_type"] = std::string(role);
    out["nominal_id"] = PoliceNominal(ctx, index);
    out["forename"] = r.forename;
    out["surname"] = r.surname;
    out["dob"] = FormatDate(r.dob, "%Y-%m-%d");
    out["sex"] = SexCode(r.sex, ctx.format);
    out["postcode"] = associate && ctx.rng.Chance(0.5) ? std::string() : r.postcode;
  } else {
    out["person_id"] = PoliceNominal(ctx, index);
    out["role"] = std::string(role);
    out["given_name"] = r.forename;
    out["family_name"] = r.surname;
    out["dob"] = FormatDate(r.dob, "%d/%m/%Y");
    out["sex"] = SexCode(r.sex, ctx.format);
    out["address_postcode"] = associate && ctx.rng.Chance(0.4) ? std::string() : r.postcode;
  }
  return out;
}

// The police role code for a person in an event (the subject's and the associate's).
std::string_view PoliceRole(const World& world, const PlannedEvent& event, bool associate, Rng& rng) {
  const TruePerson& person = world.people[associate ? static_cast<size_t>(event.associate) : event.subject];
  if (person.child) {
    if (associate) return "CHILD";
    if (event.kind == EventKind::kMissingEpisode) return "MISSING PERSON";
    if (event.kind == EventKind::kPoliceIncident &&
        (std::string_view(event.category) == "sexual_offence" || std::string_view(event.category) == "assault")) {
      return "VICTIM";
    }
    return "CHILD CONCERN";
  }
  if (!associate) {
    if (event.kind == EventKind::kArrest || event.kind == EventKind::kCharge) return "OFFENDER";
    if (event.kind == EventKind::kDisruption) return "SUBJECT OF NOTICE";
    return person.offender && rng.Chance(0.5) ? "SUSPECT" : "INVOLVED";
  }
  // Adults seen with children: the police may or may not already suspect them.
  return person.offender && rng.Chance(0.7) ? "SUSPECT" : "ASSOCIATE";
}

Json PoliceLocation(ExtractContext& ctx, int place, bool intelligence) {
  const TruePlace& p = ctx.world.places[place];
  Json out;
  out[intelligence ? "description" : "name"] = PlaceName(ctx, place);
  out[intelligence ? "category" : "type"] = std::string(PlaceTypeCode(p.type, 2));
  out["postcode"] = PlacePostcode(ctx, place);
  return out;
}

Status WritePolice(ExtractContext& ctx, const std::vector<const PlannedEvent*>& events,
                   const std::filesystem::path& path, size_t& rows) {
  const bool intelligence = ctx.format == Format::kPoliceIntelligence;
  LineWriter writer;
  RR_RETURN_IF_ERROR(writer.Open(path));
  RecordNumbers numbers(static_cast<uint64_t>(ctx.rng.Between(1000000, 3000000)));
  static constexpr std::array<std::string_view, 5> kGrades = {"A", "B", "B", "C", "C"};
  for (const PlannedEvent* event : events) {
    const Date date = Date::FromDays(event->date);
    Json row;
    std::string local_id;
    if (intelligence) {
      local_id = "INT/" + Digits(static_cast<uint64_t>(date.year() % 100), 2) + "/" + Digits(numbers.Next(ctx.rng), 7);
      row["intel_ref"] = local_id;
      row["log_date"] = date.ToIso();
      row["source_grade"] = std::string(kGrades[ctx.rng.Index(kGrades.size())]);
      row["intel_grade"] = std::to_string(ctx.rng.Between(1, 3));
      row["handling_code"] = ctx.rng.Chance(0.9) ? "P" : "C";
      row["category"] = std::string(IntelligenceCategory(event->category));
      const bool subject_child = ctx.world.people[event->subject].child;
      row["subject"] = PolicePerson(ctx, event->subject, subject_child ? "CHILD" : "SUSPECT", false, true);
      if (event->associate >= 0) {
        const TruePerson& other = ctx.world.people[static_cast<size_t>(event->associate)];
        row["linked_nominal"] =
            PolicePerson(ctx, static_cast<uint32_t>(event->associate),
                         other.child ? "CHILD" : (other.offender ? "SUSPECT" : "ASSOCIATE"), true, true);
      }
      if (event->place >= 0) row["location"] = PoliceLocation(ctx, event->place, true);
      row["summary"] = DetailText(event->kind, event->category, ctx.rng);
    } else {
      local_id = "OR-" + Digits(static_cast<uint64_t>(date.year() % 100), 2) + "-" + Digits(numbers.Next(ctx.rng), 8);
      row["occurrence_ref"] = local_id;
      row["date"] = date.ToIso() + "T" + EventTime(ctx.rng, *event);
      row["type"] = std::string(PoliceType(event->kind));
      row["classification"] = std::string(PoliceClassification(event->kind, event->category));
      row["subject"] = PolicePerson(ctx, event->subject, PoliceRole(ctx.world, *event, false, ctx.rng), false, false);
      if (event->associate >= 0) {
        row["associate"] = PolicePerson(ctx, static_cast<uint32_t>(event->associate),
                                        PoliceRole(ctx.world, *event, true, ctx.rng), true, false);
      }
      if (event->place >= 0) row["location"] = PoliceLocation(ctx, event->place, false);
      row["officer_notes"] = DetailText(event->kind, event->category, ctx.rng);
      row["beat"] = "WM" + Digits(static_cast<uint64_t>(ctx.rng.Between(1, 250)), 3);
    }
    const std::string line = row.dump();
    writer.Write(line);
    RecordTruth(ctx, local_id, *event);
    // As in the sexual health export: now and then a line cut short, which ingest must quarantine.
    if (ctx.defects.Chance(0.002)) {
      writer.Write(line.substr(0, line.size() / 2));
      ctx.truth.defects.WriteRow({ctx.file, std::to_string(writer.lines()), "truncated JSON line"});
    }
  }
  rows = writer.lines();
  return writer.Close();
}

Status WriteSchool(ExtractContext& ctx, const std::vector<const PlannedEvent*>& events,
                   const std::filesystem::path& path, size_t& rows) {
  CsvWriter writer;
  RR_RETURN_IF_ERROR(writer.Open(path, {"Record Ref", "UPN", "Legal Surname", "Legal Forename", "DOB", "Gender",
                                        "Postcode", "School Name", "Year Group", "Record Type", "Reason Code",
                                        "Start Date", "Attendance %", "Sessions Missed", "Comments", "Ethnicity"}));
  RecordNumbers numbers(static_cast<uint64_t>(ctx.rng.Between(100000, 500000)));
  for (const PlannedEvent* event : events) {
    const TruePerson& child = ctx.world.people[event->subject];
    const Rendered person = ctx.renderer.Render(child, event->subject, ctx.rng);
    const std::string local_id = "ATT" + Digits(numbers.Next(ctx.rng), 7);
    const Date date = Date::FromDays(event->date);
    // National curriculum year from age at the start of the school year.
    const int school_year_start = date.month() >= 9 ? date.year() : date.year() - 1;
    const int age_at_sept = Date::AgeOn(child.dob, *Date::FromYmd(school_year_start, 8, 31));
    const bool absence = event->kind == EventKind::kSchoolAbsence;
    const std::string_view reason = SchoolReason(event->category);
    double attendance = 95;
    if (reason == "PA")
      attendance = 80 + ctx.rng.Uniform() * 9.9;
    else if (reason == "SA")
      attendance = 20 + ctx.rng.Uniform() * 29.9;
    else if (reason == "CME")
      attendance = ctx.rng.Uniform() * 15;
    else
      attendance = 85 + ctx.rng.Uniform() * 14;
    char attendance_text[16];
    std::snprintf(attendance_text, sizeof attendance_text, "%.1f", attendance);
    const int sessions = static_cast<int>((100 - attendance) / 100 * 330);
    std::string comment =
        absence ? "" : (reason == "PEX" ? "Permanent exclusion, governors' review pending." : "Suspension, 3 days.");
    writer.WriteRow({local_id, child.upn, person.surname, person.forename, FormatDate(person.dob, "%d/%m/%Y"),
                     SexCode(person.sex, ctx.format), person.postcode,
                     child.school >= 0 ? PlaceName(ctx, child.school) : "",
                     std::to_string(std::max(age_at_sept - 4, 1)), absence ? "Absence" : "Exclusion",
                     std::string(reason), date.ToIso(), attendance_text, std::to_string(sessions), comment,
                     std::string(DfeEthnicity(child, event->subject))});
    PlannedEvent with_school = *event;
    with_school.place = child.school;
    RecordTruth(ctx, local_id, with_school);
  }
  rows = writer.rows();
  return writer.Close();
}

}  // namespace

Status WriteExtract(const Partnership& partnership, size_t extract_index, const World& world,
                    const std::vector<const PlannedEvent*>& events, uint64_t seed, const std::filesystem::path& out_dir,
                    TruthWriters& truth, size_t& rows_written, const ReferenceData& ref) {
  const ExtractSpec& spec = partnership.extracts[extract_index];
  const AgencySpec& agency = partnership.agencies[static_cast<size_t>(spec.agency)];
  const std::filesystem::path path = out_dir / spec.file;
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return Status::IoError("cannot create " + path.parent_path().string() + ": " + ec.message());
  ExtractContext ctx{world,
                     &ref,
                     agency,
                     spec.agency,
                     spec.format,
                     seed,
                     Rng(seed, 1000 + extract_index),
                     PersonRenderer(&ref, seed, spec.agency, spec.format),
                     truth,
                     spec.file,
                     Rng(seed, 5000 + extract_index)};
  switch (spec.format) {
    case Format::kCouncilA:
    case Format::kCouncilB:
    case Format::kCouncilC:
      return WriteCouncil(ctx, events, path, rows_written);
    case Format::kAe:
      return WriteAe(ctx, events, path, rows_written);
    case Format::kSexualHealth:
      return WriteSexualHealth(ctx, events, path, rows_written);
    case Format::kPoliceOccurrence:
    case Format::kPoliceIntelligence:
      return WritePolice(ctx, events, path, rows_written);
    case Format::kSchool:
      return WriteSchool(ctx, events, path, rows_written);
  }
  return Status::Internal("unknown extract format");
}

}  // namespace riskradar::synth
