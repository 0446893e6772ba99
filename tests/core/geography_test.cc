#include "riskradar/core/geography.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace riskradar {
namespace geography_test {

namespace fs = std::filesystem;

// Reference files written here (made-up figures), so the expected answers do not depend on the shipped data.
class GeographyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rr-geography-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "wm_postcode_districts.csv") << "outcode,postcode_area,lat,lon,n_postcodes,lad_code,lad_name\n"
                                                      << "B1,B,52.5,-1.9,700,E08000025,Birmingham\n"
                                                      << "CV9,CV,52.6,-1.5,300,,\n";
    std::ofstream(dir_ / "wm_postcode_sectors.csv") << "sector,postcode_area,lat,lon,n_postcodes,lad_code,lad_name\n"
                                                    << "B1 1,B,52.51,-1.91,279,E08000025,Birmingham\n"
                                                    << "B1 9,B,52.52,-1.92,1,E08000025,Birmingham\n"
                                                    << "B1 3,B,52.53,-1.93,20,E08000025,Birmingham\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(GeographyTest, LocateAreaUsesTheSectorOnlyWhenEnoughPostcodesMakeItUp) {
  auto g = Geography::Load(dir_);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  auto at = [&](const char* postcode) { return g->LocateArea(postcode, 20); };
  ASSERT_TRUE(at("B1 1AA"));
  EXPECT_DOUBLE_EQ(at("B1 1AA")->lat, 52.51);
  EXPECT_DOUBLE_EQ(at("B1 1AA")->lon, -1.91);
  EXPECT_DOUBLE_EQ(at("B1 3ZZ")->lat, 52.53) << "exactly the minimum: the sector";
  // One postcode in the sector: its centroid is that postcode's; the district's instead.
  EXPECT_DOUBLE_EQ(at("B1 9ZZ")->lat, 52.5);
  EXPECT_DOUBLE_EQ(at("B1 9ZZ")->lon, -1.9);
  // A sector not in the list: the district's; a district outside the seven is still located.
  EXPECT_DOUBLE_EQ(at("B1 5QQ")->lat, 52.5);
  EXPECT_DOUBLE_EQ(at("CV9 1AB")->lat, 52.6);
  EXPECT_FALSE(at("ZZ9 9ZZ"));
  EXPECT_FALSE(at(""));
  // Locate (linkage) still uses every sector, however small.
  EXPECT_DOUBLE_EQ(g->Locate("B1 9ZZ")->lat, 52.52);
  EXPECT_DOUBLE_EQ(g->LocateArea("B1 9ZZ", 1)->lat, 52.52);
}

TEST_F(GeographyTest, AMissingFileIsNamed) {
  fs::remove(dir_ / "wm_postcode_sectors.csv");
  auto g = Geography::Load(dir_);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("wm_postcode_sectors.csv"), std::string::npos) << g.status().ToString();
}

}  // namespace geography_test
}  // namespace riskradar
