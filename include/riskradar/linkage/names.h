// Name normalisation (Unicode-aware) and name-variant equivalence (nicknames,
// spelling variants, transliterations) for person linkage.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "riskradar/core/status.h"

namespace riskradar::linkage {

struct NormalisedName {
  std::string joined;               // tokens concatenated: "Smith-Jones" -> "smithjones"
  std::vector<std::string> tokens;  // {"smith", "jones"}
};

// NFKD + case fold + strip combining marks (Zoë -> zoe), a few letters that do
// not decompose (ø, ł, đ, æ, œ, þ, ı) mapped to ASCII, apostrophes removed
// (O'Neill -> oneill), hyphens, dots and whitespace treated as token separators.
NormalisedName NormaliseName(std::string_view raw);
// The same folding but tokens joined by single spaces (for free text such as place names).
std::string NormaliseText(std::string_view raw);

// Groups of equivalent names. A name may belong to several groups
// ("ron" is a nickname of Aaron, Ronald and Veronica); two names are
// equivalent when they share a group.
class NameVariants {
 public:
  // Loads <reference_dir>/names/{nicknames_carltonnorthern.csv,
  // forename_variants_sdglinkage.csv, surname_variants_sdglinkage.csv} plus the
  // built-in transliteration table. Missing files are an error (NotFound).
  static Result<NameVariants> Load(const std::string& reference_dir);
  // Only the built-in transliteration table (no files needed).
  static NameVariants BuiltIn();

  // Group ids of one normalised token, sorted; empty when the token is unknown.
  const std::vector<uint32_t>& ForenameGroups(std::string_view token) const;
  const std::vector<uint32_t>& SurnameGroups(std::string_view token) const;
  // Raw names (any case, accents) compared through NormaliseName: any token pair sharing a group.
  bool ForenamesEquivalent(std::string_view a, std::string_view b) const;
  bool SurnamesEquivalent(std::string_view a, std::string_view b) const;

  size_t forename_group_count() const { return forename_groups_; }
  size_t surname_group_count() const { return surname_groups_; }

 private:
  void AddGroup(bool forename, const std::vector<std::string>& names);
  void AddTransliterations();
  void Finish();

  std::unordered_map<std::string, std::vector<uint32_t>> forename_;
  std::unordered_map<std::string, std::vector<uint32_t>> surname_;
  uint32_t next_group_ = 0;
  size_t forename_groups_ = 0;
  size_t surname_groups_ = 0;
};

// The default reference directory: the data directory's data/reference (core/paths.h).
std::string DefaultReferenceDir();
// Loads once per directory and shares the result (thread-safe).
Result<std::shared_ptr<const NameVariants>> SharedNameVariants(const std::string& reference_dir);

}  // namespace riskradar::linkage
