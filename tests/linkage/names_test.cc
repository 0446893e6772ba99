// Tests name normalisation and nickname / spelling / transliteration equivalence.
#include "riskradar/linkage/names.h"

#include <gtest/gtest.h>

namespace riskradar::linkage {
namespace names_test {

TEST(NormaliseNameTest, FoldsCaseAndDiacritics) {
  EXPECT_EQ(NormaliseName("Zoë").joined, "zoe");
  EXPECT_EQ(NormaliseName("  JOSÉ  ").joined, "jose");
  EXPECT_EQ(NormaliseName("Søren").joined, "soren");
  EXPECT_EQ(NormaliseName("Łukasz").joined, "lukasz");
  EXPECT_EQ(NormaliseName("Strauß").joined, "strauss");
  EXPECT_EQ(NormaliseName("Ｊｏｈｎ").joined, "john");  // full-width compatibility forms
}

TEST(NormaliseNameTest, ApostrophesAndHyphens) {
  EXPECT_EQ(NormaliseName("O'Neill").joined, "oneill");
  EXPECT_EQ(NormaliseName("O\u2019Neill").joined, "oneill");
  const auto n = NormaliseName("Smith-Jones");
  EXPECT_EQ(n.joined, "smithjones");
  EXPECT_EQ(n.tokens, (std::vector<std::string>{"smith", "jones"}));
  EXPECT_EQ(NormaliseName("Smith  Jones").joined, "smithjones");
  EXPECT_EQ(NormaliseName("Mary-Jane").tokens, (std::vector<std::string>{"mary", "jane"}));
  EXPECT_TRUE(NormaliseName(" - ' ").joined.empty());
}

TEST(NormaliseNameTest, TextKeepsSpaces) { EXPECT_EQ(NormaliseText("  The  Royal   Hotel, "), "the royal hotel"); }

TEST(NameVariantsTest, BuiltInTransliterations) {
  const NameVariants v = NameVariants::BuiltIn();
  EXPECT_TRUE(v.ForenamesEquivalent("Mohammed", "Muhammad"));
  EXPECT_TRUE(v.ForenamesEquivalent("MOHAMED", "Muhammed"));
  EXPECT_TRUE(v.SurnamesEquivalent("Hussain", "Hussein"));
  EXPECT_TRUE(v.SurnamesEquivalent("Chowdhury", "Chaudhry"));
  EXPECT_TRUE(v.SurnamesEquivalent("Akhtar", "Akter"));
  EXPECT_TRUE(v.ForenamesEquivalent("Aisha", "Ayesha"));
  EXPECT_TRUE(v.SurnamesEquivalent("Begum", "Begam"));
  EXPECT_FALSE(v.ForenamesEquivalent("Aisha", "Fatima"));
  EXPECT_FALSE(v.SurnamesEquivalent("Hussain", "Hassan"));
}

TEST(NameVariantsTest, LoadsNicknamesAndVariants) {
  auto loaded = SharedNameVariants(DefaultReferenceDir());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const NameVariants& v = **loaded;
  EXPECT_GT(v.forename_group_count(), 2000u);
  EXPECT_TRUE(v.ForenamesEquivalent("Robert", "Bob"));
  EXPECT_TRUE(v.ForenamesEquivalent("bill", "William"));
  EXPECT_TRUE(v.ForenamesEquivalent("Katherine", "Kate"));
  EXPECT_TRUE(v.ForenamesEquivalent("Muhammad", "Mohammad"));
  EXPECT_TRUE(v.SurnamesEquivalent("Adams", "Adamson"));
  EXPECT_FALSE(v.ForenamesEquivalent("Robert", "Susan"));  // (genealogical data does pair Robert with Bill)
  // Loaded once: the same object comes back.
  EXPECT_EQ(SharedNameVariants(DefaultReferenceDir())->get(), loaded->get());
}

TEST(NameVariantsTest, MissingDirectoryIsNotFound) {
  auto loaded = NameVariants::Load("/nonexistent/reference");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kNotFound);
}

}  // namespace names_test
}  // namespace riskradar::linkage
