// The partnership's agencies, their extract files and formats, and the writers
// that turn planned events into each agency's own rows (with its errors).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "model.h"
#include "text.h"

namespace riskradar::synth {

enum class Format {
  kCouncilA,            // CSV saved from Excel: spaced headers, dd/mm/yyyy, M/F
  kCouncilB,            // CSV snake_case headers, yyyy-mm-dd, Male/Female, short codes
  kCouncilC,            // CSV legacy upper case: dd-Mon-yyyy and yyyymmdd, sex 1/2/9
  kAe,                  // CSV acute trust A&E: NHS number always, yyyymmdd DOB
  kSexualHealth,        // JSON Lines, nested patient object
  kPoliceOccurrence,    // JSON Lines: incidents, missing, sightings, arrests, charges, disruptions
  kPoliceIntelligence,  // JSON Lines: intelligence logs
  kSchool,              // CSV school census-style: UPN, attendance, exclusions
};

struct AgencySpec {
  std::string code;
  std::string name;
  std::string kind;   // council | nhs | police | education
  std::string area;   // district or "West Midlands"
  int district = -1;  // for councils and schools
};

struct ExtractSpec {
  int agency = 0;
  Format format = Format::kCouncilA;
  std::string file;     // relative to the output dir: extracts/<code>/<name>
  std::string mapping;  // file name in config/mappings/
};

struct Partnership {
  std::vector<AgencySpec> agencies;
  std::vector<ExtractSpec> extracts;
  AgencyRouting routing;
};

Partnership DescribePartnership();

// Truth rows written while extracts are written (so the truth always matches the rows).
struct TruthWriters {
  CsvWriter mentions;        // agency,local_id,slot,person_key
  CsvWriter place_mentions;  // agency,local_id,place_key
  CsvWriter defects;         // file,line,problem: rows written broken on purpose, which ingest must quarantine
  CsvWriter events;          // agency,local_id,event_key: the real-world event each row records
};

std::string PersonKey(uint32_t index);
std::string PlaceKey(int index);

// Writes one extract: the events (already sorted) as rows of its format.
Status WriteExtract(const Partnership& partnership, size_t extract_index, const World& world,
                    const std::vector<const PlannedEvent*>& events, uint64_t seed, const std::filesystem::path& out_dir,
                    TruthWriters& truth, size_t& rows_written, const ReferenceData& ref);

}  // namespace riskradar::synth
