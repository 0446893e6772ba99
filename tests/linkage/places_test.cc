// Tests place-name normalisation and place linkage.
#include "riskradar/linkage/places.h"

#include <gtest/gtest.h>

namespace riskradar::linkage {
namespace {

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
      {2, "ROYAL HOTEL", PlaceType::kHotel, "B1 1AB", std::nullopt, std::nullopt},        // same sector
      {3, "Royal Hotel", PlaceType::kHotel, "B20 3QT", std::nullopt, std::nullopt},       // another Royal Hotel
      {4, "Kwik Fried Chicken", PlaceType::kTakeaway, "", 52.4800, -1.9000},
      {5, "Kwik Fried Chicken Ltd", PlaceType::kTakeaway, "", 52.4805, -1.9004},          // ~60 m away
      {6, "Kwik Fried Chicken", PlaceType::kTakeaway, "", 52.5200, -1.9000},              // 4 km away
      {7, "Royal", PlaceType::kPark, "B1 1AA", std::nullopt, std::nullopt},               // a park, not the hotel
      {8, "Park Rd Takeaway", PlaceType::kOther, "WS1 2AB", std::nullopt, std::nullopt},
      {9, "Park Road Takeaway", PlaceType::kTakeaway, "WS1 2XY", std::nullopt, std::nullopt},
      {10, "St Mary's Children's Home", PlaceType::kChildrensHome, "CV1 4FS", std::nullopt, std::nullopt},
      {11, "St Marys Childrens Home", PlaceType::kChildrensHome, "", 52.41, -1.51},        // no comparable location
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

}  // namespace
}  // namespace riskradar::linkage
