#include "riskradar/core/date.h"

#include <gtest/gtest.h>

namespace riskradar {
namespace date_test {

TEST(DateTest, ParsesDeclaredFormats) {
  auto d = Date::Parse("07/03/2011", "%d/%m/%Y");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->ToIso(), "2011-03-07");
  EXPECT_EQ(Date::Parse("2011-03-07", "%Y-%m-%d")->days(), d->days());
  EXPECT_EQ(Date::Parse("7-Mar-2011", "%d-%b-%Y")->ToIso(), "2011-03-07");
  EXPECT_EQ(Date::Parse("20110307", "%Y%m%d")->ToIso(), "2011-03-07");
}

TEST(DateTest, RejectsImpossibleAndMalformedDates) {
  EXPECT_FALSE(Date::Parse("31/02/2010", "%d/%m/%Y").ok());
  EXPECT_FALSE(Date::Parse("29/02/2011", "%d/%m/%Y").ok());
  EXPECT_TRUE(Date::Parse("29/02/2012", "%d/%m/%Y").ok());
  EXPECT_FALSE(Date::Parse("13/13/2010", "%d/%m/%Y").ok());
  EXPECT_FALSE(Date::Parse("2010-01-01x", "%Y-%m-%d").ok());
  EXPECT_FALSE(Date::Parse("", "%Y-%m-%d").ok());
  EXPECT_FALSE(Date::Parse("yesterday", "%Y-%m-%d").ok());
}

TEST(DateTest, ArithmeticAndAge) {
  auto birth = *Date::FromYmd(2010, 6, 15);
  EXPECT_EQ(Date::AgeOn(birth, *Date::FromYmd(2025, 6, 14)), 14);
  EXPECT_EQ(Date::AgeOn(birth, *Date::FromYmd(2025, 6, 15)), 15);
  EXPECT_EQ(Date::FromYmd(1970, 1, 1)->days(), 0);
  EXPECT_EQ(*Date::FromYmd(2025, 3, 1) - *Date::FromYmd(2025, 2, 1), 28);
  EXPECT_EQ(Date::FromYmd(2024, 12, 31)->AddDays(1).ToIso(), "2025-01-01");
  EXPECT_EQ(Date::FromYmd(2011, 3, 7)->Format("%d/%m/%Y"), "07/03/2011");
}

}  // namespace date_test
}  // namespace riskradar
