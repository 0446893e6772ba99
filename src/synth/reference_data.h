// Reference data the generator draws from: name pools by origin and sex, nickname
// and transliteration variants, and West Midlands postcode sectors by district.
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "random.h"
#include "riskradar/core/status.h"

namespace riskradar::synth {

enum class NameOrigin { kWhiteBritish, kSouthAsian, kBlackAfricanCaribbean, kEastEuropean, kOther };
inline constexpr int kNameOriginCount = 5;
std::string_view ToString(NameOrigin origin);

inline constexpr int kDistrictCount = 7;
inline constexpr std::array<std::string_view, kDistrictCount> kDistricts = {
    "Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton"};

// Names with weights; draws are proportional to weight.
struct NamePool {
  std::vector<std::string> names;
  std::vector<double> weights;
  WeightedIndex index;
  void Add(std::string name, double weight) {
    names.push_back(std::move(name));
    weights.push_back(weight);
  }
  void Finish() { index = WeightedIndex(weights); }
  bool empty() const { return names.empty(); }
  const std::string& Draw(Rng& rng) const { return names[index.Draw(rng)]; }
};

struct Sector {
  std::string code;  // "B12 9"
  double lat = 0;
  double lon = 0;
};

struct ReferenceData {
  // [origin][sex: 0 female, 1 male]
  std::array<std::array<NamePool, 2>, kNameOriginCount> child_given;
  std::array<std::array<NamePool, 2>, kNameOriginCount> adult_given;
  std::array<std::array<NamePool, 2>, kNameOriginCount> surname;
  // Lower-case formal name -> nicknames as written (title case).
  std::map<std::string, std::vector<std::string>> nicknames;
  // Lower-case spelling -> the other spellings of the same transliterated name.
  std::map<std::string, std::vector<std::string>> transliterations;
  std::array<std::vector<Sector>, kDistrictCount> sectors;
  std::array<WeightedIndex, kDistrictCount> sector_index;
  std::array<double, kDistrictCount> district_weight{};  // share of postcodes
  WeightedIndex district_index;
};

// Loads names/ and geo/ under data_dir.
Result<ReferenceData> LoadReferenceData(const std::filesystem::path& data_dir);

// Draws a unit postcode in the sector: sector + two inward letters that are valid for Royal Mail.
std::string UnitPostcode(const Sector& sector, Rng& rng);

}  // namespace riskradar::synth
