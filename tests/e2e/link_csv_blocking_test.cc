// End to end: the blocking plan through the real CLI (issue 17). `link-csv
// --explain-blocking` prints the rules with their estimated pairs and links and
// writes nothing; a rule written in the settings that alone exceeds the budget is
// still run, with a warning on stderr naming it and its pairs.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace link_csv_blocking_test {

namespace fs = std::filesystem;

struct CommandRun {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

class LinkCsvBlockingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rr-link-csv-blocking-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // 60 fictional people, all born on the same day (one "dob" block: 60*59/2 = 1,770
    // pairs); "ref" pairs records 2k and 2k+1 (30 pairs); two postcodes of 30 records.
    std::ostringstream csv;
    csv << "id,forename,surname,dob,postcode,ref\n";
    const std::vector<std::string> forenames = {"Ardith", "Bexley", "Corvin", "Dulcie", "Evander", "Fenna"};
    const std::vector<std::string> surnames = {"Quillfeather", "Marrowby",    "Thistlewood", "Pennyworth", "Ashgrove",
                                               "Brackenridge", "Cobblestone", "Dunmore",     "Elderwick",  "Foxhollow"};
    for (int i = 0; i < 60; ++i) {
      csv << "r" << i << "," << forenames[static_cast<size_t>(i % 6)] << "," << surnames[static_cast<size_t>(i / 6)]
          << ",2010-01-01," << (i < 30 ? "B1 1AA" : "CV1 1AA") << ",REF" << i / 2 << "\n";
    }
    input_ = Write("people.csv", csv.str());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return (dir_ / name).string();
  }
  std::string Settings(const std::string& extra) {
    return Write("settings.toml",
                 "id_column = \"id\"\n"
                 "[[field]]\ncolumn = \"forename\"\nkind = \"forename\"\n"
                 "[[field]]\ncolumn = \"surname\"\nkind = \"surname\"\n"
                 "[[field]]\ncolumn = \"dob\"\nkind = \"date_of_birth\"\n"
                 "[[field]]\ncolumn = \"postcode\"\nkind = \"postcode\"\n"
                 "[[field]]\ncolumn = \"ref\"\nkind = \"identifier\"\n" +
                     extra);
  }
  CommandRun Run(const std::string& args) {
    CommandRun run;
    const fs::path err = dir_ / "stderr.txt";
    const std::string command = "RISKRADAR_DATA_DIR=" + std::string(RISKRADAR_SOURCE_DIR) + " " +
                                std::string(RISKRADAR_BINARY) + " " + args + " 2>" + err.string();
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return run;
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) run.out.append(buf.data(), n);
    const int status = pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(err);
    run.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return run;
  }
  // The report line of a rule ("  chosen   dob   ...").
  static std::string RowOf(const std::string& text, const std::string& decision, const std::string& rule) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      std::string d, r;
      words >> d >> r;
      if (d == decision && r == rule) return line;
    }
    return "";
  }
  static std::vector<std::string> Words(const std::string& line) {
    std::istringstream words(line);
    std::vector<std::string> out;
    for (std::string w; words >> w;) out.push_back(w);
    return out;
  }

  fs::path dir_;
  std::string input_;
};

TEST_F(LinkCsvBlockingTest, ExplainBlockingPrintsTheRulesWithTheirPairsAndLinksNothing) {
  const fs::path out = dir_ / "out";
  const CommandRun run = Run("link-csv --settings " + Settings("") + " --input " + input_ + " --out " + out.string() +
                             " --explain-blocking --quiet");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("link-csv: 60 records from 1 file(s); blocking planned from the field kinds (nothing linked)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("blocking: budget 4.0M pairs"), std::string::npos) << run.out;
  // Every candidate fits the 4M minimum budget: each is chosen, with its exact pair count;
  // nothing ran, so the actual columns are "-".
  const auto ref = Words(RowOf(run.out, "chosen", "ref"));
  ASSERT_EQ(ref.size() >= 6, true) << run.out;
  EXPECT_EQ(ref[2], "30") << "REF0..REF29, two records each";
  EXPECT_EQ(ref[4], "-");
  EXPECT_EQ(ref[5], "-");
  const auto dob = Words(RowOf(run.out, "chosen", "dob"));
  ASSERT_EQ(dob.size() >= 6, true) << run.out;
  EXPECT_EQ(dob[2], "1770") << "one block of 60 records";
  EXPECT_NE(run.out.find("all candidate rules fit the budget"), std::string::npos) << run.out;
  // Nothing linked, nothing written: no output directory, no pair or cluster lines.
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(run.out.find("candidate pairs;"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("clusters"), std::string::npos) << run.out;
  EXPECT_TRUE(run.err.empty()) << run.err;

  // Without --out it plans too; without either it says what it needs.
  EXPECT_EQ(Run("link-csv --settings " + Settings("") + " --input " + input_ + " --explain-blocking").exit_code, 0);
  const CommandRun neither = Run("link-csv --settings " + Settings("") + " --input " + input_);
  EXPECT_NE(neither.exit_code, 0);
  EXPECT_NE(neither.err.find("link-csv needs --out DIR (or --explain-blocking"), std::string::npos) << neither.err;
}

TEST_F(LinkCsvBlockingTest, ARuleGivenInTheSettingsOverTheBudgetIsRunWithAWarning) {
  const std::string settings = Settings("[blocking]\nrules = [\"ref\", \"dob\"]\nbudget = 1000\n");
  const std::string warning =
      "warning: blocking rule 'dob' alone produces about 1770 pairs, over the budget of 1000: linkage will be slow";

  const CommandRun explain = Run("link-csv --settings " + settings + " --input " + input_ + " --explain-blocking");
  ASSERT_EQ(explain.exit_code, 0) << explain.out << explain.err;
  EXPECT_NE(explain.out.find("blocking as written in the settings (nothing linked)"), std::string::npos) << explain.out;
  EXPECT_NE(explain.err.find(warning), std::string::npos) << explain.err;
  EXPECT_EQ(explain.err.find("'ref'"), std::string::npos) << "ref's 30 pairs are within the budget: " << explain.err;
  EXPECT_NE(RowOf(explain.out, "chosen", "dob").find("written in the settings"), std::string::npos) << explain.out;

  // Linking honours the rule as written: its 1,770 pairs are made, and the warning is given once.
  const fs::path out = dir_ / "out";
  const CommandRun link =
      Run("link-csv --settings " + settings + " --input " + input_ + " --out " + out.string() + " --quiet");
  ASSERT_EQ(link.exit_code, 0) << link.out << link.err;
  EXPECT_NE(link.err.find(warning), std::string::npos) << link.err;
  EXPECT_EQ(link.err.find(warning), link.err.rfind(warning)) << link.err;
  EXPECT_TRUE(fs::exists(out / "clusters.csv"));
  EXPECT_TRUE(fs::exists(out / "pairs.csv"));

  // The same settings without --quiet report the pairs each rule made.
  const CommandRun loud =
      Run("link-csv --settings " + settings + " --input " + input_ + " --out " + (dir_ / "out2").string());
  ASSERT_EQ(loud.exit_code, 0) << loud.err;
  const auto dob = Words(RowOf(loud.out, "chosen", "dob"));
  ASSERT_EQ(dob.size() >= 6, true) << loud.out;
  EXPECT_EQ(dob[2], "1770");
  EXPECT_EQ(dob[4], "1770") << "actual pairs: the rule ran as written, over the budget";
}

}  // namespace link_csv_blocking_test
