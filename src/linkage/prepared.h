// Internal to the linkage engine: records normalised into interned columns,
// and the comparison kernel that turns a record pair into comparison levels.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "riskradar/linkage/engine.h"

namespace riskradar::linkage {

// Levels are packed 4 bits per field into a 64-bit pattern, so at most 16
// fields; 15 means "missing on either side" (neutral).
constexpr int kMaxFields = 16;
constexpr int kMaxRules = 16;
constexpr uint8_t kNullLevel = 15;

// Level layouts per kind (see engine.h). Shared by the kernel and the model labels.
std::vector<std::string> LevelLabels(const FieldSpec& field);

struct Dictionary {
  std::unordered_map<std::string, int32_t> index;
  std::vector<std::string> utf8;
  // Code points of every value, stored contiguously (the kernel reads them for
  // random record pairs, so locality matters), with a 64-bit character mask each.
  std::vector<char32_t> flat;
  std::vector<uint32_t> offset;  // value v is flat[offset[v], offset[v + 1])
  std::vector<uint64_t> mask;
  // Names only: sorted forename- / surname-group ids plus token hashes (high bit set),
  // so "variant" is a non-empty intersection.
  // (Filled while interning, then moved into the flat arrays below by FlattenKeys.)
  std::vector<std::vector<uint32_t>> forename_keys;
  std::vector<std::vector<uint32_t>> surname_keys;
  // The keys as the kernel reads them: contiguous, with a 64-bit signature per
  // value (one bit per key hash) so most pairs that share no key are told apart
  // without walking the lists.
  struct KeyLists {
    std::vector<uint32_t> flat;  // value v's keys are flat[offset[v], offset[v + 1])
    std::vector<uint32_t> offset;
    std::vector<uint64_t> signature;
    bool Share(int32_t x, int32_t y) const;
  };
  KeyLists forename_lists, surname_lists;
  void FlattenKeys();

  int32_t Intern(const std::string& value);
  std::u32string_view Text(int32_t v) const {
    const auto i = static_cast<size_t>(v);
    return {flat.data() + offset[i], offset[i + 1] - offset[i]};
  }
  // Jaro-Winkler of two values, or a value below `floor` (not necessarily the
  // true one) when a cheap bound proves it cannot reach `floor`.
  double JaroWinklerAtLeast(int32_t a, int32_t b, double floor) const;
};

struct DateParts {
  int16_t year = 0;
  int8_t month = 0;
  int8_t day = 0;
  int32_t days = 0;
  bool valid = false;
};

struct Column {
  FieldKind kind = FieldKind::kText;
  int dict = -1;               // index into PreparedData::dicts
  int swap_partner = -1;       // forename <-> surname column
  bool forename_side = false;  // this column is the forename of a swap pair
  bool cannot_link = false;
  bool tf = false;
  std::vector<int32_t> id;          // per record: value id in dict, -1 = missing
  std::vector<int32_t> sector;      // postcode: sector id (same dict), -1 = unknown
  std::vector<int32_t> district;    // postcode: district id, -1 = unknown
  std::vector<DateParts> date;      // date_of_birth
  std::vector<double> tf_by_value;  // per value id: share of records with it
  std::vector<double> log2_tf;      // per value id: log2 of that share (floored at 1e-12), for the kernel
};

class PreparedData {
 public:
  size_t size = 0;
  std::vector<Column> columns;
  std::vector<Dictionary> dicts;
  std::vector<std::string> source;
  // What the kernel reads, row-major: comparing a pair then touches one cache line
  // per record instead of one per field (candidate pairs meet records in random
  // order; at a million records the column-major vectors cost a cache miss per
  // field). Slot c holds column c's value id (-1: missing); a date column adds its
  // date packed as year << 9 | month << 5 | day, a postcode column its sector and
  // district ids. Rows are 16 slots (64 bytes, cache-line aligned) when they fit.
  std::vector<int32_t> row_storage;
  size_t row_offset = 0;          // first slot of record 0 in row_storage (alignment)
  size_t row_stride = 0;          // slots per record
  std::vector<uint8_t> aux_slot;  // per column: its first extra slot (dates, postcodes), 0 if none
  const int32_t* Row(uint32_t r) const { return row_storage.data() + row_offset + r * row_stride; }

  // Normalises and interns. tf_model: take term frequencies from a trained
  // model instead of counting them in these records.
  static PreparedData Build(const std::vector<Record>& records, const LinkageSpec& spec, const NameVariants& names,
                            const Model* tf_model);

  // Fills row_storage from the columns (Build calls it).
  void BuildRows();
  // The comparison kernel: one level per column (kNullLevel when missing).
  void CompareLevels(uint32_t i, uint32_t j, uint8_t* levels) const;
  // Records i and j must never share a cluster (a cannot-link field disagrees).
  bool CannotLink(uint32_t i, uint32_t j) const;
};

// Scoring tables derived from a model: weight per column per level.
struct WeightTable {
  double prior = 0;
  std::vector<std::array<double, 16>> weight;
  std::vector<double> log2_u_exact;  // for term-frequency adjustment
  bool tf = true;
  double max_tf = 10;

  static WeightTable FromModel(const Model& model);
  // log2(u(exact) / share of records with record i's value), clamped to +-max_tf.
  double TfAdjustment(const PreparedData& data, size_t column, uint32_t i) const {
    const Column& c = data.columns[column];
    const double adj = log2_u_exact[column] - c.log2_tf[static_cast<size_t>(c.id[i])];
    return std::clamp(adj, -max_tf, max_tf);
  }
  double Score(const PreparedData& data, uint32_t i, const uint8_t* levels) const {
    double w = prior;
    for (size_t c = 0; c < weight.size(); ++c) {
      if (levels[c] == kNullLevel) continue;
      w += weight[c][levels[c]];
      if (tf && levels[c] == 0 && data.columns[c].tf) w += TfAdjustment(data, c, i);
    }
    return w;
  }
};

}  // namespace riskradar::linkage
