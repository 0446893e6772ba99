// The placeholder rule of the SQL layer (sql.h): ?N written once, rewritten to $N for PostgreSQL, never inside a
// string literal, a quoted identifier or a comment; anything else refused.
#include <gtest/gtest.h>

#include "../../src/store/sql/sql.h"

namespace riskradar::store::sql {
namespace placeholder_test {

std::string Rewrite(std::string_view sql, int* max_index = nullptr) {
  auto out = RewritePlaceholders(sql, max_index);
  EXPECT_TRUE(out.ok()) << sql << ": " << out.status().ToString();
  return out.ok() ? *out : "";
}

TEST(Placeholders, NumberedParametersBecomeDollarParameters) {
  int max = 0;
  EXPECT_EQ(Rewrite("SELECT ?1, ?2 FROM t WHERE a = ?1", &max), "SELECT $1, $2 FROM t WHERE a = $1");
  EXPECT_EQ(max, 2);
  EXPECT_EQ(Rewrite("VALUES (?12,?3)", &max), "VALUES ($12,$3)");
  EXPECT_EQ(max, 12);
  EXPECT_EQ(Rewrite("SELECT 1", &max), "SELECT 1");
  EXPECT_EQ(max, 0);
}

TEST(Placeholders, LiteralsIdentifiersAndCommentsAreLeftAlone) {
  int max = 0;
  EXPECT_EQ(Rewrite("SELECT '?1' || ?1", &max), "SELECT '?1' || $1");
  EXPECT_EQ(max, 1);
  EXPECT_EQ(Rewrite("SELECT 'it''s ?2', ?1", &max), "SELECT 'it''s ?2', $1");
  EXPECT_EQ(max, 1);
  EXPECT_EQ(Rewrite("SELECT \"odd?1\"\"name\" FROM t WHERE x = ?1"), "SELECT \"odd?1\"\"name\" FROM t WHERE x = $1");
  EXPECT_EQ(Rewrite("SELECT ?1 -- and ?2\n, ?3", &max), "SELECT $1 -- and ?2\n, $3");
  EXPECT_EQ(max, 3);
  EXPECT_EQ(Rewrite("/* ?9 */ SELECT ?1 /* ?8 */", &max), "/* ?9 */ SELECT $1 /* ?8 */");
  EXPECT_EQ(max, 1);
  // An E'' string takes backslash escapes: \' does not end it.
  EXPECT_EQ(Rewrite("SELECT E'a\\'?2', ?1", &max), "SELECT E'a\\'?2', $1");
  EXPECT_EQ(max, 1);
  // In a standard string a backslash is just a character.
  EXPECT_EQ(Rewrite("SELECT 'a\\', ?1", &max), "SELECT 'a\\', $1");
  EXPECT_EQ(max, 1);
  // $ inside an identifier is not a parameter.
  EXPECT_EQ(Rewrite("SELECT a$1 FROM t"), "SELECT a$1 FROM t");
}

TEST(Placeholders, OtherSpellingsAreRefused) {
  for (const char* bad : {"SELECT ?", "SELECT ?, ?", "SELECT ?0", "SELECT $1", "SELECT x FROM t WHERE a = $2",
                          "SELECT '?1", "SELECT \"x", "SELECT 1 /* ?1", "SELECT ?999999"}) {
    auto out = RewritePlaceholders(bad);
    ASSERT_FALSE(out.ok()) << bad;
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(out.status().message().find(StatementForError(bad)), std::string::npos) << out.status().ToString();
  }
}

TEST(Placeholders, ErrorsShowTheStatementShortened) {
  EXPECT_EQ(StatementForError("SELECT\n  a,\n  b\nFROM t"), "`SELECT a, b FROM t`");
  const std::string long_sql = "SELECT " + std::string(300, 'x');
  const std::string shown = StatementForError(long_sql);
  EXPECT_LT(shown.size(), 170u);
  EXPECT_NE(shown.find("..."), std::string::npos);
}

}  // namespace placeholder_test
}  // namespace riskradar::store::sql
