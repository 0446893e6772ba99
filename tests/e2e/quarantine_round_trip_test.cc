// End to end through the real CLI (issue 18 items 7 and 8): the quarantine round trip (ingest with bad rows,
// export in the agency's format, fix, re-ingest, rows resolved, the rest resolved by hand), `ingest --dry-run`,
// `batch revert` with and without --cascade, the retention rule every record class needs, shipped mappings named
// without a path, and the modes of the personal-data files riskradar writes (0600 whatever the umask).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "demo_store.h"

namespace riskradar {
namespace quarantine_round_trip_test {

namespace fs = std::filesystem;
using e2e::CommandRun;
using e2e::RunCommand;

constexpr char kHeader[] =
    "Record ID,Child ID,Forename,Surname,Date of Birth,Gender,Postcode,NHS Number,Event Type,Event Date,Concern,"
    "Adult Forename,Adult Surname,Adult DOB,Location,Location Type,Location Postcode,Notes,Worker,Team";

constexpr char kGoodRow[] =
    "CS1,C1,Amy,Khan,05/06/2011,F,B12 9QT,943 476 5919,Referral,03/02/2025,CSE concern,,,,,,,,W,T\n";

constexpr char kBadExtract[] =
    // 2: good
    "CS1,C1,Amy,Khan,05/06/2011,F,B12 9QT,943 476 5919,Referral,03/02/2025,CSE concern,,,,,,,,W,T\n"
    // 3: impossible date
    "CS2,C2,Ben,Ward,01/01/2010,M,B1 1AA,,Referral,31/02/2025,CSE concern,,,,,,,\"seen, then left\",W,T\n"
    // 4: invalid NHS number check digit
    "CS3,C3,Cal,Ng,01/01/2010,M,B1 1AA,943 476 5918,Referral,04/02/2025,CSE concern,,,,,,,,W,T\n"
    // 5: a field too many (no record id can be trusted: resolved by hand)
    "CS4,C4,Dee,Oh,01/01/2010,F,B1 1AA,,Referral,04/02/2025,CSE concern,,,,,,,,W,T,extra\n"
    // 6: an event type the mapping does not know
    "CS6,C6,Fay,Ray,02/03/2012,F,CV1 1AA,,Teleport,05/02/2025,Other,,,,,,,,W,T\n";

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

unsigned Mode(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 07777;
  return st.st_mode & 0777;
}

class QuarantineCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rr-e2e-quar-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "rr.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return (dir_ / name).string();
  }
  // Every command under umask 000: a file that comes out 0600 does so whatever the operator's umask.
  CommandRun Cli(const std::string& args) { return RunCommand("umask 000; " + e2e::Cli(args)); }
  CommandRun Ingest(const std::string& file, const std::string& extra = "") {
    // The shipped mapping by its name, not its path.
    return Cli("ingest --db " + db_ + " --agency bcc-cs --agency-kind council --area Birmingham --mapping " +
               "council-case-a " + extra + " " + file);
  }
  std::string Status() { return Cli("status --db " + db_).output; }

  fs::path dir_;
  std::string db_;
};

TEST_F(QuarantineCliTest, RoundTripExportFixReingestResolve) {
  const std::string source = Write("extract.csv", std::string(kHeader) + "\n" + kBadExtract);
  const CommandRun first = Ingest(source);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  ASSERT_NE(first.output.find("5 rows, 1 landed, 0 unchanged, 4 quarantined"), std::string::npos) << first.output;

  const fs::path fix = dir_ / "fix.csv", reasons = dir_ / "fix.reasons.csv";
  const CommandRun exported = Cli("quarantine export --db " + db_ + " --batch 1 --out " + fix.string());
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  // Personal data: owner-only even under umask 000; the header is the source's, in its order.
  EXPECT_EQ(Mode(fix), 0600u);
  EXPECT_EQ(Mode(reasons), 0600u);
  std::string rows = ReadAll(fix);
  EXPECT_EQ(rows.substr(0, rows.find('\n')), kHeader);
  EXPECT_NE(rows.find("CS2,C2,Ben,Ward,01/01/2010,M,B1 1AA,,Referral,31/02/2025,CSE concern,,,,,,,\"seen, then "
                      "left\",W,T\n"),
            std::string::npos)
      << rows;
  const std::string why = ReadAll(reasons);
  EXPECT_NE(why.find("\n2,Event Date,"), std::string::npos) << why;
  EXPECT_NE(why.find("\n3,NHS Number,"), std::string::npos) << why;
  EXPECT_NE(why.find("\n5,Event Type,"), std::string::npos) << why;

  // The analyst fixes three rows; the fourth (a field too many) is a duplicate they drop.
  rows.replace(rows.find("31/02/2025"), 10, "28/02/2025");
  rows.replace(rows.find("943 476 5918"), 12, "943 476 5919");
  rows.replace(rows.find("Teleport"), 8, "Referral");
  const size_t cs4 = rows.find("CS4,");
  rows.erase(cs4, rows.find('\n', cs4) + 1 - cs4);
  const CommandRun second = Ingest(Write("fixed.csv", rows));
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("3 rows, 3 landed, 0 unchanged, 0 quarantined"), std::string::npos) << second.output;
  EXPECT_NE(second.output.find("3 quarantined rows of earlier batches resolved"), std::string::npos) << second.output;

  CommandRun list = Cli("quarantine list --db " + db_);
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find("1 quarantined rows open (3 resolved"), std::string::npos) << list.output;
  EXPECT_NE(Status().find("quarantined rows 4 (1 open)\n"), std::string::npos) << Status();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(list.output, m, std::regex(R"(\s*(\d+)\s+\S*extract\.csv:5 )"))) << list.output;
  const std::string id = m[1].str();

  // By hand: a reason is required, and a row is resolved once.
  EXPECT_EQ(Cli("quarantine resolve " + id + " --db " + db_ + " --reason short").exit_code, 2);
  const CommandRun resolved =
      Cli("quarantine resolve " + id + " --db " + db_ + " --reason 'duplicate of CS1; withdrawn by the council'");
  ASSERT_EQ(resolved.exit_code, 0) << resolved.output;
  const CommandRun twice =
      Cli("quarantine resolve " + id + " --db " + db_ + " --reason 'duplicate of CS1; withdrawn by the council'");
  EXPECT_EQ(twice.exit_code, 4) << twice.output;
  EXPECT_EQ(Cli("quarantine resolve 999 --db " + db_ + " --reason 'no such row at all here'").exit_code, 3);
  list = Cli("quarantine list --db " + db_);
  EXPECT_NE(list.output.find("0 quarantined rows open (4 resolved"), std::string::npos) << list.output;
  EXPECT_NE(Status().find("quarantined rows 4 (0 open)\n"), std::string::npos) << Status();
  const CommandRun all = Cli("quarantine list --all --db " + db_);
  EXPECT_NE(all.output.find("resolved"), std::string::npos) << all.output;
  EXPECT_NE(all.output.find("duplicate of CS1"), std::string::npos) << all.output;
  // Nothing left to export for the batch; the audit log holds every step and verifies.
  const CommandRun empty = Cli("quarantine export --db " + db_ + " --batch 1 --out " + (dir_ / "again.csv").string());
  ASSERT_EQ(empty.exit_code, 0) << empty.output;
  EXPECT_NE(empty.output.find("0 open rows of batch 1"), std::string::npos) << empty.output;
  const CommandRun audit = Cli("audit verify --db " + db_);
  EXPECT_EQ(audit.exit_code, 0) << audit.output;
  EXPECT_EQ(Cli("quarantine export --db " + db_ + " --batch 42 --out " + (dir_ / "x.csv").string()).exit_code, 3);
}

TEST_F(QuarantineCliTest, DryRunWritesNothing) {
  // No store yet: a dry run does not create one.
  const std::string source = Write("extract.csv", std::string(kHeader) + "\n" + kBadExtract);
  const CommandRun fresh = Ingest(source, "--dry-run");
  ASSERT_EQ(fresh.exit_code, 0) << fresh.output;
  EXPECT_FALSE(fs::exists(db_));
  EXPECT_NE(fresh.output.find("5 rows: 1 would load (new or already stored), 4 would be quarantined"),
            std::string::npos)
      << fresh.output;
  EXPECT_NE(fresh.output.find("[Event Date] event date is not a valid date"), std::string::npos) << fresh.output;
  EXPECT_NE(fresh.output.find("(line 3)"), std::string::npos) << fresh.output;

  ASSERT_EQ(Ingest(Write("first.csv", std::string(kHeader) + "\n" + kGoodRow)).exit_code, 0);
  const std::string before = Status();
  const std::string bytes_before = ReadAll(db_);
  const CommandRun dry = Ingest(source, "--dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_NE(dry.output.find("4 would be quarantined"), std::string::npos) << dry.output;
  EXPECT_EQ(Status(), before) << "counts and the audit log's length are unchanged";
  EXPECT_EQ(ReadAll(db_), bytes_before) << "the store file is unchanged byte for byte";
  // The same file imported already: the dry run says so.
  ASSERT_EQ(Ingest(source).exit_code, 0);
  EXPECT_NE(Ingest(source, "--dry-run").output.find("already imported as batch 2"), std::string::npos);
}

TEST_F(QuarantineCliTest, BatchRevertRefusedWhenLaterStagesDependUnlessCascade) {
  const std::string good =
      std::string(kHeader) + "\n" +
      "CS1,C1,Amy,Khan,05/06/2011,F,B12 9QT,943 476 5919,Referral,03/02/2025,CSE concern,Rob,"
      "Dane,01/01/1990,,,,,W,T\n"
      "CS2,C1,Amy,Khan,05/06/2011,F,B12 9QT,,Missing Episode,04/02/2025,Missing overnight,,,,Hotel Nine,Hotel,B1 "
      "1AA,,W,T\n";
  const std::string file = Write("wrong.csv", good);
  ASSERT_EQ(Ingest(file).exit_code, 0);
  // Nothing built on it yet: reverted at once; the same file can then be imported again.
  const CommandRun plain = Cli("batch revert 1 --db " + db_);
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_NE(plain.output.find("2 source records"), std::string::npos) << plain.output;
  EXPECT_NE(Status().find("source records 0\n"), std::string::npos) << Status();
  EXPECT_NE(Cli("batch list --db " + db_).output.find("reverted"), std::string::npos);
  EXPECT_EQ(Cli("batch revert 1 --db " + db_).exit_code, 4) << "a reverted batch is not reverted twice";
  const CommandRun again = Ingest(file);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("batch 2: 2 rows, 2 landed"), std::string::npos) << again.output;

  // Linked and assessed: refused without --cascade, with nothing removed.
  ASSERT_EQ(Cli("link --db " + db_).exit_code, 0);
  ASSERT_EQ(Cli("assess --db " + db_).exit_code, 0);
  const std::string linked = Status();
  const CommandRun refused = Cli("batch revert 2 --db " + db_);
  EXPECT_EQ(refused.exit_code, 4) << refused.output;
  EXPECT_NE(refused.output.find("later stages depend on import batch 2"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("--cascade"), std::string::npos) << refused.output;
  const std::string after_refusal = Status();
  EXPECT_EQ(after_refusal.substr(0, after_refusal.find("audit events")), linked.substr(0, linked.find("audit events")));

  const CommandRun cascade = Cli("batch revert 2 --cascade --db " + db_);
  ASSERT_EQ(cascade.exit_code, 0) << cascade.output;
  EXPECT_NE(cascade.output.find("now re-run: riskradar link, assess, network"), std::string::npos) << cascade.output;
  const std::string emptied = Status();
  EXPECT_NE(emptied.find("source records 0\nperson mentions 0\nplace mentions 0\nevents 0\n"), std::string::npos)
      << emptied;
  EXPECT_NE(emptied.find("assessments 0\n"), std::string::npos) << emptied;
  // The audit log verifies with every step in it.
  const CommandRun audit = Cli("audit verify --db " + db_);
  EXPECT_EQ(audit.exit_code, 0) << audit.output;
  EXPECT_EQ(Cli("batch revert 9 --db " + db_).exit_code, 3);
}

TEST_F(QuarantineCliTest, ARecordClassWithoutARetentionRuleIsRefused) {
  std::string mapping = ReadAll(fs::path(RISKRADAR_SOURCE_DIR) / "config/mappings/council-case-a.toml");
  const std::string from = "record_class = \"child_protection\"";
  mapping.replace(mapping.find(from), from.size(), "record_class = \"youth_justice\"");
  const std::string mapping_file = Write("youth.toml", mapping);
  const std::string extract = Write("y.csv", std::string(kHeader) + "\n" + kGoodRow);
  const std::string args = "ingest --db " + db_ + " --agency yjs --agency-kind council --mapping " + mapping_file;
  const CommandRun refused = Cli(args + " " + extract);
  EXPECT_EQ(refused.exit_code, 4) << refused.output;
  EXPECT_NE(refused.output.find("record class 'youth_justice' has no retention rule in "), std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("retention.toml"), std::string::npos) << refused.output;
  EXPECT_EQ(Cli(args + " --dry-run " + extract).exit_code, 4);
  // An explicit keep rule lets it in, and `retention plan` shows it.
  const std::string policy =
      Write("retention.toml", ReadAll(fs::path(RISKRADAR_SOURCE_DIR) / "config/retention.toml") +
                                  "[[rule]]\nrecord_class = \"youth_justice\"\nkeep = \"indefinitely\"\n");
  const CommandRun kept = Cli(args + " --policy " + policy + " " + extract);
  ASSERT_EQ(kept.exit_code, 0) << kept.output;
  const CommandRun plan = Cli("retention plan --db " + db_ + " --policy " + policy);
  ASSERT_EQ(plan.exit_code, 0) << plan.output;
  EXPECT_NE(plan.output.find("youth_justice"), std::string::npos) << plan.output;
  EXPECT_NE(plan.output.find("indefinitely"), std::string::npos) << plan.output;
  // A keep rule and a period for one class is refused, naming the file.
  const std::string both = Write("both.toml",
                                 "version = \"x\"\n[[rule]]\nrecord_class = \"a\"\nkeep = "
                                 "\"indefinitely\"\nkeep_years = 2\n");
  const CommandRun bad = Cli("retention plan --db " + db_ + " --policy " + both);
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  // An unknown mapping name is refused with the shipped names.
  const CommandRun unknown = Cli("ingest --db " + db_ + " --agency yjs --mapping council-case-z " + extract);
  EXPECT_EQ(unknown.exit_code, 3) << unknown.output;
  EXPECT_NE(unknown.output.find("council-case-a"), std::string::npos) << unknown.output;
}

TEST_F(QuarantineCliTest, ReportsAndProfilesAreOwnerOnlyWhateverTheUmask) {
  const std::string extract = Write("r.csv", std::string(kHeader) + "\n" + kGoodRow);
  ASSERT_EQ(Ingest(extract).exit_code, 0);
  ASSERT_EQ(Cli("link --db " + db_).exit_code, 0);
  ASSERT_EQ(Cli("assess --db " + db_).exit_code, 0);
  ASSERT_EQ(Cli("network --db " + db_).exit_code, 0);
  const CommandRun report = Cli("report --db " + db_ + " --out " + (dir_ / "report").string());
  ASSERT_EQ(report.exit_code, 0) << report.output;
  EXPECT_EQ(Mode(dir_ / "report" / "report.html"), 0600u);
  const CommandRun profile =
      Cli("report profile --db " + db_ + " --from 2025-01-01 --to 2025-03-31 --out " + (dir_ / "profile").string());
  ASSERT_EQ(profile.exit_code, 0) << profile.output;
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "profile")) {
    if (!entry.is_regular_file()) continue;
    ++files;
    EXPECT_EQ(Mode(entry.path()), 0600u) << entry.path();
  }
  EXPECT_GE(files, 3) << "profile.html, profile.xlsx and the tables";
}

}  // namespace quarantine_round_trip_test
}  // namespace riskradar
