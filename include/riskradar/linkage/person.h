// Person linkage: the PersonRecord front-end to the generic engine (engine.h),
// with the field layout and blocking rules used for agency person mentions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/date.h"
#include "riskradar/core/domain.h"
#include "riskradar/core/status.h"
#include "riskradar/linkage/engine.h"

namespace riskradar::linkage {

struct PersonRecord {
  int64_t id = 0;        // caller's id (mention id)
  std::string source;    // agency code; records from one source may still be duplicates
  std::string forename;  // as received: any case, diacritics, hyphens, apostrophes
  std::string surname;
  std::optional<Date> dob;
  Sex sex = Sex::kUnknown;
  std::string postcode;    // normalised "B12 9QT" or empty
  std::string nhs_number;  // valid 10 digits or empty
  std::string upn;         // valid 13 characters or empty
};

// cluster_of, matches, possibles, the trained model (m, u, weight per level,
// lambda, EM iterations) and per-blocking-rule candidate counts.
using PersonLinkage = LinkResult;

// Blocking rules for person records.
//   kAutomatic (the default): chosen by the planner within the comparison budget
//     (blocking_plan.h) from the person fields, the same way link-csv chooses them
//     for a settings file without [blocking]; small partnerships keep every
//     candidate rule, large ones get finer rules.
//   kRegional: every shared date of birth, soundex surname and birth year, forename
//     prefix and postcode district, surname and initial, name pair (config/linkage/people.toml).
//   kLarge: rules whose blocks stay small as the data grows (a date of birth with an
//     initial, an initial with a full postcode, the name pair) and blocks of more than
//     kLargeMaxBlockSize records skipped (config/linkage/people-large.toml).
enum class PersonBlocking { kAutomatic, kRegional, kLarge };
std::string_view ToString(PersonBlocking blocking);
inline constexpr int64_t kLargeMaxBlockSize = 300;

// Fields: forename (swappable with surname), surname, dob, sex, postcode,
// nhs_number and upn (both cannot-link: different valid numbers never cluster).
// kAutomatic: no blocking rules (the planner chooses them).
LinkageSpec PersonLinkageSpec(PersonBlocking blocking = PersonBlocking::kRegional);
Record ToRecord(const PersonRecord& person);

// Links with automatic blocking (kLarge, when given, also caps
// options.max_block_size at kLargeMaxBlockSize).
Result<PersonLinkage> LinkPersons(const std::vector<PersonRecord>& records, const LinkageOptions& options,
                                  const LinkConstraints& constraints = {});
// The same with the blocking given.
Result<PersonLinkage> LinkPersons(const std::vector<PersonRecord>& records, PersonBlocking blocking,
                                  const LinkageOptions& options, const LinkConstraints& constraints = {});

// Explains one pair with the trained model: prior, per-field level and weight
// (term-frequency adjustments as separate entries), and a final "total" entry
// whose weight is the match weight and whose level holds the probability.
std::vector<FieldContribution> ExplainPair(const PersonLinkage& trained, const PersonRecord& a, const PersonRecord& b);

}  // namespace riskradar::linkage
