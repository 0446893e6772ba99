// Tests place-name normalisation and place linkage.
#include "riskradar/linkage/places.h"

#include <gtest/gtest.h>

#include <set>

namespace riskradar::linkage {
namespace places_test {

using Tokens = std::vector<std::string>;

TEST(PlaceNameTest, Normalises) {
  EXPECT_EQ(PlaceNameTokens("The Royal Hotel"), (Tokens{"royal"}));
  EXPECT_EQ(PlaceNameTokens("Park Rd Takeaway"), (Tokens{"park", "road"}));
  EXPECT_EQ(PlaceNameTokens("St Mary's Children's Home"), (Tokens{"saint", "marys", "childrens", "home"}));
  EXPECT_EQ(PlaceNameTokens("12 High St."), (Tokens{"12", "high", "street"}));
  EXPECT_EQ(PlaceNameTokens("Café Rouge Ltd"), (Tokens{"cafe", "rouge"}));
  EXPECT_EQ(PlaceNameTokens("The Hotel"), (Tokens{"the", "hotel"}));
}

TEST(PlaceNameTest, Distance) {
  // Birmingham New Street to Moor Street stations: about 400 m.
  const double d = DistanceMetres(52.4778, -1.8983, 52.4791, -1.8925);
  EXPECT_GT(d, 350);
  EXPECT_LT(d, 450);
}

TEST(LinkPlacesTest, LinksVariantsAndKeepsDifferentPlacesApart) {
  const std::vector<PlaceRecord> places = {
      {1, "The Royal Hotel", PlaceType::kHotel, "B1 1AA", std::nullopt, std::nullopt},
      {2, "ROYAL HOTEL", PlaceType::kHotel, "B1 1AB", std::nullopt, std::nullopt},   // same sector
      {3, "Royal Hotel", PlaceType::kHotel, "B20 3QT", std::nullopt, std::nullopt},  // another Royal Hotel
      {4, "Kwik Fried Chicken", PlaceType::kTakeaway, "", 52.4800, -1.9000},
      {5, "Kwik Fried Chicken Ltd", PlaceType::kTakeaway, "", 52.4805, -1.9004},  // ~60 m away
      {6, "Kwik Fried Chicken", PlaceType::kTakeaway, "", 52.5200, -1.9000},      // 4 km away
      {7, "Royal", PlaceType::kPark, "B1 1AA", std::nullopt, std::nullopt},       // a park, not the hotel
      {8, "Park Rd Takeaway", PlaceType::kOther, "WS1 2AB", std::nullopt, std::nullopt},
      {9, "Park Road Takeaway", PlaceType::kTakeaway, "WS1 2XY", std::nullopt, std::nullopt},
      {10, "St Mary's Children's Home", PlaceType::kChildrensHome, "CV1 4FS", std::nullopt, std::nullopt},
      {11, "St Marys Childrens Home", PlaceType::kChildrensHome, "", 52.41, -1.51},  // no comparable location
  };
  const auto c = LinkPlaces(places);
  ASSERT_EQ(c.size(), places.size());
  EXPECT_EQ(c[0], c[1]);
  EXPECT_NE(c[0], c[2]);
  EXPECT_EQ(c[3], c[4]);
  EXPECT_NE(c[3], c[5]);
  EXPECT_NE(c[0], c[6]);
  EXPECT_EQ(c[7], c[8]);
  EXPECT_NE(c[9], c[10]);  // names agree but nothing shows it is the same building
  EXPECT_EQ(c[0], 0);      // clusters numbered by first appearance
}

TEST(LinkPlacesTest, IdenticalNameSameDistrictWithoutSector) {
  const std::vector<PlaceRecord> places = {
      {1, "Asda Superstore", PlaceType::kSupermarket, "WV1 1AA", std::nullopt, std::nullopt},
      {2, "ASDA", PlaceType::kSupermarket, "WV1", std::nullopt, std::nullopt},
  };
  const auto c = LinkPlaces(places);
  EXPECT_EQ(c[0], c[1]);
}

TEST(LinkPlacesTest, RepeatedMentionsLinkAsTheyWouldOneByOne) {
  // Identical mentions are compared once (through the first of them), but every
  // copy still counts towards a block's size, so a name mentioned more often than
  // max_block_size with nothing else to block on is still too common to link on.
  auto copies = [](const PlaceRecord& place, int n) { return std::vector<PlaceRecord>(static_cast<size_t>(n), place); };
  const PlaceRecord hotel{1, "Zebrine Lodge Hotel", PlaceType::kHotel, "", std::nullopt, std::nullopt};
  PlaceLinkOptions options;
  options.max_block_size = 50;
  const auto few = LinkPlaces(copies(hotel, 50), options);
  EXPECT_EQ(std::set<int32_t>(few.begin(), few.end()).size(), 1u) << "50 copies share a block of 50";
  const auto many = LinkPlaces(copies(hotel, 51), options);
  EXPECT_EQ(std::set<int32_t>(many.begin(), many.end()).size(), 51u) << "a block of 51 is skipped";

  // Unlocated copies of a name that two located places share stay apart; located copies join.
  std::vector<PlaceRecord> places = {
      {1, "Kestrel Court", PlaceType::kChildrensHome, "B12 9QT", std::nullopt, std::nullopt},
      {2, "Kestrel Court", PlaceType::kChildrensHome, "WV1 1AA", std::nullopt, std::nullopt},
  };
  for (const auto& p : copies({3, "Kestrel Court", PlaceType::kChildrensHome, "", std::nullopt, std::nullopt}, 3)) {
    places.push_back(p);
  }
  for (const auto& p : copies({4, "Kestrel Ct", PlaceType::kChildrensHome, "B12 9QT", std::nullopt, std::nullopt}, 3)) {
    places.push_back(p);
  }
  const auto c = LinkPlaces(places);
  EXPECT_NE(c[0], c[1]);
  EXPECT_EQ(std::set<int32_t>({c[2], c[3], c[4]}).size(), 3u) << "ambiguous unlocated copies stay apart";
  for (size_t i = 5; i < 8; ++i) EXPECT_EQ(c[i], c[0]) << i;
  for (size_t i = 2; i < 5; ++i) {
    EXPECT_NE(c[i], c[0]);
    EXPECT_NE(c[i], c[1]);
  }
}

}  // namespace places_test
}  // namespace riskradar::linkage
