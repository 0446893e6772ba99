// The generator's hidden world: true people, places, networks and the events
// that happened to them, before any agency records (and garbles) them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reference_data.h"
#include "riskradar/core/date.h"
#include "riskradar/core/domain.h"

namespace riskradar::synth {

struct TruePerson {
  bool child = false;
  int sex = 0;  // 0 female, 1 male
  Date dob;
  int district = 0;
  NameOrigin origin = NameOrigin::kWhiteBritish;
  std::string forename;
  std::string surname;
  std::string alt_surname;  // a second surname some agencies hold (step-family, change of name)
  std::string postcode;
  std::string prev_postcode;  // an earlier address some agencies still hold
  std::string nhs_number;     // children only
  std::string upn;            // children only
  int school = -1;            // place index
  int home_place = -1;        // children's home the child lives in, if any
  RiskLevel level = RiskLevel::kNoCurrentRisk;
  int network = -1;
  bool offender = false;
  bool looked_after = false;
  std::vector<uint32_t> links;  // children: offenders they are exploited by; offenders: their victims
};

struct TruePlace {
  std::string name;
  PlaceType type = PlaceType::kOther;
  std::string postcode;
  double lat = 0;
  double lon = 0;
  int district = 0;
  bool of_concern = false;
};

struct TrueNetwork {
  int district = 0;
  std::vector<uint32_t> members;  // first member is the most active
  std::vector<uint32_t> victims;
  std::vector<int> places;
};

// Where an event gets recorded; each maps to one agency per district.
enum class Channel : uint8_t { kCouncil, kAe, kSexualHealth, kPoliceOccurrence, kPoliceIntelligence, kSchool };

// One thing that happened and was recorded by one agency (one extract row).
struct PlannedEvent {
  int32_t date = 0;  // days since epoch
  uint32_t subject = 0;
  int32_t associate = -1;
  int32_t place = -1;
  uint32_t seq = 0;        // creation order, for a stable sort
  uint32_t event_key = 0;  // the real-world event: records of one event (by two agencies) share it
  uint16_t extract = 0;    // index of the extract file (an agency may have several)
  EventKind kind = EventKind::kReferral;
  const char* category = "";
  int16_t minute = -1;  // time of day (minutes after midnight) for the channels that record one; -1: none
};

struct World {
  std::vector<TruePerson> people;
  std::vector<TruePlace> places;
  std::vector<TrueNetwork> networks;
  std::vector<PlannedEvent> events;
};

struct WorldOptions {
  uint64_t seed = 42;
  double scale = 1.0;
  Date period_start;
  Date period_end;
};

// Extract routing used while planning events (indices into the extract list).
struct AgencyRouting {
  int council[kDistrictCount];
  int school[kDistrictCount];
  int ae[kDistrictCount];
  int sexual_health;
  int police_occurrence;
  int police_intelligence;
};

// Builds the population, places and networks, then plans every event.
World BuildWorld(const WorldOptions& options, const ReferenceData& ref, const AgencyRouting& routing);

}  // namespace riskradar::synth
