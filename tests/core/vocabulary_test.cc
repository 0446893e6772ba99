// Keeps the vocabulary table in code equal to config/vocabulary.md, the document agencies' mappings follow.
#include "riskradar/core/vocabulary.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

namespace riskradar {
namespace vocabulary_test {

TEST(VocabularyTest, MatchesVocabularyDocument) {
  std::ifstream in(std::filesystem::path(RISKRADAR_SOURCE_DIR) / "config" / "vocabulary.md");
  ASSERT_TRUE(in);
  std::string line;
  const std::regex row(R"(^\| `([a-z_]+)` \| ([^|]+) \|)");
  const std::regex word("`([a-z_]+)`");
  size_t kinds_seen = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, row)) continue;
    auto kind = ParseEventKind(m[1].str());
    ASSERT_TRUE(kind.ok()) << line;
    std::vector<std::string> documented;
    std::string cell = m[2].str();
    for (std::sregex_iterator it(cell.begin(), cell.end(), word), end; it != end; ++it) documented.push_back((*it)[1]);
    std::vector<std::string> coded(CategoriesOf(*kind).begin(), CategoriesOf(*kind).end());
    EXPECT_EQ(coded, documented) << "kind " << m[1].str();
    ++kinds_seen;
  }
  EXPECT_EQ(kinds_seen, AllEventKinds().size());
}

TEST(VocabularyTest, KnownCategory) {
  EXPECT_TRUE(IsKnownCategory(EventKind::kSighting, "child_with_adult"));
  EXPECT_FALSE(IsKnownCategory(EventKind::kSighting, "sti"));
}

}  // namespace vocabulary_test
}  // namespace riskradar
