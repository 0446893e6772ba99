// link-csv's library side: settings errors name the file, line and key; broken
// CSV names the line and field; unparseable values are missing and counted; the
// result files; linkage-eval's pairwise and B-cubed scores (FEBRL dataset1 end to end).
#include "riskradar/linkage/csv_linkage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "riskradar/eval/linkage_eval.h"
#include "test_util.h"

namespace riskradar::linkage {
namespace csv_linkage_test {

namespace fs = std::filesystem;

class CsvLinkageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rr-csvlink-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return dir_ / name;
  }
  fs::path dir_;
};

constexpr const char* kPeopleSettings = R"(id_column = "id"
[[field]]
column = "first"
kind = "forename"
swap_with = "last"
[[field]]
column = "last"
kind = "surname"
[[field]]
column = "dob"
kind = "date_of_birth"
date_format = "%d/%m/%Y"
[[field]]
column = "nhs"
kind = "identifier"
check = "nhs_number"
cannot_link = true
[[field]]
column = "email"
kind = "email"
)";

TEST_F(CsvLinkageTest, SettingsErrorsNameTheLineAndKey) {
  auto ok = ParseCsvLinkSettings(kPeopleSettings, "s.toml");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->default_blocking);
  EXPECT_TRUE(ok->spec.blocking_rules.empty()) << "no [blocking]: Link plans the rules within the budget";
  EXPECT_EQ(ok->options.blocking_budget, 0) << "0: the default budget for the number of records";
  auto budget = ParseCsvLinkSettings(std::string(kPeopleSettings) + "[blocking]\nbudget = 1234567\n", "s.toml");
  ASSERT_TRUE(budget.ok()) << budget.status().ToString();
  EXPECT_EQ(budget->options.blocking_budget, 1234567);
  EXPECT_TRUE(budget->default_blocking);
  auto bad_budget = ParseCsvLinkSettings(std::string(kPeopleSettings) + "[blocking]\nbudget = 0\n", "s.toml");
  ASSERT_FALSE(bad_budget.ok());
  EXPECT_NE(bad_budget.status().message().find("blocking.budget"), std::string::npos) << bad_budget.status().message();
  auto empty_blocking = ParseCsvLinkSettings(std::string(kPeopleSettings) + "[blocking]\n", "s.toml");
  ASSERT_FALSE(empty_blocking.ok());
  EXPECT_NE(empty_blocking.status().message().find("rules = [...] or budget"), std::string::npos)
      << empty_blocking.status().message();
  EXPECT_EQ(ok->spec.fields[4].kind, FieldKind::kString);
  EXPECT_EQ(ok->fields[3].check, ValueCheck::kNhsNumber);

  auto syntax = ParseCsvLinkSettings("id_column = \"id\"\n[[field]]\ncolumn = \n", "s.toml");
  EXPECT_EQ(syntax.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(syntax.status().message().find("s.toml:3"), std::string::npos) << syntax.status().message();

  auto kind = ParseCsvLinkSettings("id_column = \"id\"\n[[field]]\ncolumn = \"a\"\nkind = \"birthday\"\n", "s.toml");
  EXPECT_NE(kind.status().message().find("s.toml:4"), std::string::npos) << kind.status().message();
  EXPECT_NE(kind.status().message().find("field[1].kind"), std::string::npos) << kind.status().message();

  auto key =
      ParseCsvLinkSettings("id_column = \"id\"\n[[field]]\ncolumn = \"a\"\nkind = \"text\"\ncolour = 1\n", "s.toml");
  EXPECT_NE(key.status().message().find("colour"), std::string::npos) << key.status().message();

  auto rule = ParseCsvLinkSettings(
      std::string(kPeopleSettings) + "[blocking]\nrules = [\"first\", \"nosuch:soundex\"]\n", "s.toml");
  EXPECT_NE(rule.status().message().find("blocking.rules[2]"), std::string::npos) << rule.status().message();

  auto no_id = ParseCsvLinkSettings("[[field]]\ncolumn = \"a\"\nkind = \"text\"\n", "s.toml");
  EXPECT_NE(no_id.status().message().find("id_column"), std::string::npos);
  auto thresholds = ParseCsvLinkSettings(std::string(kPeopleSettings) +
                                             "[thresholds]\nmatch_probability = 0.4\n"
                                             "possible_probability = 0.6\n",
                                         "s.toml");
  EXPECT_EQ(thresholds.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CsvLinkageTest, BrokenCsvNamesTheLineAndField) {
  auto settings = ParseCsvLinkSettings(kPeopleSettings, "s.toml");
  ASSERT_TRUE(settings.ok());
  const auto missing_column = Write("a.csv", "id,first,last,dob,nhs\n1,Ann,Lee,01/02/2010,\n");
  auto r = ReadCsvInputs(*settings, {missing_column});
  EXPECT_NE(r.status().message().find("no column 'email'"), std::string::npos) << r.status().message();

  const auto short_row = Write("b.csv", "id,first,last,dob,nhs,email\n1,Ann,Lee,01/02/2010,,a@b.c\n2,Bob,Lee\n");
  r = ReadCsvInputs(*settings, {short_row});
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("field 'dob' is missing"), std::string::npos) << r.status().message();

  const auto duplicate = Write("c.csv", "id,first,last,dob,nhs,email\n1,Ann,Lee,,,\n1,Bob,Lee,,,\n");
  r = ReadCsvInputs(*settings, {duplicate});
  EXPECT_NE(r.status().message().find("used twice"), std::string::npos) << r.status().message();
}

TEST_F(CsvLinkageTest, UnparseableValuesAreMissingAndCounted) {
  auto settings = ParseCsvLinkSettings(kPeopleSettings, "s.toml");
  ASSERT_TRUE(settings.ok());
  // 31/02 is impossible; 9434765918 has a bad check digit (9434765919 is valid).
  const auto file = Write("a.csv",
                          "id,first,last,dob,nhs,email\n"
                          "1,Ann,Lee,31/02/2010,9434765918,ann@x.org\n"
                          "2,Ann,Lee,03/02/2010,943 476 5919,ann@x.org\n"
                          "3,Ann,Lee,2010-02-03,,\n");
  auto r = ReadCsvInputs(*settings, {file});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records.size(), 3u);
  EXPECT_EQ(r->unparsed.at("dob"), 2);  // the impossible date and the wrong format
  EXPECT_EQ(r->unparsed.at("nhs"), 1);
  EXPECT_NE(r->unparsed_example.at("dob").find(":2 '31/02/2010'"), std::string::npos) << r->unparsed_example.at("dob");
  EXPECT_EQ(r->records[0].values[2], "");
  EXPECT_EQ(r->records[0].values[3], "");
  EXPECT_EQ(r->records[1].values[2], "2010-02-03");
  EXPECT_EQ(r->records[1].values[3], "9434765919");
}

TEST_F(CsvLinkageTest, WritesClustersAndPairsForTwoInputs) {
  auto settings = ParseCsvLinkSettings(kPeopleSettings, "s.toml");
  ASSERT_TRUE(settings.ok());
  std::string a = "id,first,last,dob,nhs,email\n", b = a;
  const char* first[] = {"Ann", "Bob", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo"};
  const char* last[] = {"Lee", "Khan", "Moss", "Patel", "Ng", "Roe", "Shaw", "Tate", "Ueda", "Vale"};
  for (int i = 0; i < 10; ++i) {
    const std::string dob = std::to_string(10 + i) + "/0" + std::to_string(1 + i % 9) + "/20" + std::to_string(10 + i);
    a += "a" + std::to_string(i) + "," + first[i] + "," + last[i] + "," + dob + ",,\n";
    b += "b" + std::to_string(i) + "," + first[i] + "," + (i == 3 ? std::string("PATTEL") : last[i]) + "," + dob +
         ",,\n";
  }
  const auto fa = Write("left.csv", a);
  const auto fb = Write("right.csv", b);
  auto inputs = ReadCsvInputs(*settings, {fa, fb});
  ASSERT_TRUE(inputs.ok()) << inputs.status().ToString();
  EXPECT_EQ(inputs->source_names, (std::vector<std::string>{"left", "right"}));
  LinkageOptions options = settings->options;
  options.cross_source_only = true;
  options.allow_builtin_names = true;
  auto result = Link(inputs->records, settings->spec, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_TRUE(WriteCsvLinkOutputs(dir_ / "out", *inputs, *result).ok());
  const auto clusters = testing::ReadCsv((dir_ / "out" / "clusters.csv").string());
  ASSERT_EQ(clusters.size(), 21u);
  EXPECT_EQ(clusters[0], (std::vector<std::string>{"record_id", "cluster_id", "source"}));
  const auto pairs = testing::ReadCsv((dir_ / "out" / "pairs.csv").string());
  EXPECT_EQ(pairs[0], (std::vector<std::string>{"left_id", "right_id", "match_weight", "match_probability",
                                                "left_source", "right_source"}));
  // Every record meets its counterpart, Patel/PATTEL included.
  eval::TruthFiles truth;
  std::string t = "record_id,source,entity\n";
  for (int i = 0; i < 10; ++i) {
    const std::string k = std::to_string(i);
    t.append("a").append(k).append(",left,").append(k).append("\n");
    t.append("b").append(k).append(",right,").append(k).append("\n");
  }
  truth.files = {Write("truth.csv", t)};
  truth.truth_column = "entity";
  auto labels = eval::LabelCsvClusters(dir_ / "out" / "clusters.csv", truth);
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  const auto scores = eval::ScoreClusters(labels->records, true);
  EXPECT_EQ(scores.pairwise.true_pairs, 10);
  EXPECT_DOUBLE_EQ(scores.pairwise.f1(), 1.0);
}

eval::LabelledRecord Labelled(const std::string& source, const std::string& predicted, const std::string& truth) {
  eval::LabelledRecord r;
  r.source = source;
  r.predicted = predicted;
  r.truth = truth;
  return r;
}

TEST(LinkageEvalTest, PairwiseAndBCubedOnAKnownExample) {
  // Truth: {1,2,3} {4,5}; predicted: {1,2} {3,4,5}.
  std::vector<eval::LabelledRecord> r = {Labelled("s", "A", "x"), Labelled("s", "A", "x"), Labelled("s", "B", "x"),
                                         Labelled("s", "B", "y"), Labelled("s", "B", "y")};
  const auto s = eval::ScoreClusters(r, false);
  EXPECT_EQ(s.pairwise.true_pairs, 4);       // 3 + 1
  EXPECT_EQ(s.pairwise.predicted_pairs, 4);  // 1 + 3
  EXPECT_EQ(s.pairwise.correct_pairs, 2);    // {1,2} {4,5}
  EXPECT_DOUBLE_EQ(s.pairwise.f1(), 0.5);
  // B-cubed precision: records 1,2: 2/2; 3: 1/3; 4,5: 2/3 -> (1+1+1/3+2/3+2/3)/5.
  EXPECT_NEAR(s.bcubed_precision, (1 + 1 + 1.0 / 3 + 2.0 / 3 + 2.0 / 3) / 5, 1e-12);
  // B-cubed recall: 1,2: 2/3; 3: 1/3; 4,5: 2/2.
  EXPECT_NEAR(s.bcubed_recall, (2.0 / 3 + 2.0 / 3 + 1.0 / 3 + 1 + 1) / 5, 1e-12);
  // Cross-source only: pairs inside one source do not count.
  std::vector<eval::LabelledRecord> link = {Labelled("a", "A", "x"), Labelled("b", "A", "x"), Labelled("a", "A", "y")};
  const auto c = eval::ScoreClusters(link, true);
  EXPECT_EQ(c.pairwise.true_pairs, 1);
  EXPECT_EQ(c.pairwise.predicted_pairs, 2);  // a-b twice; the a-a pair is not a link
  EXPECT_EQ(c.pairwise.correct_pairs, 1);
}

TEST(FebrlCsvTest, Dataset1ThroughLinkCsvSettings) {
  const fs::path settings_path = fs::path(RISKRADAR_SOURCE_DIR) / "config/linkage/febrl.toml";
  auto settings = LoadCsvLinkSettings(settings_path);
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  const fs::path input = testing::LinkageTestData("febrl/dataset1.csv");
  auto inputs = ReadCsvInputs(*settings, {input});
  ASSERT_TRUE(inputs.ok()) << inputs.status().ToString();
  EXPECT_EQ(inputs->records.size(), 1000u);
  EXPECT_GT(inputs->unparsed["date_of_birth"], 0);  // FEBRL has impossible dates such as 19371233
  auto result = Link(inputs->records, settings->spec, settings->options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const fs::path out = fs::temp_directory_path() / ("rr-febrl1-" + std::to_string(::getpid()));
  ASSERT_TRUE(WriteCsvLinkOutputs(out, *inputs, *result).ok());
  eval::TruthFiles truth;
  truth.files = {input};
  truth.id_column = "rec_id";
  truth.truth_column = "rec_id";
  truth.truth_regex = "^rec-(\\d+)-";
  auto labels = eval::LabelCsvClusters(out / "clusters.csv", truth);
  fs::remove_all(out);
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  const auto s = eval::ScoreClusters(labels->records, false);
  EXPECT_EQ(s.pairwise.true_pairs, 500);
  EXPECT_GE(s.pairwise.f1(), 0.998);
  EXPECT_GE(s.bcubed_f1(), 0.998);
}

}  // namespace csv_linkage_test
}  // namespace riskradar::linkage
