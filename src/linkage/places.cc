// Place linkage (see places.h): normalise names, block, compare, connected components.
#include "riskradar/linkage/places.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "riskradar/core/geography.h"
#include "riskradar/core/identifiers.h"
#include "riskradar/linkage/comparators.h"
#include "riskradar/linkage/names.h"

namespace riskradar::linkage {
namespace {

// Words that say what kind of place it is rather than which one; agencies add or drop them freely.
const std::set<std::string>& DroppedWords() {
  static const std::set<std::string> kWords = {"the",   "and",   "of",       "ltd",        "limited",     "plc",
                                               "co",    "hotel", "takeaway", "restaurant", "supermarket", "superstore",
                                               "store", "shop",  "express",  "metro",      "extra"};
  return kWords;
}

const std::unordered_map<std::string, std::string>& Abbreviations() {
  static const std::unordered_map<std::string, std::string> kMap = {
      {"rd", "road"},       {"ave", "avenue"},    {"av", "avenue"},        {"ln", "lane"},       {"dr", "drive"},
      {"cl", "close"},      {"ct", "court"},      {"crt", "court"},        {"pk", "park"},       {"sq", "square"},
      {"cres", "crescent"}, {"gdns", "gardens"},  {"gdn", "garden"},       {"hse", "house"},     {"ctr", "centre"},
      {"cntr", "centre"},   {"center", "centre"}, {"mkt", "market"},       {"stn", "station"},   {"pl", "place"},
      {"gr", "grove"},      {"tce", "terrace"},   {"ter", "terrace"},      {"hosp", "hospital"}, {"sch", "school"},
      {"chn", "childrens"}, {"hm", "home"},       {"nth", "north"},        {"sth", "south"},     {"gt", "great"},
      {"mt", "mount"},      {"bldg", "building"}, {"shopping", "shopping"}};
  return kMap;
}

struct PreparedPlace {
  std::vector<std::string> tokens;  // sorted, unique
  std::string joined;               // tokens in order, space separated
  std::string sector;
  std::string district;
};

double TokenJaccard(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.empty() || b.empty()) return 0;
  std::vector<std::string> common;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(common));
  return static_cast<double>(common.size()) / static_cast<double>(a.size() + b.size() - common.size());
}

bool Contains(const std::vector<std::string>& big, const std::vector<std::string>& small) {
  if (small.empty() || small.size() > big.size()) return false;
  // A one-word name must be distinctive to be found inside another ("kfc" is, "new" is not).
  if (small.size() == 1 && small[0].size() < 3) return false;
  return std::includes(big.begin(), big.end(), small.begin(), small.end());
}

bool TypesCompatible(PlaceType a, PlaceType b) { return a == b || a == PlaceType::kOther || b == PlaceType::kOther; }

class Components {
 public:
  explicit Components(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), size_t{0}); }
  size_t Find(size_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void Join(size_t a, size_t b) {
    a = Find(a);
    b = Find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<size_t> parent_;
};

}  // namespace

std::vector<std::string> PlaceNameTokens(std::string_view name) {
  const std::string text = NormaliseText(name);
  std::vector<std::string> raw;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    raw.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string t = raw[i];
    if (t == "st") t = i == 0 || (i > 0 && raw[i - 1] == "the") ? "saint" : "street";
    if (const auto it = Abbreviations().find(t); it != Abbreviations().end()) t = it->second;
    if (DroppedWords().count(t)) continue;
    out.push_back(t);
  }
  if (out.empty()) {
    // A name made only of generic words ("The Hotel") keeps them: it is all we have.
    for (const auto& t : raw) out.push_back(t);
  }
  return out;
}

double DistanceMetres(double lat1, double lon1, double lat2, double lon2) {
  return 1000.0 * DistanceKm({lat1, lon1}, {lat2, lon2});
}

std::vector<int32_t> LinkPlaces(const std::vector<PlaceRecord>& records, const PlaceLinkOptions& options) {
  const size_t n = records.size();
  std::vector<PreparedPlace> prepared(n);
  for (size_t i = 0; i < n; ++i) {
    PreparedPlace& p = prepared[i];
    const auto tokens = PlaceNameTokens(records[i].name);
    for (const auto& t : tokens) p.joined += (p.joined.empty() ? "" : " ") + t;
    p.tokens = tokens;
    std::sort(p.tokens.begin(), p.tokens.end());
    p.tokens.erase(std::unique(p.tokens.begin(), p.tokens.end()), p.tokens.end());
    if (!records[i].postcode.empty()) {
      p.district = PostcodeDistrict(records[i].postcode);
      if (records[i].postcode.find(' ') != std::string::npos) p.sector = PostcodeSector(records[i].postcode);
    }
  }

  // For a record with no location at all, an identical name is the only clue.
  // It is trusted only when every located record of that name and type lies
  // in one postcode sector; otherwise the record could chain two places together.
  auto located = [&](size_t i) { return !prepared[i].district.empty() || (records[i].lat && records[i].lon); };
  std::unordered_map<std::string, std::set<std::string>> sectors_of_name;
  for (size_t i = 0; i < n; ++i) {
    if (!located(i)) continue;
    const std::string key = std::string(ToString(records[i].type)) + "|" + prepared[i].joined;
    sectors_of_name[key].insert(prepared[i].sector.empty() ? prepared[i].district : prepared[i].sector);
  }
  auto unambiguous_name = [&](size_t i) {
    auto it = sectors_of_name.find(std::string(ToString(records[i].type)) + "|" + prepared[i].joined);
    return it == sectors_of_name.end() || it->second.size() <= 1;
  };

  auto same_place = [&](size_t i, size_t j) {
    const PlaceRecord& a = records[i];
    const PlaceRecord& b = records[j];
    const PreparedPlace& pa = prepared[i];
    const PreparedPlace& pb = prepared[j];
    if (!TypesCompatible(a.type, b.type) || pa.tokens.empty() || pb.tokens.empty()) return false;
    const bool exact_name = pa.tokens == pb.tokens;
    const bool name_ok = exact_name || TokenJaccard(pa.tokens, pb.tokens) >= options.name_token_jaccard ||
                         JaroWinklerSimilarity(pa.joined, pb.joined) >= options.name_jaro_winkler ||
                         Contains(pa.tokens, pb.tokens) || Contains(pb.tokens, pa.tokens);
    if (!name_ok) return false;
    if (!located(i) || !located(j)) {
      return exact_name && a.type == b.type && unambiguous_name(!located(i) ? i : j);
    }
    const bool both_coords = a.lat && a.lon && b.lat && b.lon;
    if (both_coords) return DistanceMetres(*a.lat, *a.lon, *b.lat, *b.lon) <= options.max_distance_m;
    if (!pa.sector.empty() && pa.sector == pb.sector) return true;
    return exact_name && !pa.district.empty() && pa.district == pb.district && (pa.sector.empty() || pb.sector.empty());
  };

  // Records identical in everything same_place reads (type, name, postcode, coordinates)
  // link to each other whenever they share a block that is compared, and to the same
  // others: they are compared once, through the first of them (the group's
  // representative). Blocks count every record, so the same blocks are skipped as
  // oversized as without grouping, and the clusters are the same. At regional scale
  // most mentions repeat a place already named (321k mentions of 42k places).
  std::vector<size_t> representative(n);
  std::vector<int64_t> multiplicity(n, 0);
  {
    std::unordered_map<std::string, size_t> first_with;
    for (size_t i = 0; i < n; ++i) {
      const PreparedPlace& p = prepared[i];
      const PlaceRecord& r = records[i];
      std::string key = std::string(ToString(r.type)) + '|' + p.joined + '|' + p.sector + '|' + p.district + '|' +
                        (r.lat ? std::to_string(*r.lat) : "-") + '|' + (r.lon ? std::to_string(*r.lon) : "-");
      representative[i] = first_with.emplace(std::move(key), i).first->second;
      ++multiplicity[representative[i]];
    }
  }

  // Blocks (of representatives): postcode district, each name token, and a ~1 km coordinate grid cell.
  struct Block {
    std::vector<size_t> members;
    int64_t records = 0;  // members with their identical copies
  };
  std::unordered_map<std::string, Block> blocks;
  for (size_t i = 0; i < n; ++i) {
    if (representative[i] != i) continue;
    auto add = [&](std::string key) {
      Block& b = blocks[std::move(key)];
      b.members.push_back(i);
      b.records += multiplicity[i];
    };
    if (!prepared[i].district.empty()) add("d:" + prepared[i].district);
    for (const auto& t : prepared[i].tokens) add("t:" + t);
    if (records[i].lat && records[i].lon) {
      const auto cell_lat = static_cast<int64_t>(std::floor(*records[i].lat / 0.01));
      const auto cell_lon = static_cast<int64_t>(std::floor(*records[i].lon / 0.015));
      // Neighbouring cells too, so two points either side of a cell edge still meet.
      for (int64_t dy = 0; dy <= 1; ++dy) {
        for (int64_t dx = 0; dx <= 1; ++dx) {
          add("g:" + std::to_string(cell_lat - dy) + ":" + std::to_string(cell_lon - dx));
        }
      }
    }
  }
  Components components(n);
  std::vector<bool> compared_in_a_block(n, false);  // per representative
  std::unordered_set<uint64_t> compared;
  for (const auto& [key, block] : blocks) {
    if (block.records > options.max_block_size) continue;
    const auto& members = block.members;
    for (size_t m : members) compared_in_a_block[m] = true;
    for (size_t x = 0; x < members.size(); ++x) {
      for (size_t y = x + 1; y < members.size(); ++y) {
        const size_t i = std::min(members[x], members[y]);
        const size_t j = std::max(members[x], members[y]);
        if (components.Find(i) == components.Find(j)) continue;
        if (!compared.insert((uint64_t{i} << 32) | j).second) continue;
        if (same_place(i, j)) components.Join(i, j);
      }
    }
  }
  // Identical copies join their representative when it was compared at all.
  for (size_t i = 0; i < n; ++i) {
    const size_t r = representative[i];
    if (r != i && compared_in_a_block[r] && same_place(r, i)) components.Join(r, i);
  }
  std::vector<int32_t> cluster_of(n, -1);
  std::unordered_map<size_t, int32_t> index;
  for (size_t i = 0; i < n; ++i) {
    const auto [it, inserted] = index.emplace(components.Find(i), static_cast<int32_t>(index.size()));
    cluster_of[i] = it->second;
  }
  return cluster_of;
}

}  // namespace riskradar::linkage
