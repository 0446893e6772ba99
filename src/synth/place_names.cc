// Fictional place names from word lists written for riskradar (see place_names.h).
// The lists avoid every chain and brand word (hotel groups, supermarkets, fast food).
#include "place_names.h"

#include <array>
#include <vector>

#include "text.h"

namespace riskradar::synth {
namespace {

constexpr std::array<std::string_view, 64> kStems = {
    "Larch",   "Maple",   "Hazel",  "Rowan",    "Alder",   "Birch",   "Holly",  "Elder",    "Willow",    "Aspen",
    "Copper",  "Amber",   "Ivy",    "Fern",     "Heather", "Juniper", "Linden", "Marigold", "Primrose",  "Bramble",
    "Thistle", "Kestrel", "Wren",   "Lark",     "Finch",   "Heron",   "Otter",  "Foxglove", "Cedar",     "Sorrel",
    "Clover",  "Tansy",   "Meadow", "Slate",    "Flint",   "Cobble",  "Quill",  "Ember",    "Tallow",    "Osier",
    "Sedge",   "Teasel",  "Yarrow", "Whin",     "Burdock", "Campion", "Catkin", "Dunnock",  "Fieldfare", "Hawthorn",
    "Lapwing", "Mistle",  "Nettle", "Oakapple", "Pebble",  "Quarry",  "Russet", "Sloe",     "Thrush",    "Umber",
    "Vetch",   "Wych",    "Yew",    "Kingcup"};
constexpr std::array<std::string_view, 22> kEndings = {
    "field", "brook", "wood",  "dale",  "croft", "mead",  "leigh", "ford", "gate", "way", "hurst",
    "combe", "well",  "stone", "ridge", "moor",  "holme", "wick",  "cote", "bank", "lea", "green"};

std::string Stem(Rng& rng) {
  std::string stem(kStems[rng.Index(kStems.size())]);
  stem += kEndings[rng.Index(kEndings.size())];
  return stem;
}

template <size_t N>
std::string_view PickOf(const std::array<std::string_view, N>& items, Rng& rng) {
  return items[rng.Index(N)];
}

constexpr std::array<std::string_view, 7> kHotelKinds = {"Lodge Hotel", "Hotel",       "Court Hotel", "House Hotel",
                                                         "Inn",         "Guest House", "Suites"};
constexpr std::array<std::string_view, 6> kHomeKinds = {"House", "Lodge", "View", "Court", "Cottage", "Place"};
constexpr std::array<std::string_view, 5> kParkKinds = {"Park", "Recreation Ground", "Playing Fields", "Nature Reserve",
                                                        "Fields"};
constexpr std::array<std::string_view, 8> kTakeawayKinds = {"Grill",       "Kebab House", "Pizzeria",   "Fish Bar",
                                                            "Balti House", "Peri Grill",  "Burger Bar", "Noodle Bar"};
constexpr std::array<std::string_view, 4> kCentreKinds = {"Shopping Centre", "Centre", "Retail Park", "Arcade"};
constexpr std::array<std::string_view, 4> kShopKinds = {"Food Store", "Supermarket", "Mini Market",
                                                        "Convenience Store"};
constexpr std::array<std::string_view, 7> kStreetKinds = {"Road",  "Street",   "Close", "Avenue",
                                                          "Grove", "Crescent", "Lane"};
constexpr std::array<std::string_view, 5> kSchoolKinds = {"Academy", "High School", "School", "College",
                                                          "Community School"};
constexpr std::array<std::string_view, 6> kOtherKinds = {"Leisure Centre",   "Library",    "Youth Club",
                                                         "Community Centre", "Skate Park", "Bus Interchange"};

}  // namespace

std::string FictionalPlaceName(PlaceType type, Rng& rng) {
  const std::string stem = Stem(rng);
  switch (type) {
    case PlaceType::kHotel:
      return (rng.Chance(0.3) ? "The " : "") + stem + " " + std::string(PickOf(kHotelKinds, rng));
    case PlaceType::kChildrensHome:
      return stem + " " + std::string(PickOf(kHomeKinds, rng));
    case PlaceType::kPark:
      return stem + " " + std::string(PickOf(kParkKinds, rng));
    case PlaceType::kTakeaway:
      return stem + " " + std::string(PickOf(kTakeawayKinds, rng));
    case PlaceType::kTaxiRank:
      return stem + " " + std::string(PickOf(kStreetKinds, rng)) + " Taxi Rank";
    case PlaceType::kShoppingCentre:
      return (rng.Chance(0.3) ? "The " : "") + stem + " " + std::string(PickOf(kCentreKinds, rng));
    case PlaceType::kSupermarket:
      return stem + " " + std::string(PickOf(kShopKinds, rng));
    case PlaceType::kResidential:
      return std::to_string(rng.Between(1, 180)) + " " + stem + " " + std::string(PickOf(kStreetKinds, rng));
    case PlaceType::kSchool:
      return stem + " " + std::string(PickOf(kSchoolKinds, rng));
    case PlaceType::kOther:
      return stem + " " + std::string(PickOf(kOtherKinds, rng));
  }
  return stem;
}

std::string PlaceNameVariant(std::string_view name, std::string_view district, Rng& rng) {
  std::string out(name);
  if (!rng.Chance(0.35)) return out;
  static const std::vector<std::pair<std::string_view, std::string_view>> kAbbreviations = {
      {"Shopping Centre", "S/C"},
      {"Recreation Ground", "Rec Ground"},
      {"Hotel", "Htl"},
      {"Road", "Rd"},
      {"Street", "St"},
      {"Avenue", "Ave"},
      {"Close", "Cl"},
      {"Court", "Ct"},
      {"House", "Hse"},
      {"Centre", "Ctr"},
      {"Playing Fields", "Playing Flds"},
      {"Crescent", "Cres"},
      {"Taxi Rank", "taxi rank"}};
  switch (rng.Index(6)) {
    case 0:  // "The" dropped or added
      if (out.rfind("The ", 0) == 0)
        out.erase(0, 4);
      else
        out = "The " + out;
      break;
    case 1:
      for (const auto& [full, abbreviation] : kAbbreviations) {
        const size_t pos = out.find(full);
        if (pos != std::string::npos) {
          out.replace(pos, full.size(), abbreviation);
          break;
        }
      }
      break;
    case 2:
      out = Typo(out, rng);
      break;
    case 3:
      out = ToUpperUtf8(out);
      break;
    case 4:
      out += ", ";
      out += district;
      break;
    default:
      if (out.rfind("The ", 0) == 0) out.erase(0, 4);
      out = AsciiLower(out);
      break;
  }
  return out;
}

}  // namespace riskradar::synth
