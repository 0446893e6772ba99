// End to end: the real `riskradar` binary runs the demo pipeline on a small
// synthetic partnership; the evaluation figures must stay above measured floors.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "demo_store.h"

namespace riskradar {
namespace demo_test {

namespace fs = std::filesystem;

using e2e::CommandRun;
using e2e::RunCommand;

double Figure(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) {
    ADD_FAILURE() << "pattern not found: " << pattern;
    return -1;
  }
  return std::stod(m[1].str());
}

class DemoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("rr-e2e-" + std::to_string(::getpid()));
    e2e::PreparedDemo prepared = e2e::CopyFixture("s7-scale02", dir_);  // `demo --scale 0.2 --seed 7`
    demo_ = prepared.demo;
    origin_ = prepared.origin;
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static std::string Cli(const std::string& args) { return std::string(RISKRADAR_BINARY) + " " + args; }
  static std::string Db() { return "--db " + (dir_ / "riskradar.db").string(); }

  static inline fs::path dir_;
  static inline fs::path origin_;  // where the demo ran; the store names the extracts it ingested there
  static inline CommandRun demo_;
};

TEST_F(DemoTest, DemoPrintsTheRegionalSummaryAndWritesTheReport) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  EXPECT_NE(demo_.output.find("Children on the risk radar:"), std::string::npos) << demo_.output;
  EXPECT_NE(demo_.output.find("by district: Birmingham"), std::string::npos) << demo_.output;
  EXPECT_NE(demo_.output.find("Suspected offenders:"), std::string::npos);
  EXPECT_NE(demo_.output.find("Places of concern:"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "report.html"));
  EXPECT_TRUE(fs::exists(dir_ / "report-publishable.html"));
  // The problem profile for the partnership's year, both versions, every format (issue 14).
  for (const char* version : {"profile", "profile-publishable"}) {
    for (const char* file : {"profile.html", "profile.xlsx", "tables/index.csv", "tables/radar_by_district.csv"}) {
      EXPECT_TRUE(fs::exists(dir_ / version / file)) << version << "/" << file;
    }
  }
  std::ifstream html(dir_ / "report.html");
  std::stringstream content;
  content << html.rdbuf();
  EXPECT_NE(content.str().find("<svg"), std::string::npos) << "the report has at least one chart";
}

TEST_F(DemoTest, EvaluationStaysAboveFloors) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  const std::string& out = demo_.output;
  // Floors a little under the figures measured at scale 0.2, seed 7 (people
  // P 0.9997 R 0.9980, name origins 0.9925 to 1.0000; places P 1.000 R 0.801;
  // radar P 0.947 R 0.845 with model 2025.2, P 0.874 R 0.986 and level
  // agreement among the truly at risk 0.791 with 2026.1 after event linkage;
  // event merges P 0.9969 R 1.0000; 7 of 8 networks; 19 of 19 places of
  // concern): they catch regressions, not noise.
  EXPECT_GE(Figure(out, R"(People linkage: precision ([0-9.]+))"), 0.999) << out;
  EXPECT_GE(Figure(out, R"(People linkage: precision [0-9.]+, recall ([0-9.]+))"), 0.99) << out;
  EXPECT_GE(Figure(out, R"(Place linkage: precision ([0-9.]+))"), 0.99) << out;
  EXPECT_GE(Figure(out, R"(Place linkage: precision [0-9.]+, recall ([0-9.]+))"), 0.70) << out;
  EXPECT_GE(Figure(out, R"(Risk radar: precision ([0-9.]+))"), 0.85) << out;
  EXPECT_GE(Figure(out, R"(Risk radar: precision [0-9.]+, recall ([0-9.]+))"), 0.95) << out;
  EXPECT_GE(Figure(out, R"(level agreement among the truly at risk: ([0-9.]+))"), 0.72) << out;
  EXPECT_GE(Figure(out, R"(Event linkage: .*merge precision ([0-9.]+))"), 0.99) << out;
  EXPECT_GE(Figure(out, R"(Event linkage: .*merge precision [0-9.]+, recall ([0-9.]+))"), 0.97) << out;
  EXPECT_GE(Figure(out, R"(Networks: ([0-9]+) of)"), 6) << out;
  EXPECT_GE(Figure(out, R"(Places of concern: ([0-9]+) of [0-9]+ true)"), 17) << out;
  // Issue 12: >= 90% of the true places of concern in the top N by score (N = as many as there are true places).
  EXPECT_GE(Figure(out, R"(; ([0-9]+) of [0-9]+ in the top [0-9]+ by score)"),
            0.9 * Figure(out, R"(; [0-9]+ of ([0-9]+) in the top [0-9]+ by score)"))
      << out;
  // VOLT (issue 12 items 4, 5), measured at scale 0.2, seed 7: 7 of 8 networks recovered with Jaccard >= 0.8
  // (as true people); 80 suspected offenders against 74 true, 73 of them true; 20 of the top 20 true offenders.
  EXPECT_GE(Figure(out, R"(recovered with Jaccard >= 0.8: ([0-9]+) of)"), 6) << out;
  EXPECT_GE(Figure(out, R"(Offenders: [0-9]+ suspected against [0-9]+ true \([-+0-9.]+%\): ([0-9]+) true)"), 66) << out;
  EXPECT_LE(Figure(out, R"(Offenders: ([0-9]+) suspected)"), 90) << out;
  EXPECT_GE(Figure(out, R"(top 20 by priority: ([0-9]+) true)"), 18) << out;
  // Equity (issue 4): every name-origin group's people recall within 2 points of the best.
  std::smatch line;
  ASSERT_TRUE(std::regex_search(out, line, std::regex(R"(recall by name origin: ([^\n]+))"))) << out;
  const std::string groups = line[1].str();
  std::vector<double> recalls;
  const std::regex group(R"(([a-z_]+) ([0-9.]+);)");
  for (auto it = std::sregex_iterator(groups.begin(), groups.end(), group); it != std::sregex_iterator(); ++it) {
    recalls.push_back(std::stod((*it)[2].str()));
  }
  ASSERT_GE(recalls.size(), 4u) << groups;
  const double best = *std::max_element(recalls.begin(), recalls.end());
  for (double r : recalls) EXPECT_LE(best - r, 0.02) << groups;
}

TEST_F(DemoTest, EvaluateJsonGivesTheSummaryFiguresAsOneObject) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  const CommandRun run =
      RunCommand(Cli("evaluate --json " + Db() + " --truth " + (dir_ / "partnership" / "truth").string()));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const nlohmann::json j = nlohmann::json::parse(run.output, nullptr, false);
  ASSERT_TRUE(j.is_object()) << "stdout is exactly one JSON object:\n" << run.output;
  const auto& s = j.at("screening");
  // The same figures the demo's console summary printed, to the digits it printed.
  EXPECT_NEAR(s.at("precision").get<double>(), Figure(demo_.output, R"(Risk radar: precision ([0-9.]+))"), 0.0005);
  EXPECT_NEAR(s.at("recall").get<double>(), Figure(demo_.output, R"(Risk radar: precision [0-9.]+, recall ([0-9.]+))"),
              0.0005);
  EXPECT_NEAR(s.at("level_agreement_at_risk").get<double>(),
              Figure(demo_.output, R"(level agreement among the truly at risk: ([0-9.]+))"), 0.0005);
  EXPECT_EQ(s.at("truly_at_risk").get<double>(), Figure(demo_.output, R"(truly at risk ([0-9]+), flagged)"));
  EXPECT_TRUE(s.at("recall_by_sex").contains("female")) << run.output;
  EXPECT_NEAR(j.at("linkage").at("people").at("recall").get<double>(),
              Figure(demo_.output, R"(People linkage: precision [0-9.]+, recall ([0-9.]+))"), 0.00005);
  EXPECT_EQ(j.at("places").at("true").get<double>(), Figure(demo_.output, R"(Places of concern: [0-9]+ of ([0-9]+))"));
}

TEST_F(DemoTest, StagesRerunAloneAndKeepPersonIds) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  const CommandRun link = RunCommand(Cli("link " + Db()));
  ASSERT_EQ(link.exit_code, 0) << link.output;
  const CommandRun assess = RunCommand(Cli("assess " + Db()));
  ASSERT_EQ(assess.exit_code, 0) << assess.output;
  const CommandRun network = RunCommand(Cli("network " + Db()));
  ASSERT_EQ(network.exit_code, 0) << network.output;
  const CommandRun report = RunCommand(Cli("report " + Db() + " --out " + (dir_ / "again").string()));
  ASSERT_EQ(report.exit_code, 0) << report.output;
  EXPECT_TRUE(fs::exists(dir_ / "again" / "report.html"));
  EXPECT_NE(report.output.find("Children on the risk radar:"), std::string::npos) << report.output;
  // The publishable report gets its own file and no exact-count console summary beside it.
  const CommandRun published =
      RunCommand(Cli("report --publishable " + Db() + " --out " + (dir_ / "published").string()));
  ASSERT_EQ(published.exit_code, 0) << published.output;
  EXPECT_TRUE(fs::exists(dir_ / "published" / "report-publishable.html"));
  EXPECT_FALSE(fs::exists(dir_ / "published" / "report.html"));
  EXPECT_EQ(published.output.find("Children on the risk radar:"), std::string::npos) << published.output;
  EXPECT_NE(published.output.find("report-publishable.html"), std::string::npos) << published.output;
  const CommandRun verify = RunCommand(Cli("audit verify " + Db()));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("audit log ok"), std::string::npos) << verify.output;
  EXPECT_NE(verify.output.find("latest signed checkpoint"), std::string::npos) << verify.output;
}

// The first admin and user lifecycle from the command line; every change lands in the verified audit log.
TEST_F(DemoTest, UserCommandsFollowTheDemo) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  const CommandRun add = RunCommand(Cli("user add " + Db() + " --name e2e-admin --agency wmp --role administrator"));
  ASSERT_EQ(add.exit_code, 0) << add.output;
  EXPECT_NE(add.output.find("password: "), std::string::npos);
  EXPECT_NE(add.output.find("otpauth://totp/riskradar:e2e-admin?secret="), std::string::npos);
  const CommandRun again = RunCommand(Cli("user add " + Db() + " --name e2e-admin --agency wmp --role analyst"));
  EXPECT_EQ(again.exit_code, 6) << again.output;  // already exists
  const CommandRun weak =
      RunCommand("echo password1234 | " +
                 Cli("user add " + Db() + " --name e2e-weak --agency wmp --role analyst --password-stdin"));
  EXPECT_EQ(weak.exit_code, 2) << weak.output;
  EXPECT_NE(weak.output.find("common-passwords"), std::string::npos) << weak.output;
  const CommandRun role = RunCommand(Cli("user add " + Db() + " --name e2e-x --agency wmp --role superuser"));
  EXPECT_EQ(role.exit_code, 2) << role.output;
  EXPECT_EQ(RunCommand(Cli("user disable " + Db() + " --name e2e-admin")).exit_code, 0);
  const CommandRun list = RunCommand(Cli("user list " + Db()));
  EXPECT_NE(list.output.find("disabled"), std::string::npos) << list.output;
  EXPECT_EQ(list.output.find("argon2"), std::string::npos);  // no secrets listed
  EXPECT_EQ(RunCommand(Cli("user reset " + Db() + " --name e2e-admin")).exit_code, 0);
  const CommandRun verify = RunCommand(Cli("audit verify " + Db()));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

TEST_F(DemoTest, DeliberateDefectsInTheExtractsAreQuarantinedWithReasons) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  // The generator writes a few broken rows (impossible dates in council CSVs, cut-short police JSON lines);
  // each is held back with a reason naming the file, line and problem, and the rest of the file lands.
  const CommandRun status = RunCommand(Cli("status " + Db()));
  const double quarantined = Figure(status.output, R"(quarantined rows ([0-9]+))");
  EXPECT_GE(quarantined, 3) << status.output;
  const CommandRun list = RunCommand(Cli("quarantine list " + Db()));
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find("event date is not a valid date"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("not valid JSON"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find(".csv:"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find(".jsonl:"), std::string::npos) << list.output;
  // Exactly the rows the generator broke on purpose, no more and no fewer.
  std::set<std::string> expected, held;
  std::ifstream truth(dir_ / "partnership" / "truth" / "defects.csv");
  std::string line;
  std::getline(truth, line);  // header
  while (std::getline(truth, line)) {
    const size_t a = line.find(','), b = line.find(',', a + 1);
    expected.insert((origin_ / "partnership").string() + "/" + line.substr(0, a) + ":" + line.substr(a + 1, b - a - 1));
  }
  const std::regex where(R"((/\S+):([0-9]+)\s)");
  for (auto it = std::sregex_iterator(list.output.begin(), list.output.end(), where); it != std::sregex_iterator();
       ++it) {
    held.insert((*it)[1].str() + ":" + (*it)[2].str());
  }
  EXPECT_EQ(held, expected);
  EXPECT_EQ(static_cast<double>(expected.size()), quarantined);
}

TEST_F(DemoTest, RetentionPlanAndLegalHoldsFromTheCli) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  // In 2040 the 2025 police records (6 years) are past their period, council ones (25 years) are not.
  const CommandRun plan = RunCommand(Cli("retention plan " + Db() + " --as-of 2040-01-01"));
  ASSERT_EQ(plan.exit_code, 0) << plan.output;
  EXPECT_NE(plan.output.find("plan only: nothing deleted"), std::string::npos) << plan.output;
  EXPECT_GT(Figure(plan.output, R"(police_intelligence\s+[0-9]+\s+0\s+([0-9]+))"), 0) << plan.output;
  EXPECT_EQ(Figure(plan.output, R"(child_protection\s+[0-9]+\s+0\s+([0-9]+))"), 0) << plan.output;
  const CommandRun unconfirmed = RunCommand(Cli("retention apply " + Db() + " --as-of 2040-01-01"));
  EXPECT_EQ(unconfirmed.exit_code, 2) << unconfirmed.output;
  EXPECT_NE(unconfirmed.output.find("--confirm"), std::string::npos) << unconfirmed.output;
  // A hold on the police keeps all their records.
  const CommandRun hold =
      RunCommand(Cli("hold add " + Db() + " --scope agency --target wmp --reason 'Operation Synthetic review 2026'"));
  ASSERT_EQ(hold.exit_code, 0) << hold.output;
  const CommandRun held = RunCommand(Cli("retention plan " + Db() + " --as-of 2040-01-01"));
  EXPECT_EQ(Figure(held.output, R"(police_intelligence\s+[0-9]+\s+[0-9]+\s+([0-9]+))"), 0) << held.output;
  EXPECT_GT(Figure(held.output, R"(police_intelligence\s+[0-9]+\s+([0-9]+))"), 0) << held.output;
  const CommandRun list = RunCommand(Cli("hold list " + Db()));
  EXPECT_NE(list.output.find("1 active legal holds"), std::string::npos) << list.output;
  EXPECT_EQ(RunCommand(Cli("hold release " + Db() + " --id 1")).exit_code, 0);
  // A broken schedule is refused with the file and line.
  const fs::path bad = dir_ / "bad-retention.toml";
  std::ofstream(bad) << "version = \"x\"\n[[rule]]\nrecord_class = \"health\"\nkeep_years = 2\nkeep_days = 3\n";
  const CommandRun refused = RunCommand(Cli("retention plan " + Db() + " --policy " + bad.string()));
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("bad-retention.toml:2"), std::string::npos) << refused.output;
}

// The demo ends with the way on to the server; demo-users then makes need-to-know visible: users, sharing
// agreements and care relationships, all audited.
TEST_F(DemoTest, DemoPrintsHowToServeItAndDemoUsersSetUpNeedToKnow) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  const std::string db = fs::absolute(dir_ / "riskradar.db").string();
  EXPECT_NE(demo_.output.find(" demo-users --db " + db), std::string::npos) << demo_.output;
  EXPECT_NE(demo_.output.find(" serve --db " + db), std::string::npos) << demo_.output;
  const CommandRun users = RunCommand(Cli("demo-users " + Db()));
  ASSERT_EQ(users.exit_code, 0) << users.output;
  EXPECT_NE(users.output.find("wmp-practitioner"), std::string::npos);
  EXPECT_GT(Figure(users.output, R"(Sharing agreements: ([0-9]+) new)"), 0) << users.output;
  EXPECT_NE(users.output.find("allocated_case  children "), std::string::npos) << users.output;
  EXPECT_NE(users.output.find("mase_listing    children "), std::string::npos) << users.output;
  // And a MASE meeting with its agenda, two actions, tracked disruptions and the alerts they raise.
  EXPECT_GT(Figure(users.output, R"(MASE meeting #[0-9]+ \([^)]*\): ([0-9]+) agenda items)"), 0) << users.output;
  EXPECT_NE(users.output.find("2 actions (one overdue)"), std::string::npos) << users.output;
  // A newcomer signing in as the council practitioner sees the actions, as the police practitioner the tracker
  // (the demo's police disruption events and the notice added).
  EXPECT_GE(Figure(users.output, R"(([0-9]+) in all for bcc-cs-practitioner)"), 2) << users.output;
  EXPECT_GT(Figure(users.output, R"(([0-9]+) disruptions in the tracker for wmp-practitioner)"), 1) << users.output;
  EXPECT_GT(Figure(users.output, R"(([0-9]+) alerts raised)"), 0) << users.output;
  EXPECT_NE(users.output.find("serve --db"), std::string::npos);
  EXPECT_EQ(RunCommand(Cli("audit verify " + Db())).exit_code, 0);
}

TEST_F(DemoTest, ReimportingTheManifestAddsNothing) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  const CommandRun before = RunCommand(Cli("status " + Db()));
  const CommandRun again = RunCommand(Cli("ingest " + Db() + " --manifest " + (dir_ / "partnership").string()));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("already imported"), std::string::npos);
  const CommandRun after = RunCommand(Cli("status " + Db()));
  EXPECT_EQ(Figure(before.output, R"(source records ([0-9]+))"), Figure(after.output, R"(source records ([0-9]+))"));
}

TEST_F(DemoTest, ReviewDecisionIsKeptAndExplained) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  const CommandRun list = RunCommand(Cli("review list --limit 3 " + Db()));
  ASSERT_EQ(list.exit_code, 0) << list.output;
  std::smatch m;
  const std::regex pending(R"(\n\s*([0-9]+)\s+([0-9]+)\s+[-+][0-9.]+\s+[0-9.]+\s+pending)");
  ASSERT_TRUE(std::regex_search(list.output, m, pending)) << list.output;
  const std::string pair = "--left " + m[1].str() + " --right " + m[2].str();
  // review show names the pair as confirm, reject and explain do; two bare ids still work.
  const CommandRun show = RunCommand(Cli("review show " + Db() + " " + pair));
  ASSERT_EQ(show.exit_code, 0) << show.output;
  EXPECT_NE(show.output.find("left  " + m[1].str() + ": "), std::string::npos) << show.output;
  EXPECT_NE(show.output.find("right " + m[2].str() + ": "), std::string::npos) << show.output;
  EXPECT_NE(show.output.find("review: pending"), std::string::npos) << show.output;
  const CommandRun positional = RunCommand(Cli("review show " + Db() + " " + m[1].str() + " " + m[2].str()));
  ASSERT_EQ(positional.exit_code, 0) << positional.output;
  EXPECT_EQ(positional.output, show.output);
  const CommandRun both = RunCommand(Cli("review show " + Db() + " " + pair + " " + m[1].str() + " " + m[2].str()));
  EXPECT_NE(both.exit_code, 0) << both.output;
  const CommandRun half = RunCommand(Cli("review show " + Db() + " --left " + m[1].str()));
  EXPECT_NE(half.exit_code, 0) << half.output;
  EXPECT_NE(half.output.find("--left requires --right"), std::string::npos) << half.output;
  const CommandRun neither = RunCommand(Cli("review show " + Db()));
  EXPECT_EQ(neither.exit_code, 2) << neither.output;
  EXPECT_NE(neither.output.find("needs --left and --right"), std::string::npos) << neither.output;
  const CommandRun explain = RunCommand(Cli("explain " + Db() + " " + pair));
  ASSERT_EQ(explain.exit_code, 0) << explain.output;
  EXPECT_NE(explain.output.find("prior"), std::string::npos) << explain.output;
  EXPECT_NE(explain.output.find("probability"), std::string::npos) << explain.output;
  const CommandRun json = RunCommand(Cli("explain --json " + Db() + " " + pair));
  EXPECT_NE(json.output.find("\"steps\""), std::string::npos) << json.output;
  const CommandRun no_reason = RunCommand(Cli("review confirm " + Db() + " " + pair));
  EXPECT_NE(no_reason.exit_code, 0) << no_reason.output;
  const CommandRun confirm =
      RunCommand(Cli("review confirm " + Db() + " " + pair + " --reason 'same child' --user e2e"));
  ASSERT_EQ(confirm.exit_code, 0) << confirm.output;
  // Confirming it again (another reason, another user) is refused like the API's 409; the first reason stays.
  const CommandRun again =
      RunCommand(Cli("review confirm " + Db() + " " + pair + " --reason 'a later second opinion' --user e2e2"));
  EXPECT_EQ(again.exit_code, 6) << again.output;
  EXPECT_NE(again.output.find("already confirmed by e2e"), std::string::npos) << again.output;
  const CommandRun relink = RunCommand(Cli("link " + Db()));
  ASSERT_EQ(relink.exit_code, 0) << relink.output;
  // What `link` calls pairs for review is what `status` then counts as awaiting review.
  const CommandRun status = RunCommand(Cli("status " + Db()));
  EXPECT_EQ(Figure(relink.output, R"(([0-9]+) pairs for review)"),
            Figure(status.output, R"(link pairs awaiting review ([0-9]+))"))
      << relink.output << status.output;
  const CommandRun after = RunCommand(Cli("explain " + Db() + " " + pair));
  EXPECT_NE(after.output.find("the same person"), std::string::npos) << after.output;
  EXPECT_NE(after.output.find("review: confirmed same child"), std::string::npos) << after.output;
  const CommandRun confirmed = RunCommand(Cli("review list --status confirmed " + Db()));
  EXPECT_NE(confirmed.output.find("e2e: same child"), std::string::npos) << confirmed.output;
  const std::string truth = (dir_ / "partnership" / "truth").string();
  const CommandRun eval = RunCommand(Cli("linkage-eval " + Db() + " --truth-dir " + truth));
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_GE(Figure(eval.output, R"(people: .*pairwise precision ([0-9.]+))"), 0.99) << eval.output;
  EXPECT_NE(eval.output.find("B-cubed"), std::string::npos);
  EXPECT_EQ(RunCommand(Cli("audit verify " + Db())).exit_code, 0);
}

TEST(LinkCsvTest, FebrlDataset1AndClearErrors) {
  const fs::path dir = fs::temp_directory_path() / ("rr-linkcsv-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string bin = RISKRADAR_BINARY;
  const std::string source = RISKRADAR_SOURCE_DIR;
  const std::string input = source + "/tests/linkage/data/febrl/dataset1.csv";
  const CommandRun link = RunCommand(bin + " link-csv --settings " + source + "/config/linkage/febrl.toml --input " +
                                     input + " --out " + (dir / "out").string());
  ASSERT_EQ(link.exit_code, 0) << link.output;
  EXPECT_NE(link.output.find("did not parse and were treated as missing"), std::string::npos) << link.output;
  EXPECT_TRUE(fs::exists(dir / "out" / "clusters.csv"));
  EXPECT_TRUE(fs::exists(dir / "out" / "pairs.csv"));
  const CommandRun eval =
      RunCommand(bin + " linkage-eval --clusters " + (dir / "out" / "clusters.csv").string() + " --truth " + input +
                 " --id-column rec_id --truth-column rec_id --truth-regex '^rec-(\\d+)-'");
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_GE(Figure(eval.output, R"(F1 ([0-9.]+) \(true pairs)"), 0.998) << eval.output;
  // A bad settings file names the line and key; a broken CSV names the line and field.
  {
    std::ofstream(dir / "bad.toml") << "id_column = \"rec_id\"\n[[field]]\ncolumn = \"surname\"\n"
                                       "kind = \"nickname\"\n";
  }
  const CommandRun bad = RunCommand(bin + " link-csv --settings " + (dir / "bad.toml").string() + " --input " + input +
                                    " --out " + (dir / "x").string());
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("bad.toml:4: field[1].kind"), std::string::npos) << bad.output;
  { std::ofstream(dir / "broken.csv") << "rec_id,given_name,surname\nrec-1-org,ann,lee\nrec-2-org,bob\n"; }
  {
    std::ofstream(dir / "ok.toml") << "id_column = \"rec_id\"\n[[field]]\ncolumn = \"given_name\"\n"
                                      "kind = \"forename\"\n[[field]]\ncolumn = \"surname\"\nkind = \"surname\"\n";
  }
  const CommandRun broken = RunCommand(bin + " link-csv --settings " + (dir / "ok.toml").string() + " --input " +
                                       (dir / "broken.csv").string() + " --out " + (dir / "y").string());
  EXPECT_EQ(broken.exit_code, 2) << broken.output;
  EXPECT_NE(broken.output.find("line 3"), std::string::npos) << broken.output;
  EXPECT_NE(broken.output.find("field 'surname' is missing"), std::string::npos) << broken.output;
  fs::remove_all(dir);
}

TEST(CliTest, BadInputGetsAClearErrorAndExitCode) {
  const CommandRun missing = RunCommand(std::string(RISKRADAR_BINARY) +
                                        " ingest --db /nonexistent/dir/x.db --agency a "
                                        "--mapping m.toml f.csv");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("does not exist"), std::string::npos) << missing.output;
  const CommandRun no_args = RunCommand(std::string(RISKRADAR_BINARY));
  EXPECT_NE(no_args.exit_code, 0);
  const CommandRun help = RunCommand(std::string(RISKRADAR_BINARY) + " link --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--db"), std::string::npos);
}

}  // namespace demo_test
}  // namespace riskradar
