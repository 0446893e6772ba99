// Helpers shared by the linkage tests: locating test data, reading small CSV files, pairwise F1 against truth.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace riskradar::linkage::testing {

inline std::string LinkageTestData(const std::string& relative) {
  return std::string(RISKRADAR_SOURCE_DIR) + "/tests/linkage/data/" + relative;
}

// RFC 4180 CSV: quoted fields may hold commas and doubled quotes. No header handling.
inline std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(field);
      rows.push_back(row);
      row.clear();
      field.clear();
      any = false;
    } else {
      field.push_back(c);
      any = true;
    }
  }
  if (any || !field.empty() || !row.empty()) {
    row.push_back(field);
    rows.push_back(row);
  }
  return rows;
}

// Pairwise F1 of a clustering (record i in cluster cluster_of[i]) against the true person of each record: the
// pairs put together that are truly one person, over those put together and those truly together.
template <typename Id>
double PairwiseF1(const std::vector<Id>& cluster_of, const std::vector<int>& truth) {
  std::map<std::pair<Id, int>, int64_t> cells;
  std::map<Id, int64_t> clusters;
  std::map<int, int64_t> people;
  for (size_t i = 0; i < truth.size(); ++i) {
    ++cells[{cluster_of[i], truth[i]}];
    ++clusters[cluster_of[i]];
    ++people[truth[i]];
  }
  auto pairs = [](int64_t n) { return n * (n - 1) / 2; };
  int64_t correct = 0, predicted = 0, actual = 0;
  for (const auto& [k, n] : cells) correct += pairs(n);
  for (const auto& [k, n] : clusters) predicted += pairs(n);
  for (const auto& [k, n] : people) actual += pairs(n);
  const double p = predicted ? static_cast<double>(correct) / static_cast<double>(predicted) : 1;
  const double r = actual ? static_cast<double>(correct) / static_cast<double>(actual) : 1;
  return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

}  // namespace riskradar::linkage::testing
