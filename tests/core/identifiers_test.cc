#include "riskradar/core/identifiers.h"

#include <gtest/gtest.h>

namespace riskradar {
namespace identifiers_test {

TEST(NhsNumberTest, ValidatesCheckDigit) {
  // 943 476 5919 is the NHS Data Dictionary's worked example.
  EXPECT_TRUE(IsValidNhsNumber("9434765919"));
  EXPECT_EQ(*NormaliseNhsNumber("943 476 5919"), "9434765919");
  EXPECT_EQ(*NormaliseNhsNumber("943-476-5919"), "9434765919");
  EXPECT_FALSE(NormaliseNhsNumber("9434765918").ok());
  EXPECT_FALSE(NormaliseNhsNumber("94347659").ok());
  EXPECT_FALSE(NormaliseNhsNumber("94347659AB").ok());
  EXPECT_EQ(NhsCheckDigit("943476591"), 9);
}

TEST(NhsNumberTest, RemainderTenHasNoValidCheckDigit) {
  // 1,0,0,0,0,0,0,0,1 weighted 10..2: 10 + 2 = 12 -> 12 mod 11 = 1 -> check 10: invalid.
  EXPECT_EQ(NhsCheckDigit("100000001"), -1);
  for (char c = '0'; c <= '9'; ++c) EXPECT_FALSE(IsValidNhsNumber(std::string("100000001") + c));
}

TEST(UpnTest, CheckLetter) {
  // Body 801200001001: 8*2+0+1*4+2*5+0... computed independently below.
  const std::string body = "801200001001";
  int sum = 0;
  for (size_t i = 0; i < 12; ++i) sum += (body[i] - '0') * static_cast<int>(i + 2);
  const char expected = std::string("ABCDEFGHJKLMNPQRTUVWXYZ")[static_cast<size_t>(sum % 23)];
  EXPECT_EQ(*UpnCheckLetter(body), expected);
  EXPECT_TRUE(NormaliseUpn(std::string(1, expected) + body).ok());
  const char wrong = expected == 'A' ? 'B' : 'A';
  EXPECT_FALSE(NormaliseUpn(std::string(1, wrong) + body).ok());
  EXPECT_FALSE(NormaliseUpn("A12345").ok());
}

TEST(PostcodeTest, NormalisesAndSplits) {
  EXPECT_EQ(*NormalisePostcode("b129qt"), "B12 9QT");
  EXPECT_EQ(*NormalisePostcode(" WV1  1AA "), "WV1 1AA");
  EXPECT_EQ(*NormalisePostcode("CV11AA"), "CV1 1AA");
  EXPECT_EQ(*NormalisePostcode("B1 1AA"), "B1 1AA");
  EXPECT_EQ(*NormalisePostcode("EC1A 1BB"), "EC1A 1BB");
  EXPECT_EQ(*NormalisePostcode("ZZ99 3VZ"), "ZZ99 3VZ");
  EXPECT_TRUE(IsPseudoPostcode("ZZ99 3VZ"));
  EXPECT_FALSE(NormalisePostcode("B12 QQT").ok());
  EXPECT_FALSE(NormalisePostcode("12B 9QT").ok());
  EXPECT_FALSE(NormalisePostcode("B").ok());
  EXPECT_EQ(PostcodeDistrict("B12 9QT"), "B12");
  EXPECT_EQ(PostcodeSector("B12 9QT"), "B12 9");
  EXPECT_EQ(PostcodeArea("WV10 6AB"), "WV");
}

}  // namespace identifiers_test
}  // namespace riskradar
