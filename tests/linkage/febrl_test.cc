// Accuracy of the generic engine on the FEBRL synthetic data sets (ground truth in rec_id):
// pairwise precision, recall and F1 of the final clusters, with floors set from measured runs.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "riskradar/linkage/engine.h"
#include "test_util.h"

namespace riskradar::linkage {
namespace febrl_test {

struct FebrlData {
  std::vector<Record> records;
  std::vector<std::string> entity;
};

// Fields are separated by ", "; values are lower case and read as strings.
void ReadFebrl(const std::string& name, const std::string& source, FebrlData* out) {
  std::ifstream in(testing::LinkageTestData("febrl/" + name), std::ios::binary);
  ASSERT_TRUE(in) << name;
  std::string line;
  std::getline(in, line);
  static const std::regex kEntity("^rec-(\\d+)-");
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cols;
    size_t start = 0;
    while (true) {
      const size_t comma = line.find(',', start);
      std::string v = line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      const size_t b = v.find_first_not_of(' ');
      v = b == std::string::npos ? "" : v.substr(b);
      while (!v.empty() && v.back() == ' ') v.pop_back();
      cols.push_back(v);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    ASSERT_EQ(cols.size(), 11u) << line;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(cols[0], m, kEntity)) << cols[0];
    Record r;
    r.id = static_cast<int64_t>(out->records.size());
    r.source = source;
    // rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth,
    // soc_sec_id
    r.values = {cols[1], cols[2], cols[9], cols[10], cols[7], cols[6], cols[4], cols[5], cols[3], cols[8]};
    out->records.push_back(std::move(r));
    out->entity.push_back(m[1]);
  }
}

LinkageSpec FebrlSpec() {
  LinkageSpec spec;
  spec.fields = {
      {"given_name", FieldKind::kForename, true, false, "surname"},
      {"surname", FieldKind::kSurname, true, false, ""},
      {"date_of_birth", FieldKind::kDateOfBirth, false, false, ""},
      {"soc_sec_id", FieldKind::kString, false, false, ""},
      {"postcode", FieldKind::kString, false, false, ""},
      {"suburb", FieldKind::kText, false, false, ""},
      {"address_1", FieldKind::kText, false, false, ""},
      {"address_2", FieldKind::kText, false, false, ""},
      {"street_number", FieldKind::kString, false, false, ""},
      {"state", FieldKind::kString, false, false, ""},
  };
  for (const char* rule :
       {"soc_sec_id", "given_name & surname", "date_of_birth", "surname:soundex & date_of_birth:year",
        "given_name:prefix3 & postcode", "postcode & street_number", "suburb & surname:initial"}) {
    spec.blocking_rules.push_back(*ParseBlockingRule(rule));
  }
  return spec;
}

struct Accuracy {
  double precision = 0, recall = 0, f1 = 0;
  int64_t true_pairs = 0, predicted_pairs = 0, correct_pairs = 0;
};

Accuracy Pairwise(const std::vector<int32_t>& cluster_of, const std::vector<std::string>& entity,
                  const std::vector<Record>* records = nullptr, bool cross_only = false) {
  // Pairs in one cluster vs pairs of one entity, counted through cell sizes.
  std::map<int32_t, std::vector<size_t>> clusters;
  for (size_t i = 0; i < cluster_of.size(); ++i) clusters[cluster_of[i]].push_back(i);
  auto count_pairs = [&](const std::vector<size_t>& members, auto same) {
    int64_t n = 0;
    for (size_t a = 0; a < members.size(); ++a) {
      for (size_t b = a + 1; b < members.size(); ++b) {
        if (cross_only && (*records)[members[a]].source == (*records)[members[b]].source) continue;
        if (same(members[a], members[b])) ++n;
      }
    }
    return n;
  };
  Accuracy acc;
  for (const auto& [c, members] : clusters) {
    acc.predicted_pairs += count_pairs(members, [](size_t, size_t) { return true; });
    acc.correct_pairs += count_pairs(members, [&](size_t a, size_t b) { return entity[a] == entity[b]; });
  }
  std::map<std::string, std::vector<size_t>> entities;
  for (size_t i = 0; i < entity.size(); ++i) entities[entity[i]].push_back(i);
  for (const auto& [e, members] : entities) acc.true_pairs += count_pairs(members, [](size_t, size_t) { return true; });
  acc.precision = acc.predicted_pairs ? static_cast<double>(acc.correct_pairs) / acc.predicted_pairs : 0;
  acc.recall = acc.true_pairs ? static_cast<double>(acc.correct_pairs) / acc.true_pairs : 0;
  acc.f1 = acc.precision + acc.recall > 0 ? 2 * acc.precision * acc.recall / (acc.precision + acc.recall) : 0;
  return acc;
}

Accuracy RunFebrl(const std::vector<std::string>& files, bool cross_source_only) {
  FebrlData data;
  for (const auto& f : files) {
    ReadFebrl(f, f, &data);
    if (::testing::Test::HasFatalFailure()) return {};
  }
  LinkageOptions options;
  options.cross_source_only = cross_source_only;
  const auto start = std::chrono::steady_clock::now();
  auto result = Link(data.records, FebrlSpec(), options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(result.ok()) << result.status().message();
  if (!result.ok()) return {};
  const Accuracy acc = Pairwise(result->cluster_of, data.entity, &data.records, cross_source_only);
  std::string name;
  for (const auto& f : files) name += (name.empty() ? "" : "+") + f;
  std::printf(
      "FEBRL %s: records=%zu candidates=%lld matches=%zu possibles=%zu clusters=%d split=%d "
      "em_iterations=%d converged=%d lambda=%.3g | precision=%.4f recall=%.4f F1=%.4f "
      "(true %lld, predicted %lld, correct %lld) %.2fs\n",
      name.c_str(), data.records.size(), static_cast<long long>(result->candidate_pairs), result->matches.size(),
      result->possibles.size(), result->cluster_count, result->clusters_split, result->model.em_iterations,
      result->model.em_converged, result->model.lambda, acc.precision, acc.recall, acc.f1,
      static_cast<long long>(acc.true_pairs), static_cast<long long>(acc.predicted_pairs),
      static_cast<long long>(acc.correct_pairs), seconds);
  if (std::getenv("RISKRADAR_LINKAGE_VERBOSE") != nullptr) {
    for (const auto& b : result->blocking) {
      std::printf("  rule %-40s candidates=%lld new=%lld oversized=%lld lambda=%.4f\n", b.rule.c_str(),
                  static_cast<long long>(b.candidate_pairs), static_cast<long long>(b.new_pairs),
                  static_cast<long long>(b.oversized_blocks), b.lambda);
    }
    for (const auto& f : result->model.fields) {
      std::printf("  %s%s\n", f.field.c_str(), f.m_estimated ? "" : " (m not estimated)");
      for (const auto& l : f.levels)
        std::printf("    %-36s m=%.4f u=%.6f w=%+.2f\n", l.label.c_str(), l.m, l.u, l.weight);
    }
  }
  return acc;
}

// Floors sit a little below the measured figures (printed by each test; measured
// in the first version: 1.0000, 0.9992, 0.9992, 0.9998) so a real regression fails.
TEST(FebrlTest, Dataset1) { EXPECT_GE(RunFebrl({"dataset1.csv"}, false).f1, 0.998); }
TEST(FebrlTest, Dataset2) { EXPECT_GE(RunFebrl({"dataset2.csv"}, false).f1, 0.995); }
TEST(FebrlTest, Dataset3) { EXPECT_GE(RunFebrl({"dataset3.csv"}, false).f1, 0.997); }
TEST(FebrlTest, Dataset4aAnd4bLinkOnly) { EXPECT_GE(RunFebrl({"dataset4a.csv", "dataset4b.csv"}, true).f1, 0.998); }

}  // namespace febrl_test
}  // namespace riskradar::linkage
