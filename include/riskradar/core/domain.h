// The domain model of DESIGN.md: agencies, source records and what they say
// about people, places and events, and what the pipeline derives from them
// (resolved people and places, indicators, assessments, links, actions).
// Enumerations have stable lower_snake_case names used in files, the store and the API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/date.h"
#include "riskradar/core/status.h"

namespace riskradar {

enum class AgencyKind { kCouncil, kNhs, kPolice, kEducation, kVoluntary };
enum class Sex { kUnknown, kFemale, kMale, kOther };
// What role a person plays in one record.
enum class PersonRole { kChild, kPersonOfConcern, kAssociate, kAdult };
enum class PlaceType {
  kChildrensHome,
  kHotel,
  kPark,
  kSupermarket,
  kTakeaway,
  kTaxiRank,
  kShoppingCentre,
  kResidential,
  kSchool,
  kOther
};
enum class EventKind {
  kMissingEpisode,
  kReferral,
  kHealthAttendance,
  kPoliceIncident,
  kIntelligence,
  kSchoolExclusion,
  kSchoolAbsence,
  kSighting,
  kDisruption,
  kArrest,
  kCharge
};
// Levels of the West Midlands-style screening, lowest first.
enum class RiskLevel { kNoCurrentRisk, kAtRisk, kSignificant, kSerious };

// Stable names ("children_s_home" style is avoided: "childrens_home").
std::string_view ToString(AgencyKind v);
std::string_view ToString(Sex v);
std::string_view ToString(PersonRole v);
std::string_view ToString(PlaceType v);
std::string_view ToString(EventKind v);
std::string_view ToString(RiskLevel v);
// Plain-English labels for reports ("children's homes", "serious risk").
std::string_view Label(PlaceType v);
std::string_view Label(RiskLevel v);

Result<AgencyKind> ParseAgencyKind(std::string_view s);
Result<Sex> ParseSex(std::string_view s);
Result<PersonRole> ParsePersonRole(std::string_view s);
Result<PlaceType> ParsePlaceType(std::string_view s);
Result<EventKind> ParseEventKind(std::string_view s);
Result<RiskLevel> ParseRiskLevel(std::string_view s);

struct Agency {
  std::string code;  // short stable id, e.g. "bcc-cs", "wmp", "uhb-ae"
  std::string name;
  AgencyKind kind = AgencyKind::kCouncil;
  std::string area;  // district name or "West Midlands"
};

// A person as one record describes them (normalised fields). The unit of person linkage.
struct PersonMention {
  int64_t id = 0;
  int64_t source_record_id = 0;
  PersonRole role = PersonRole::kChild;
  std::string local_person_id;  // the agency's own id for the person, if any
  std::string forename;
  std::string surname;
  std::optional<Date> dob;
  Sex sex = Sex::kUnknown;
  std::string postcode;    // normalised "B12 9QT"
  std::string nhs_number;  // 10 digits, check digit valid, or empty
  std::string upn;         // 13 characters, check letter valid, or empty
  std::string ethnicity;   // Census 2021 high-level group code (core/ethnicity.h), or empty when not stated
};

// A place as one record describes it. The unit of place linkage.
struct PlaceMention {
  int64_t id = 0;
  int64_t source_record_id = 0;
  std::string name;
  PlaceType type = PlaceType::kOther;
  std::string postcode;
  std::optional<double> lat;
  std::optional<double> lon;
};

// Something dated that a record reports. `category` is a controlled
// vocabulary per kind (see config/vocabulary.md), e.g. health_attendance/sti.
struct Event {
  int64_t id = 0;
  int64_t source_record_id = 0;
  EventKind kind = EventKind::kReferral;
  std::string category;
  Date date;
  int64_t subject_mention_id = 0;               // who the event is about
  std::optional<int64_t> associate_mention_id;  // e.g. the adult in a sighting
  std::optional<int64_t> place_mention_id;
  std::string detail;  // free text, length-limited
  // The time of day the record gives, in minutes after midnight (0..1439); most records give only a date.
  std::optional<int> minute_of_day;
};

// One record as an agency sent it. Never edited: a correction is a new record.
struct SourceRecord {
  int64_t id = 0;
  int64_t batch_id = 0;
  std::string agency_code;
  std::string local_id;      // the agency's id for this record, unique per agency
  int64_t line = 0;          // line (CSV) or line number (JSON Lines) in the file
  std::string raw_json;      // the row as received, as a JSON object
  std::string content_hash;  // hex BLAKE2b of the raw row
  std::string record_class;  // for retention, e.g. "child_protection"
  std::string lawful_basis;
};

// A resolved human: the cluster of PersonMentions linked to them.
struct Person {
  int64_t id = 0;  // stable across re-runs
  std::string display_name;
  std::optional<Date> dob;
  Sex sex = Sex::kUnknown;
  std::string district;   // from the most recent postcode
  bool is_child = false;  // aged under 18 on the reference date
  bool person_of_concern = false;
  int mention_count = 0;
  // The Census 2021 high-level ethnic group its records give (core/ethnicity.h code: white, mixed, asian, black,
  // other), the most often recorded one; empty when no record states it.
  std::string ethnicity;
};

// A resolved location.
struct Place {
  int64_t id = 0;
  std::string name;
  PlaceType type = PlaceType::kOther;
  std::string postcode;
  std::string district;
  std::optional<double> lat;
  std::optional<double> lon;
};

// A screening indicator for a child at a time, with the events that support it.
struct Indicator {
  std::string code;     // e.g. "repeat_missing"
  std::string group;    // "significant" | "risk" | "vulnerability"
  std::string label;    // plain English
  bool current = true;  // within the current window (otherwise "earlier")
  double points = 0;
  std::vector<int64_t> evidence_event_ids;
};

// A risk level with its explanation; every assessment is kept (trajectory).
struct Assessment {
  int64_t id = 0;
  int64_t person_id = 0;
  Date as_of;
  RiskLevel level = RiskLevel::kNoCurrentRisk;
  double score = 0;
  std::string model_version;
  std::vector<Indicator> indicators;
  std::vector<std::string> explanation;  // one line per rule or band that decided the level
  std::optional<RiskLevel> override_level;
  std::string override_reason;
  std::string override_by;          // the user who made the override ("" without one)
  std::optional<Date> next_review;  // when the level is to be reviewed (risk/judgement.h NextReviewDate)
};

// An association between two entities with its evidence.
enum class LinkKind { kPersonPerson, kPersonPlace };
struct Link {
  LinkKind kind = LinkKind::kPersonPerson;
  int64_t from_id = 0;
  int64_t to_id = 0;
  std::vector<int64_t> evidence_event_ids;
  Date first_seen;
  Date last_seen;
};

// A MASE action or disruption.
struct Action {
  int64_t id = 0;
  std::string what;
  std::string owner_agency;
  Date due;
  std::string status;  // "open" | "done" | "cancelled"
};

}  // namespace riskradar
