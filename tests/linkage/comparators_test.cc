// Tests the string comparators and phonetic encoders against jellyfish's vectors.
#include "riskradar/linkage/comparators.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "test_util.h"

namespace riskradar::linkage {
namespace comparators_test {

using testing::LinkageTestData;
using testing::ReadCsv;

std::vector<std::vector<std::string>> Vectors(const std::string& name) {
  auto rows = ReadCsv(LinkageTestData("string-vectors/" + name));
  EXPECT_FALSE(rows.empty()) << name;
  return rows;
}

TEST(ComparatorsTest, VectorsAreAlsoInSharedData) {
  // Every copy in tests/linkage/data/string-vectors must stay identical to the shared original
  // (RISKRADAR_SHARED_DATA_DIR, found by tests/CMakeLists.txt).
  const std::filesystem::path shared = std::filesystem::path(RISKRADAR_SHARED_DATA) / "string-vectors";
  ASSERT_TRUE(std::filesystem::is_directory(shared))
      << shared << " is missing: configure with -DRISKRADAR_SHARED_DATA_DIR=<the partnership's shared/data>";
  int compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator(LinkageTestData("string-vectors"))) {
    if (entry.path().extension() != ".csv") continue;
    const std::string name = entry.path().filename().string();
    ASSERT_TRUE(std::filesystem::exists(shared / name)) << name << " has no original in " << shared;
    EXPECT_EQ(ReadCsv((shared / name).string()), Vectors(name)) << name;
    ++compared;
  }
  EXPECT_EQ(compared, 8);  // the CSV copies in tests/linkage/data/string-vectors
}

TEST(ComparatorsTest, Jaro) {
  for (const auto& row : Vectors("jaro_distance.csv")) {
    ASSERT_EQ(row.size(), 3u);
    EXPECT_NEAR(JaroSimilarity(row[0], row[1]), std::stod(row[2]), 1e-3) << row[0] << " / " << row[1];
  }
}

TEST(ComparatorsTest, JaroWinkler) {
  for (const auto& row : Vectors("jaro_winkler.csv")) {
    ASSERT_EQ(row.size(), 3u);
    EXPECT_NEAR(JaroWinklerSimilarity(row[0], row[1]), std::stod(row[2]), 1e-3) << row[0] << " / " << row[1];
  }
}

TEST(ComparatorsTest, JaroWinklerLongTolerance) {
  for (const auto& row : Vectors("jaro_winkler_longtol.csv")) {
    ASSERT_EQ(row.size(), 3u);
    EXPECT_NEAR(JaroWinklerSimilarity(row[0], row[1], true), std::stod(row[2]), 1e-3) << row[0] << " / " << row[1];
  }
}

TEST(ComparatorsTest, JaroWinklerBoostOnlyAboveSevenTenths) {
  // Jaro("abcxyz", "abcuvw") = 0.667: no prefix boost although 3 characters agree.
  EXPECT_NEAR(JaroWinklerSimilarity("abcxyz", "abcuvw"), JaroSimilarity("abcxyz", "abcuvw"), 1e-12);
}

TEST(ComparatorsTest, Levenshtein) {
  for (const auto& row : Vectors("levenshtein.csv")) {
    ASSERT_EQ(row.size(), 3u);
    EXPECT_EQ(LevenshteinDistance(row[0], row[1]), std::stoi(row[2])) << row[0] << " / " << row[1];
  }
}

TEST(ComparatorsTest, DamerauLevenshtein) {
  for (const auto& row : Vectors("damerau_levenshtein.csv")) {
    ASSERT_EQ(row.size(), 3u);
    EXPECT_EQ(DamerauLevenshteinDistance(row[0], row[1]), std::stoi(row[2])) << row[0] << " / " << row[1];
  }
}

TEST(ComparatorsTest, DamerauIsUnrestricted) {
  EXPECT_EQ(DamerauLevenshteinDistance("CA", "ABC"), 2);
  EXPECT_EQ(OsaDistance("CA", "ABC"), 3);
  EXPECT_EQ(OsaDistance("fuor", "four"), 1);
  // Code points, not bytes: one two-byte character substituted is one edit.
  EXPECT_EQ(DamerauLevenshteinDistance("zoë", "zoe"), 1);
  EXPECT_EQ(LevenshteinDistance("zoë", "zoe"), 1);
}

TEST(ComparatorsTest, Soundex) {
  for (const auto& row : Vectors("soundex.csv")) {
    ASSERT_EQ(row.size(), 2u);
    EXPECT_EQ(Soundex(row[0]), row[1]) << row[0];
  }
}

TEST(ComparatorsTest, Nysiis) {
  for (const auto& row : Vectors("nysiis.csv")) {
    ASSERT_EQ(row.size(), 2u);
    EXPECT_EQ(Nysiis(row[0]), row[1]) << row[0];
  }
}

TEST(ComparatorsTest, Metaphone) {
  for (const auto& row : Vectors("metaphone.csv")) {
    ASSERT_EQ(row.size(), 2u);
    EXPECT_EQ(Metaphone(row[0]), row[1]) << row[0];
  }
}

TEST(ComparatorsTest, Utf8RoundTrip) {
  const std::string text = "Zoë Çáŕẗéř ð ¿";
  EXPECT_EQ(EncodeUtf8(DecodeUtf8(text)), text);
  EXPECT_EQ(DecodeUtf8("ð").size(), 1u);
}

}  // namespace comparators_test
}  // namespace riskradar::linkage
