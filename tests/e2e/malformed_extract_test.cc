// End to end: a malformed council extract through the real CLI. Bad rows are
// quarantined one by one with a reason naming the problem; the rest land;
// re-running adds nothing; a file with an unknown column is refused whole.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace malformed_extract_test {

namespace fs = std::filesystem;

struct CommandRun {
  int exit_code = -1;
  std::string output;
};

CommandRun RunCli(const std::string& args) {
  CommandRun run;
  FILE* pipe = popen((std::string(RISKRADAR_BINARY) + " " + args + " 2>&1").c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) run.output.append(buf.data(), n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

constexpr char kHeader[] =
    "Record ID,Child ID,Forename,Surname,Date of Birth,Gender,Postcode,NHS Number,Event Type,Event Date,Concern,"
    "Adult Forename,Adult Surname,Adult DOB,Location,Location Type,Location Postcode,Notes,Worker,Team\n";

class MalformedExtractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rr-malformed-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "rr.db").string();
    mapping_ = (fs::path(RISKRADAR_SOURCE_DIR) / "config/mappings/council-case-a.toml").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return (dir_ / name).string();
  }
  std::string Ingest(const std::string& file) {
    return "ingest --db " + db_ + " --agency bcc-cs --agency-kind council --area Birmingham --mapping " + mapping_ +
           " " + file;
  }

  fs::path dir_;
  std::string db_, mapping_;
};

TEST_F(MalformedExtractTest, BadRowsAreQuarantinedRowByRowAndTheRestLands) {
  const std::string file =
      Write("extract.csv",
            std::string(kHeader) +
                // 2: good
                "CS1,C1,Amy,Khan,05/06/2011,F,B12 9QT,943 476 5919,Referral,03/02/2025,CSE concern,,,,,,,,W,T\n"
                // 3: impossible date
                "CS2,C2,Ben,Ward,01/01/2010,M,B1 1AA,,Referral,31/02/2025,CSE concern,,,,,,,,W,T\n"
                // 4: invalid NHS number check digit
                "CS3,C3,Cal,Ng,01/01/2010,M,B1 1AA,943 476 5918,Referral,04/02/2025,CSE concern,,,,,,,,W,T\n"
                // 5: broken quoting
                "CS4,C4,\"Dee,Oh,01/01/2010,F,B1 1AA,,Referral,04/02/2025,CSE concern,,,,,,,,W,T\n"
                // 6: good, with a quoted comma
                "CS5,C5,Eve,Lee,02/03/2012,F,CV1 1AA,,Referral,05/02/2025,Other,,,,,,,\"seen, then left\",W,T\n"
                // 7: an event type the mapping does not know
                "CS6,C6,Fay,Ray,02/03/2012,F,CV1 1AA,,Teleport,05/02/2025,Other,,,,,,,,W,T\n");
  const CommandRun first = RunCli(Ingest(file));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("6 rows, 2 landed, 0 unchanged, 4 quarantined"), std::string::npos) << first.output;

  const CommandRun list = RunCli("quarantine list --db " + db_);
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find("extract.csv:3  [Event Date] event date is not a valid date"), std::string::npos)
      << list.output;
  EXPECT_NE(list.output.find("extract.csv:4  [NHS Number] subject NHS number is invalid"), std::string::npos)
      << list.output;
  EXPECT_NE(list.output.find("extract.csv:5  malformed CSV"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("extract.csv:7  [Event Type] event kind value is not one the mapping knows"),
            std::string::npos)
      << list.output;
  EXPECT_EQ(list.output.find("9434765918"), std::string::npos) << "the bad NHS number must not be echoed";

  const CommandRun again = RunCli(Ingest(file));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("already imported"), std::string::npos) << again.output;
  const CommandRun status = RunCli("status --db " + db_);
  EXPECT_NE(status.output.find("source records 2\n"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("quarantined rows 4 (4 open)\n"), std::string::npos) << status.output;

  const fs::path exported = dir_ / "fix.csv";
  const CommandRun exp = RunCli("quarantine export --db " + db_ + " --out " + exported.string());
  ASSERT_EQ(exp.exit_code, 0) << exp.output;
  ASSERT_TRUE(fs::exists(exported));
  // The export holds raw rows (personal data): owner-only, complete (header and four rows), no temp file left.
  EXPECT_EQ(fs::status(exported).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  std::ifstream in(exported);
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(std::count(content.begin(), content.end(), '\n'), 5) << content;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename().string().find("fix.csv.tmp"), std::string::npos) << entry.path();
  }
  // A destination that cannot be written fails naming it, after the attempt is audited.
  const fs::path unwritable = dir_ / "no-such-dir" / "fix.csv";
  const CommandRun bad = RunCli("quarantine export --db " + db_ + " --out " + unwritable.string());
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_NE(bad.output.find(unwritable.string()), std::string::npos) << bad.output;
  EXPECT_FALSE(fs::exists(unwritable));
  const CommandRun verify = RunCli("audit verify --db " + db_);
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

TEST_F(MalformedExtractTest, UnknownColumnRefusesTheFileWithNothingWritten) {
  std::string header = kHeader;
  header.insert(header.size() - 1, ",Shoe Size");
  const std::string file = Write(
      "extra.csv", header + "CS1,C1,Amy,Khan,05/06/2011,F,B12 9QT,,Referral,03/02/2025,CSE concern,,,,,,,,W,T,9\n");
  const CommandRun run = RunCli(Ingest(file));
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("column 'Shoe Size' is not in mapping"), std::string::npos) << run.output;
  const CommandRun status = RunCli("status --db " + db_);
  EXPECT_NE(status.output.find("source records 0\n"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("import batches 0\n"), std::string::npos) << status.output;
}

}  // namespace malformed_extract_test
