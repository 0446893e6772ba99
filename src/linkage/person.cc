// Person linkage front-end: PersonRecord -> generic records, person field layout and blocking.
#include "riskradar/linkage/person.h"

#include <algorithm>

namespace riskradar::linkage {

std::string_view ToString(PersonBlocking blocking) {
  switch (blocking) {
    case PersonBlocking::kAutomatic:
      return "automatic";
    case PersonBlocking::kLarge:
      return "large";
    case PersonBlocking::kRegional:
      return "regional";
  }
  return "automatic";
}

LinkageSpec PersonLinkageSpec(PersonBlocking blocking) {
  LinkageSpec spec;
  spec.fields = {
      {"forename", FieldKind::kForename, true, false, "surname"},
      {"surname", FieldKind::kSurname, true, false, ""},
      {"dob", FieldKind::kDateOfBirth, false, false, ""},
      {"sex", FieldKind::kSex, false, false, ""},
      {"postcode", FieldKind::kPostcode, false, false, ""},
      {"nhs_number", FieldKind::kIdentifier, false, true, ""},
      {"upn", FieldKind::kIdentifier, false, true, ""},
  };
  // Unioned; each catches matches the others miss (a typo in a name, a changed
  // address, a missing date of birth, a swapped forename and surname: namepair
  // blocks them whatever else is missing).
  static constexpr const char* kRegionalRules[] = {"nhs_number",
                                                   "upn",
                                                   "dob",
                                                   "surname:soundex & dob:year",
                                                   "forename:prefix3 & postcode:district",
                                                   "surname & forename:initial",
                                                   "forename:namepair"};
  // Each key holds a date of birth, a full postcode or both names, so blocks stay
  // small however many records share a birthday or a surname.
  static constexpr const char* kLargeRules[] = {
      "nhs_number",       "upn", "dob & surname:initial", "dob & forename:initial", "forename:initial & postcode",
      "forename:namepair"};
  if (blocking == PersonBlocking::kAutomatic) return spec;
  if (blocking == PersonBlocking::kLarge) {
    for (const char* rule : kLargeRules) spec.blocking_rules.push_back(*ParseBlockingRule(rule));
  } else {
    for (const char* rule : kRegionalRules) spec.blocking_rules.push_back(*ParseBlockingRule(rule));
  }
  return spec;
}

Record ToRecord(const PersonRecord& p) {
  Record r;
  r.id = p.id;
  r.source = p.source;
  r.values = {p.forename,
              p.surname,
              p.dob ? p.dob->ToIso() : std::string(),
              p.sex == Sex::kUnknown ? std::string() : std::string(ToString(p.sex)),
              p.postcode,
              p.nhs_number,
              p.upn};
  return r;
}

Result<PersonLinkage> LinkPersons(const std::vector<PersonRecord>& records, const LinkageOptions& options,
                                  const LinkConstraints& constraints) {
  return LinkPersons(records, PersonBlocking::kAutomatic, options, constraints);
}

Result<PersonLinkage> LinkPersons(const std::vector<PersonRecord>& records, PersonBlocking blocking,
                                  const LinkageOptions& options, const LinkConstraints& constraints) {
  std::vector<Record> generic;
  generic.reserve(records.size());
  for (const PersonRecord& p : records) generic.push_back(ToRecord(p));
  LinkageOptions chosen = options;
  if (blocking == PersonBlocking::kLarge) chosen.max_block_size = std::min(chosen.max_block_size, kLargeMaxBlockSize);
  return Link(generic, PersonLinkageSpec(blocking), chosen, constraints);
}

std::vector<FieldContribution> ExplainPair(const PersonLinkage& trained, const PersonRecord& a, const PersonRecord& b) {
  return trained.model.Explain(ToRecord(a), ToRecord(b));
}

}  // namespace riskradar::linkage
