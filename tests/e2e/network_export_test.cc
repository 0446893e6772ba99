// End to end: `riskradar network export` on the small demo store: GraphML and CSV files whose nodes and edges
// agree, pseudonymous by default (stable across exports), identities only on request and only for a role that
// may see them, and nothing more for a person the account may not see than for a missing id.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "demo_store.h"

namespace riskradar {
namespace network_export_test {

namespace fs = std::filesystem;
using nlohmann::json;

using e2e::CommandRun;
using e2e::RunCommand;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::set<std::string> Matches(const std::string& text, const std::string& pattern) {
  std::set<std::string> out;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1].str());
  return out;
}

class NetworkExportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const e2e::DemoStore& store = e2e::DemoStore::Get();
    dir_ = store.dir;
    demo_ = store.demo;
  }
  static std::string Cli(const std::string& args) { return e2e::Cli(args); }
  static std::string Db() { return "--db " + (dir_ / "riskradar.db").string(); }
  static CommandRun Export(const std::string& args) { return RunCommand(Cli("network export " + Db() + " " + args)); }

  static inline fs::path dir_;
  static inline CommandRun demo_;
};

TEST_F(NetworkExportTest, GraphMlIsPseudonymousByDefaultAndStable) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  const fs::path a = dir_ / "n1-a.graphml", b = dir_ / "n1-b.graphml";
  CommandRun run = Export("--network 1 --format graphml --out " + a.string() + " --user wmp-analyst");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("(0 identified)"), std::string::npos) << run.output;
  ASSERT_EQ(Export("--network 1 --format graphml --out " + b.string() + " --user wmp-analyst").exit_code, 0);
  const std::string xml = ReadAll(a);
  EXPECT_EQ(xml, ReadAll(b)) << "the same pseudonyms in every export";
  EXPECT_EQ((fs::status(a).permissions() & fs::perms::others_read), fs::perms::none);
  const auto nodes = Matches(xml, R"re(<node id="([^"]+)")re");
  ASSERT_GE(nodes.size(), 3u) << xml.substr(0, 2000);
  for (const std::string& id : nodes) EXPECT_TRUE(std::regex_match(id, std::regex("[PL]-[0-9a-f]{12}"))) << id;
  // Every edge end is a node; every data key is declared.
  const auto sources = Matches(xml, R"re(source="([^"]+)")re"), targets = Matches(xml, R"re(target="([^"]+)")re");
  ASSERT_FALSE(sources.empty());
  for (const auto& s : sources) EXPECT_TRUE(nodes.contains(s)) << s;
  for (const auto& t : targets) EXPECT_TRUE(nodes.contains(t)) << t;
  const auto declared = Matches(xml, R"re(<key id="([^"]+)")re"), used = Matches(xml, R"re(<data key="([^"]+)")re");
  for (const auto& k : used) EXPECT_TRUE(declared.contains(k)) << k;

  // With --identities the police analyst's visible people are named, and nobody else.
  const fs::path named = dir_ / "n1-named.graphml";
  run = Export("--network 1 --format graphml --out " + named.string() + " --user wmp-analyst --identities");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string with_names = ReadAll(named);
  EXPECT_FALSE(Matches(with_names, R"re(<node id="(person-[0-9]+)")re").empty()) << with_names.substr(0, 2000);
  for (const std::string& label : Matches(with_names, R"re(<data key="n_label">([^<]+)</data>)re")) {
    if (std::regex_match(label, std::regex("[PL]-[0-9a-f]{12}"))) continue;  // a person the analyst may not see
    EXPECT_EQ(xml.find(">" + label + "<"), std::string::npos) << "the pseudonymous file names " << label;
  }
}

TEST_F(NetworkExportTest, CsvNodesAndEdgesAgreeAndIdentitiesNeedTheRole) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  const fs::path out = dir_ / "csv-all";
  CommandRun run = Export("--format csv --out " + out.string() + " --user wmp-analyst");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string nodes = ReadAll(out / "nodes.csv"), edges = ReadAll(out / "edges.csv");
  ASSERT_EQ(nodes.rfind("\"id\",\"kind\",\"label\",", 0), 0u) << nodes.substr(0, 200);
  ASSERT_EQ(edges.rfind("\"source\",\"target\",\"kind\",\"weight\"", 0), 0u) << edges.substr(0, 200);
  const auto ids = Matches(nodes, "\r\n\"([^\"]+)\",");
  const auto ends = Matches(edges, "\r\n\"([^\"]+)\",");
  ASSERT_GT(ends.size(), 10u);
  for (const auto& e : ends) EXPECT_TRUE(ids.contains(e)) << e;
  EXPECT_EQ(Matches(nodes, "(,=|,\\+|,@)").size(), 0u) << "no field starts a formula";

  run = Export("--format csv --out " + (dir_ / "csv-ig").string() + " --user wmp-ig_lead --identities");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.output.find("may not see identities"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(dir_ / "csv-ig" / "nodes.csv"));
}

TEST_F(NetworkExportTest, AHiddenPersonExportsExactlyAsAMissingId) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  const CommandRun list = RunCommand(Cli("network priorities " + Db() + " --user wmp-analyst --top 1 --json"), false);
  const json people = json::parse(list.output, nullptr, false);
  ASSERT_TRUE(people.is_array() && people.size() == 1u) << list.output;
  const std::string top = std::to_string(people[0]["person"].get<int64_t>());

  const CommandRun ego = Export("--person " + top + " --hops 2 --format graphml --out " +
                                (dir_ / "ego.graphml").string() + " --user wmp-analyst --identities");
  ASSERT_EQ(ego.exit_code, 0) << ego.output;
  EXPECT_NE(ReadAll(dir_ / "ego.graphml").find("<node id=\"person-" + top + "\">"), std::string::npos);

  const fs::path h = dir_ / "hidden.graphml", m = dir_ / "missing.graphml";
  const CommandRun hidden =
      Export("--person " + top + " --format graphml --out " + h.string() + " --user bc-ae-analyst");
  const CommandRun missing = Export("--person 99999999 --format graphml --out " + m.string() + " --user bc-ae-analyst");
  EXPECT_NE(hidden.exit_code, 0);
  EXPECT_EQ(hidden.exit_code, missing.exit_code);
  EXPECT_NE(hidden.output.find("no such person"), std::string::npos) << hidden.output;
  EXPECT_EQ(hidden.output, missing.output);
  EXPECT_FALSE(fs::exists(h));

  const CommandRun far =
      Export("--person " + top + " --hops 4 --format csv --out " + (dir_ / "far").string() + " --user wmp-analyst");
  EXPECT_NE(far.exit_code, 0);
  EXPECT_NE(far.output.find("hops must be 1 to 3"), std::string::npos) << far.output;
}

}  // namespace network_export_test
}  // namespace riskradar
