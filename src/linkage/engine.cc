// The generic linkage engine (see engine.h): blocking, u sampling, EM, scoring, clustering.
#include "riskradar/linkage/engine.h"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <unordered_set>

#include "prepared.h"
#include "riskradar/linkage/blocking_plan.h"
#include "riskradar/linkage/comparators.h"
#include "riskradar/linkage/incremental.h"

namespace riskradar::linkage {
namespace {

struct ResolvedPart {
  size_t column;
  KeyTransform transform;
  int length;
};

struct ResolvedRule {
  std::vector<ResolvedPart> parts;
  std::vector<bool> uses_column;
};

uint64_t Splitmix(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Pack(const uint8_t* levels, size_t n) {
  uint64_t p = 0;
  for (size_t c = 0; c < n; ++c) p |= static_cast<uint64_t>(levels[c] & 0xF) << (4 * c);
  return p;
}
uint8_t LevelAt(uint64_t pattern, size_t c) { return static_cast<uint8_t>((pattern >> (4 * c)) & 0xF); }

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Per dictionary value, the hash of its blocking piece under a transform that
// depends on the value alone (0: the piece is empty, so the key is missing).
// Computed once per distinct value rather than once per record.
std::vector<uint64_t> PieceHashes(const PreparedData& data, const ResolvedPart& part) {
  const Column& col = data.columns[part.column];
  const Dictionary& dict = data.dicts[static_cast<size_t>(col.dict)];
  std::vector<uint64_t> out(dict.utf8.size(), 0);
  if (part.transform != KeyTransform::kSoundex && part.transform != KeyTransform::kNysiis &&
      part.transform != KeyTransform::kMetaphone && part.transform != KeyTransform::kPrefix) {
    return out;
  }
  tbb::parallel_for(tbb::blocked_range<size_t>(0, out.size()), [&](const tbb::blocked_range<size_t>& range) {
    for (size_t v = range.begin(); v < range.end(); ++v) {
      const std::string& value = dict.utf8[v];
      std::string piece;
      switch (part.transform) {
        case KeyTransform::kSoundex:
          piece = Soundex(value);
          break;
        case KeyTransform::kNysiis:
          piece = Nysiis(value);
          break;
        case KeyTransform::kMetaphone:
          piece = Metaphone(value);
          break;
        case KeyTransform::kPrefix:
          piece = EncodeUtf8(dict.Text(static_cast<int32_t>(v)).substr(0, static_cast<size_t>(part.length)));
          break;
        default:
          break;
      }
      out[v] = piece.empty() ? 0 : (std::hash<std::string>{}(piece) | 1);
    }
  });
  return out;
}

// The key of one record under one rule; 0 when any part is missing.
uint64_t BlockingKey(const PreparedData& data, const ResolvedRule& rule,
                     const std::vector<std::vector<uint64_t>>& piece_hashes, uint32_t r) {
  uint64_t key = 0x243f6a8885a308d3ULL;
  for (size_t k = 0; k < rule.parts.size(); ++k) {
    const ResolvedPart& part = rule.parts[k];
    const Column& col = data.columns[part.column];
    const int32_t id = col.id[r];
    if (id < 0) return 0;
    uint64_t h = 0;
    switch (part.transform) {
      case KeyTransform::kValue:
        h = Mix(static_cast<uint64_t>(id) + 1);
        break;
      case KeyTransform::kSoundex:
      case KeyTransform::kNysiis:
      case KeyTransform::kMetaphone:
      case KeyTransform::kPrefix:
        h = piece_hashes[k][static_cast<size_t>(id)];
        if (h == 0) return 0;
        break;
      case KeyTransform::kYear:
        h = Mix(0x100000000ULL + static_cast<uint64_t>(col.date[r].year));
        break;
      case KeyTransform::kNamePair: {
        // Names share one dictionary, so ids compare across the two fields.
        const int32_t other = col.swap_partner >= 0 ? data.columns[static_cast<size_t>(col.swap_partner)].id[r] : -1;
        if (other < 0) return 0;
        const auto lo = static_cast<uint64_t>(std::min(id, other));
        const auto hi = static_cast<uint64_t>(std::max(id, other));
        h = Mix((lo << 32) | hi);
        break;
      }
      case KeyTransform::kDistrict:
      case KeyTransform::kSector: {
        const int32_t sub = part.transform == KeyTransform::kDistrict ? col.district[r] : col.sector[r];
        if (sub < 0) return 0;
        h = Mix(static_cast<uint64_t>(sub) + 1);
        break;
      }
    }
    key = Mix(key ^ (h + 0x9e3779b97f4a7c15ULL * (k + 1)));
  }
  return key == 0 ? 1 : key;
}

// The blocks of every rule: records ordered by key, blocks of 2..max_block_size
// records as ranges of that order. keys[r][i] is 0 when record i is in no block
// of rule r that produces pairs, so "rule q produced pair (i, j)" is
// keys[q][i] != 0 && keys[q][i] == keys[q][j]. Pairs are never stored: each
// pass walks the blocks again (streaming, issue 17).
struct RuleBlocks {
  std::vector<uint32_t> order;
  std::vector<std::pair<uint32_t, uint32_t>> blocks;
  int64_t pairs = 0;  // pairs the blocks produce (before the cross-source filter)
};
struct Blocking {
  std::vector<std::vector<uint64_t>> keys;
  std::vector<RuleBlocks> rules;
  std::vector<BlockingRuleReport> reports;
};

std::vector<uint64_t> RuleKeys(const PreparedData& data, const ResolvedRule& rule) {
  std::vector<std::vector<uint64_t>> piece_hashes;
  for (const ResolvedPart& part : rule.parts) piece_hashes.push_back(PieceHashes(data, part));
  std::vector<uint64_t> keys(data.size, 0);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, data.size), [&](const tbb::blocked_range<size_t>& range) {
    for (size_t i = range.begin(); i < range.end(); ++i) {
      keys[i] = BlockingKey(data, rule, piece_hashes, static_cast<uint32_t>(i));
    }
  });
  return keys;
}

// touch (incremental linkage): only the blocks holding a record it marks are
// built (whole, so caps apply as in a full run); the other records keep their
// keys, which is still right for "rule q produced pair (i, j)" when i or j is marked.
Blocking BuildBlocks(const PreparedData& data, const std::vector<ResolvedRule>& rules, const LinkageSpec& spec,
                     const LinkageOptions& options, const std::vector<uint8_t>* touch = nullptr) {
  const size_t n = data.size;
  Blocking out;
  for (size_t r = 0; r < rules.size(); ++r) {
    std::vector<uint64_t> keys = RuleKeys(data, rules[r]);
    std::vector<std::pair<uint64_t, uint32_t>> keyed;
    if (touch == nullptr) {
      keyed.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        if (keys[i] != 0) keyed.emplace_back(keys[i], static_cast<uint32_t>(i));
      }
    } else {
      std::vector<uint64_t> wanted;
      for (size_t i = 0; i < n; ++i) {
        if (keys[i] != 0 && (*touch)[i] != 0) wanted.push_back(keys[i]);
      }
      std::sort(wanted.begin(), wanted.end());
      wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
      for (size_t i = 0; i < n; ++i) {
        if (keys[i] != 0 && std::binary_search(wanted.begin(), wanted.end(), keys[i])) {
          keyed.emplace_back(keys[i], static_cast<uint32_t>(i));
        }
      }
    }
    tbb::parallel_sort(keyed.begin(), keyed.end());
    RuleBlocks rb;
    rb.order.reserve(keyed.size());
    BlockingRuleReport report;
    report.rule = spec.blocking_rules[r].name;
    const int64_t cap = spec.blocking_rules[r].max_block_size > 0
                            ? std::min(options.max_block_size, spec.blocking_rules[r].max_block_size)
                            : options.max_block_size;
    for (size_t b = 0; b < keyed.size();) {
      size_t e = b + 1;
      while (e < keyed.size() && keyed[e].first == keyed[b].first) ++e;
      const auto size = static_cast<int64_t>(e - b);
      if (size > cap) {
        ++report.oversized_blocks;
        report.skipped_pairs += size * (size - 1) / 2;
        for (size_t x = b; x < e; ++x) keys[keyed[x].second] = 0;
      } else if (size > 1) {
        const auto first = static_cast<uint32_t>(rb.order.size());
        for (size_t x = b; x < e; ++x) rb.order.push_back(keyed[x].second);
        rb.blocks.emplace_back(first, static_cast<uint32_t>(rb.order.size()));
        rb.pairs += size * (size - 1) / 2;
      } else {
        keys[keyed[b].second] = 0;
      }
      b = e;
    }
    rb.order.shrink_to_fit();
    out.keys.push_back(std::move(keys));
    out.rules.push_back(std::move(rb));
    out.reports.push_back(report);
  }
  return out;
}

// Visits every pair of rule r's blocks in parallel: visit(state, i, j, fresh)
// with i < j, where fresh means no earlier rule produced the pair. State is
// per thread (make_state builds it).
template <typename State, typename Visit>
void ForEachPair(const PreparedData& data, const Blocking& blocking, size_t r, const LinkageOptions& options,
                 tbb::enumerable_thread_specific<State>& states, const Visit& visit) {
  const RuleBlocks& rb = blocking.rules[r];
  tbb::parallel_for(tbb::blocked_range<size_t>(0, rb.blocks.size()), [&](const tbb::blocked_range<size_t>& range) {
    State& state = states.local();
    for (size_t bi = range.begin(); bi < range.end(); ++bi) {
      const auto [b, e] = rb.blocks[bi];
      for (uint32_t x = b; x < e; ++x) {
        for (uint32_t y = x + 1; y < e; ++y) {
          const uint32_t i = std::min(rb.order[x], rb.order[y]);
          const uint32_t j = std::max(rb.order[x], rb.order[y]);
          if (options.cross_source_only && data.source[i] == data.source[j]) continue;
          bool seen = false;
          for (size_t q = 0; q < r && !seen; ++q) {
            const uint64_t k = blocking.keys[q][i];
            seen = k != 0 && k == blocking.keys[q][j];
          }
          visit(state, i, j, !seen);
        }
      }
    }
  });
}

int64_t TotalPairs(const PreparedData& data, bool cross_source_only) {
  const auto n = static_cast<int64_t>(data.size);
  int64_t total = n * (n - 1) / 2;
  if (cross_source_only) {
    std::map<std::string, int64_t> per_source;
    for (const auto& s : data.source) ++per_source[s];
    for (const auto& [s, k] : per_source) total -= k * (k - 1) / 2;
  }
  return total;
}

using LevelCounts = std::vector<std::array<int64_t, 16>>;

// u: level shares among random record pairs (all pairs when there are few).
LevelCounts SampleU(const PreparedData& data, const LinkageOptions& options, int64_t total_pairs, int64_t* sampled) {
  const size_t n_cols = data.columns.size();
  const size_t n = data.size;
  tbb::enumerable_thread_specific<LevelCounts> local([&] { return LevelCounts(n_cols, std::array<int64_t, 16>{}); });
  std::atomic<int64_t> count{0};
  if (total_pairs <= options.u_sample_pairs) {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, n), [&](const tbb::blocked_range<size_t>& range) {
      auto& counts = local.local();
      uint8_t levels[kMaxFields];
      int64_t c = 0;
      for (size_t i = range.begin(); i < range.end(); ++i) {
        for (size_t j = i + 1; j < n; ++j) {
          if (options.cross_source_only && data.source[i] == data.source[j]) continue;
          data.CompareLevels(static_cast<uint32_t>(i), static_cast<uint32_t>(j), levels);
          for (size_t k = 0; k < n_cols; ++k) ++counts[k][levels[k]];
          ++c;
        }
      }
      count += c;
    });
  } else {
    constexpr int64_t kChunk = 65536;
    const int64_t chunks = (options.u_sample_pairs + kChunk - 1) / kChunk;
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, chunks), [&](const tbb::blocked_range<int64_t>& range) {
      auto& counts = local.local();
      uint8_t levels[kMaxFields];
      int64_t c = 0;
      for (int64_t chunk = range.begin(); chunk < range.end(); ++chunk) {
        uint64_t state = options.seed ^ (static_cast<uint64_t>(chunk) * 0x2545F4914F6CDD1DULL);
        for (int64_t s = 0; s < kChunk; ++s) {
          const auto i = static_cast<uint32_t>(Splitmix(state) % n);
          const auto j = static_cast<uint32_t>(Splitmix(state) % n);
          if (i == j) continue;
          if (options.cross_source_only && data.source[i] == data.source[j]) continue;
          data.CompareLevels(i, j, levels);
          for (size_t k = 0; k < n_cols; ++k) ++counts[k][levels[k]];
          ++c;
        }
      }
      count += c;
    });
  }
  LevelCounts total(n_cols, std::array<int64_t, 16>{});
  for (const auto& counts : local) {
    for (size_t k = 0; k < n_cols; ++k) {
      for (size_t l = 0; l < 16; ++l) total[k][l] += counts[k][l];
    }
  }
  *sampled = count;
  return total;
}

struct PatternCount {
  uint8_t rule;
  uint64_t pattern;
  double count;        // pairs the rule produced with this pattern
  double fresh_count;  // of those, pairs no earlier rule produced
};

// Pass 1 (streamed): each rule's pairs counted, and the comparison patterns of
// a uniform sample of at most options.em_sample_pairs (rule, pair) comparisons
// counted per rule, scaled back to the rule's pairs (all of them when they fit).
std::vector<PatternCount> CountPatterns(const PreparedData& data, Blocking& blocking, const LinkageOptions& options) {
  const size_t n_cols = data.columns.size();
  int64_t occurrences = 0;
  for (const RuleBlocks& rb : blocking.rules) occurrences += rb.pairs;
  const double rate = occurrences <= options.em_sample_pairs
                          ? 1.0
                          : static_cast<double>(options.em_sample_pairs) / static_cast<double>(occurrences);
  const auto threshold = rate >= 1.0 ? UINT64_MAX : static_cast<uint64_t>(rate * 18446744073709551615.0);
  const double scale = 1.0 / rate;
  struct State {
    std::unordered_map<uint64_t, std::pair<int64_t, int64_t>> counts;
    int64_t produced = 0;
    int64_t fresh = 0;
  };
  std::vector<PatternCount> out;
  int64_t done = 0;
  for (size_t r = 0; r < blocking.rules.size(); ++r) {
    tbb::enumerable_thread_specific<State> states;
    ForEachPair(data, blocking, r, options, states, [&](State& s, uint32_t i, uint32_t j, bool fresh) {
      ++s.produced;
      s.fresh += fresh;
      if (threshold != UINT64_MAX &&
          Mix((static_cast<uint64_t>(i) << 32 | j) ^ (options.seed + 0x51ed27 * (r + 1))) > threshold) {
        return;
      }
      uint8_t levels[kMaxFields];
      data.CompareLevels(i, j, levels);
      auto& c = s.counts[Pack(levels, n_cols)];
      ++c.first;
      c.second += fresh;
    });
    std::map<uint64_t, std::pair<int64_t, int64_t>> merged;
    BlockingRuleReport& report = blocking.reports[r];
    for (const State& s : states) {
      report.candidate_pairs += s.produced;
      report.new_pairs += s.fresh;
      for (const auto& [pattern, c] : s.counts) {
        merged[pattern].first += c.first;
        merged[pattern].second += c.second;
      }
    }
    for (const auto& [pattern, c] : merged) {
      out.push_back({static_cast<uint8_t>(r), pattern, static_cast<double>(c.first) * scale,
                     static_cast<double>(c.second) * scale});
    }
    done += blocking.rules[r].pairs;
    if (options.progress) options.progress("compare (EM sample)", done, occurrences);
  }
  return out;
}

struct EmResult {
  std::vector<std::vector<double>> m;
  std::vector<bool> m_estimated;
  std::vector<double> rule_lambda;
  std::vector<double> fresh_matches;  // expected matches among each rule's fresh pairs
  int iterations = 0;
  bool converged = false;
};

// EM for m and each rule's match share, with u fixed at the random-pair values.
// Within a rule's pairs the fields of its key agree by construction, whatever
// the truth, so they are left out of that rule's likelihood (as Splink does).
EmResult RunEm(const std::vector<PatternCount>& patterns, const std::vector<std::vector<double>>& u,
               const std::vector<size_t>& n_levels, const std::vector<ResolvedRule>& rules,
               const LinkageOptions& options) {
  const size_t n_cols = u.size();
  EmResult em;
  em.m.resize(n_cols);
  em.m_estimated.assign(n_cols, false);
  for (size_t c = 0; c < n_cols; ++c) {
    // Start: most matches agree exactly, the rest spread over weaker levels.
    const size_t L = n_levels[c];
    em.m[c].assign(L, L > 1 ? 0.1 / static_cast<double>(L - 1) : 1.0);
    em.m[c][0] = L > 1 ? 0.9 : 1.0;
  }
  em.rule_lambda.assign(rules.size(), 0.3);
  std::vector<double> posterior(patterns.size());
  for (int iter = 1; iter <= options.max_em_iterations; ++iter) {
    em.iterations = iter;
    if (options.progress && iter % 10 == 0) options.progress("EM", iter, options.max_em_iterations);
    // E step.
    for (size_t p = 0; p < patterns.size(); ++p) {
      const PatternCount& pc = patterns[p];
      const ResolvedRule& rule = rules[pc.rule];
      double log_m = 0;
      double log_u = 0;
      for (size_t c = 0; c < n_cols; ++c) {
        const uint8_t l = LevelAt(pc.pattern, c);
        if (l == kNullLevel || rule.uses_column[c]) continue;
        log_m += std::log(std::max(em.m[c][l], 1e-12));
        log_u += std::log(std::max(u[c][l], 1e-12));
      }
      const double lam = std::clamp(em.rule_lambda[pc.rule], 1e-9, 1 - 1e-9);
      const double a = std::log(lam) + log_m;
      const double b = std::log1p(-lam) + log_u;
      posterior[p] = 1.0 / (1.0 + std::exp(b - a));
    }
    // M step.
    std::vector<std::vector<double>> m_num(n_cols);
    for (size_t c = 0; c < n_cols; ++c) m_num[c].assign(n_levels[c], 0.0);
    std::vector<double> lam_num(rules.size(), 0.0);
    std::vector<double> lam_den(rules.size(), 0.0);
    for (size_t p = 0; p < patterns.size(); ++p) {
      const PatternCount& pc = patterns[p];
      const double w = posterior[p] * pc.count;
      lam_num[pc.rule] += w;
      lam_den[pc.rule] += pc.count;
      for (size_t c = 0; c < n_cols; ++c) {
        const uint8_t l = LevelAt(pc.pattern, c);
        if (l == kNullLevel || rules[pc.rule].uses_column[c]) continue;
        m_num[c][l] += w;
      }
    }
    double change = 0;
    for (size_t c = 0; c < n_cols; ++c) {
      const double total = std::accumulate(m_num[c].begin(), m_num[c].end(), 0.0);
      if (total <= 1e-9) continue;
      em.m_estimated[c] = true;
      for (size_t l = 0; l < n_levels[c]; ++l) {
        const double v = m_num[c][l] / total;
        change = std::max(change, std::abs(v - em.m[c][l]));
        em.m[c][l] = v;
      }
    }
    for (size_t r = 0; r < rules.size(); ++r) {
      if (lam_den[r] <= 0) continue;
      const double v = lam_num[r] / lam_den[r];
      change = std::max(change, std::abs(v - em.rule_lambda[r]));
      em.rule_lambda[r] = v;
    }
    if (change < options.em_tolerance) {
      em.converged = true;
      break;
    }
  }
  em.fresh_matches.assign(rules.size(), 0.0);
  for (size_t p = 0; p < patterns.size(); ++p)
    em.fresh_matches[patterns[p].rule] += posterior[p] * patterns[p].fresh_count;
  return em;
}

// Evidence that two records are different people from the fields they disagree
// on alone: the sum of the negative level weights (bits, term frequencies aside).
double DisagreementBits(const WeightTable& table, const uint8_t* levels) {
  double bits = 0;
  for (size_t c = 0; c < table.weight.size(); ++c) {
    if (levels[c] != kNullLevel) bits += std::min(0.0, table.weight[c][levels[c]]);
  }
  return bits;
}

// Records x and y must not share a cluster: a cannot-link field disagrees, or the
// pair is confidently different (see LinkageOptions::contradiction_weight).
bool ConfidentlyDifferent(const PreparedData& data, const WeightTable& table, const LinkageOptions& options, uint32_t x,
                          uint32_t y) {
  if (data.CannotLink(x, y)) return true;
  uint8_t levels[kMaxFields];
  const uint32_t lo = std::min(x, y);
  const uint32_t hi = std::max(x, y);
  data.CompareLevels(lo, hi, levels);
  return table.Score(data, lo, levels) < options.contradiction_weight &&
         DisagreementBits(table, levels) <= -options.contradiction_disagreement;
}

// A field agreeing at a level worth this many bits corroborates a name (8:1; a
// date of birth off in one part, +0.4 bits on agency data, does not).
constexpr double kCorroboratingBits = 3.0;

// Lone record s differs from the cluster `members` when some field of s disagrees
// (at its last level, against) with every member holding that field, while no
// field other than names and sex agrees with any member at kCorroboratingBits or
// more: the same name somewhere else, with nothing else in common.
template <typename Members>
bool DiffersFromCluster(const PreparedData& data, const WeightTable& table, const std::vector<size_t>& n_levels,
                        uint32_t s, const Members& members) {
  const size_t n_cols = data.columns.size();
  std::array<uint16_t, kMaxFields> holders{};
  std::array<uint16_t, kMaxFields> disagreeing{};
  uint8_t levels[kMaxFields];
  for (uint32_t y : members) {
    data.CompareLevels(std::min(s, y), std::max(s, y), levels);
    for (size_t c = 0; c < n_cols; ++c) {
      if (levels[c] == kNullLevel) continue;
      const double weight = table.weight[c][levels[c]];
      const FieldKind kind = data.columns[c].kind;
      const bool name_or_sex = kind == FieldKind::kForename || kind == FieldKind::kSurname || kind == FieldKind::kSex;
      if (!name_or_sex && weight >= kCorroboratingBits) return false;
      ++holders[c];
      disagreeing[c] += levels[c] + 1u == n_levels[c] && weight < 0;
    }
  }
  for (size_t c = 0; c < n_cols; ++c) {
    if (holders[c] > 0 && disagreeing[c] == holders[c]) return true;
  }
  return false;
}

// Union-find whose sets can be listed: each set's members form a circular list
// (next_), spliced on union, so no per-record allocation.
class DisjointSets {
 public:
  explicit DisjointSets(size_t n) : parent_(n), size_(n, 1), next_(n) {
    std::iota(parent_.begin(), parent_.end(), 0);
    std::iota(next_.begin(), next_.end(), 0);
  }
  uint32_t Find(uint32_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  // Returns the surviving root.
  uint32_t Union(uint32_t a, uint32_t b) {
    if (size_[a] < size_[b]) std::swap(a, b);
    parent_[b] = a;
    size_[a] += size_[b];
    std::swap(next_[a], next_[b]);
    return a;
  }
  uint32_t Size(uint32_t root) const { return size_[root]; }

  class MemberIterator {
   public:
    MemberIterator(const std::vector<uint32_t>* next, uint32_t start, bool done)
        : next_(next), start_(start), current_(start), done_(done) {}
    uint32_t operator*() const { return current_; }
    MemberIterator& operator++() {
      current_ = (*next_)[current_];
      done_ = current_ == start_;
      return *this;
    }
    bool operator!=(const MemberIterator& other) const { return done_ != other.done_; }

   private:
    const std::vector<uint32_t>* next_;
    uint32_t start_;
    uint32_t current_;
    bool done_;
  };
  struct MemberRange {
    MemberIterator first;
    MemberIterator last;
    MemberIterator begin() const { return first; }
    MemberIterator end() const { return last; }
  };
  // The members of root's set, in no particular order.
  MemberRange Members(uint32_t root) const {
    return {MemberIterator(&next_, root, false), MemberIterator(&next_, root, true)};
  }

 private:
  std::vector<uint32_t> parent_;
  std::vector<uint32_t> size_;
  std::vector<uint32_t> next_;
};

struct ClusterTally {
  int32_t match_edges_rejected = 0;
  int32_t must_links_applied = 0;
  int32_t must_links_refused = 0;
  int32_t singletons_attached = 0;
  int32_t singletons_kept_apart = 0;
};

// Reports a clustering's tallies on a full run's or a batch's result (both carry the same five fields).
template <typename LinkOutcome>
void ReportTally(const ClusterTally& tally, LinkOutcome& result) {
  result.match_edges_rejected = tally.match_edges_rejected;
  result.must_links_applied = tally.must_links_applied;
  result.must_links_refused = tally.must_links_refused;
  result.singletons_attached = tally.singletons_attached;
  result.singletons_kept_apart = tally.singletons_kept_apart;
}

// Joins records into people from scored pairs (see LinkResult for the tallies).
// sets and plain may arrive already joined (incremental linkage: the people
// known before the batch); may_attach, when given, limits the attachment of lone
// records to those it marks (the new ones).
void ClusterLinks(const PreparedData& data, const WeightTable& table, const std::vector<size_t>& n_levels,
                  const LinkageOptions& options, const LinkConstraints& constraints,
                  const std::vector<ScoredPair>& matches, const std::vector<ScoredPair>& possibles,
                  const std::vector<uint8_t>* may_attach, DisjointSets& sets, DisjointSets& plain,
                  ClusterTally& tally) {
  // Clustering: match edges strongest first (Kruskal order); two clusters join
  // only if no cross pair is confidently different (ConfidentlyDifferent). A weak
  // bridge between two different people is then refused while chains of
  // consistent records still join.
  const size_t n = data.size;
  std::vector<size_t> order(matches.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return matches[a].match_weight > matches[b].match_weight; });
  std::set<std::pair<uint32_t, uint32_t>> refused;  // root pairs known to contradict
  auto pair_key = [](uint32_t x, uint32_t y) { return (uint64_t{std::min(x, y)} << 32) | std::max(x, y); };
  std::unordered_set<uint64_t> rejected;
  for (const auto& [a, b] : constraints.cannot_link) {
    rejected.insert(pair_key(static_cast<uint32_t>(a), static_cast<uint32_t>(b)));
  }
  auto violates_rejection = [&](uint32_t a, uint32_t b) {
    if (rejected.empty()) return false;
    for (uint32_t x : sets.Members(a)) {
      for (uint32_t y : sets.Members(b)) {
        if (rejected.count(pair_key(x, y))) return true;
      }
    }
    return false;
  };
  // Confirmed pairs first: a reviewer's decision outranks the model (and its
  // contradiction test), but never a reviewer's rejection.
  for (const auto& [l, r] : constraints.must_link) {
    const uint32_t a = sets.Find(static_cast<uint32_t>(l));
    const uint32_t b = sets.Find(static_cast<uint32_t>(r));
    if (a == b) continue;
    if (violates_rejection(a, b)) {
      ++tally.must_links_refused;
      continue;
    }
    sets.Union(a, b);
    if (const uint32_t pa = plain.Find(static_cast<uint32_t>(l)), pb = plain.Find(static_cast<uint32_t>(r)); pa != pb) {
      plain.Union(pa, pb);
    }
    ++tally.must_links_applied;
  }
  for (size_t k : order) {
    const ScoredPair& e = matches[k];
    const auto l = static_cast<uint32_t>(e.left);
    const auto r = static_cast<uint32_t>(e.right);
    if (const uint32_t pa = plain.Find(l), pb = plain.Find(r); pa != pb) plain.Union(pa, pb);
    uint32_t a = sets.Find(l);
    uint32_t b = sets.Find(r);
    if (a == b) continue;
    if (refused.count({std::min(a, b), std::max(a, b)})) {
      ++tally.match_edges_rejected;
      continue;
    }
    auto contradicts = [&] {
      if (violates_rejection(a, b)) return true;
      for (uint32_t x : sets.Members(a)) {
        for (uint32_t y : sets.Members(b)) {
          if (ConfidentlyDifferent(data, table, options, x, y)) return true;
        }
      }
      return false;
    };
    const bool contradiction = contradicts();
    if (contradiction) {
      refused.insert({std::min(a, b), std::max(a, b)});
      ++tally.match_edges_rejected;
      continue;
    }
    sets.Union(a, b);
  }
  if (options.attach_unambiguous_singletons) {
    // Information of a record: how many fields it has a value for.
    auto information = [&](uint32_t r) {
      int k = 0;
      for (const Column& col : data.columns) k += col.id[r] >= 0;
      return k;
    };
    std::vector<std::vector<uint32_t>> neighbours(n);
    for (const auto* pairs : {&matches, &possibles}) {
      for (const ScoredPair& e : *pairs) {
        neighbours[e.left].push_back(static_cast<uint32_t>(e.right));
        neighbours[e.right].push_back(static_cast<uint32_t>(e.left));
      }
    }
    std::vector<bool> kept_apart(n, false);
    // A few passes: a record attached in one pass stops being an alternative in the next.
    for (int pass = 0; pass < 3; ++pass) {
      int32_t attached = 0;
      for (uint32_t s = 0; s < n; ++s) {
        if (neighbours[s].empty() || (may_attach != nullptr && (*may_attach)[s] == 0)) continue;
        const uint32_t root = sets.Find(s);
        if (sets.Size(root) != 1) continue;
        const int info = information(s);
        uint32_t target = UINT32_MAX;
        bool ambiguous = false;
        for (uint32_t t : neighbours[s]) {
          const uint32_t tr = sets.Find(t);
          if (sets.Size(tr) == 1) {
            // A lone record at least as informative is another candidate person.
            // (one no more informative is a scrap of the same kind: it may attach too).
            if (information(t) > info) ambiguous = true;
            continue;
          }
          if (target != UINT32_MAX && target != tr) ambiguous = true;
          target = tr;
        }
        if (ambiguous || target == UINT32_MAX) continue;
        bool contradiction = violates_rejection(root, target);
        for (uint32_t y : sets.Members(target)) {
          if (contradiction) break;
          contradiction = ConfidentlyDifferent(data, table, options, s, y);
        }
        if (contradiction) continue;
        if (DiffersFromCluster(data, table, n_levels, s, sets.Members(target))) {
          kept_apart[s] = true;
          continue;
        }
        sets.Union(root, target);
        ++attached;
      }
      tally.singletons_attached += attached;
      if (attached == 0) break;
    }
    for (uint32_t s = 0; s < n; ++s) {
      tally.singletons_kept_apart += kept_apart[s] && sets.Size(sets.Find(s)) == 1;
    }
  }
}

ResolvedRule ResolveRule(const LinkageSpec& spec, const BlockingRule& rule) {
  const size_t n_cols = spec.fields.size();
  ResolvedRule resolved;
  resolved.uses_column.assign(n_cols, false);
  for (const BlockingKeyPart& part : rule.parts) {
    for (size_t c = 0; c < n_cols; ++c) {
      if (spec.fields[c].name == part.field) {
        resolved.parts.push_back({c, part.transform, part.length});
        resolved.uses_column[c] = true;
        // A name-pair key fixes the surname too: EM must not read its agreement as evidence.
        if (part.transform == KeyTransform::kNamePair) {
          for (size_t s = 0; s < n_cols; ++s) {
            if (spec.fields[s].name == spec.fields[c].swap_with) resolved.uses_column[s] = true;
          }
        }
      }
    }
  }
  return resolved;
}

// How many strong fields of a pair agree exactly (a swapped forename and surname
// count as both names; an agreeing identifier counts 100). Three or more: the
// pair looks true without a model; two: it is plausible.
int AgreeingStrongFields(const PreparedData& data, uint32_t i, uint32_t j) {
  uint8_t levels[kMaxFields];
  data.CompareLevels(i, j, levels);
  int strong = 0;
  for (size_t c = 0; c < data.columns.size(); ++c) {
    const uint8_t l = levels[c];
    if (l == kNullLevel) continue;
    switch (data.columns[c].kind) {
      case FieldKind::kIdentifier:
        if (l == 0) return 100;
        break;
      case FieldKind::kForename:
        strong += l == 0 ? 1 : l == 1 ? 2 : 0;
        break;
      case FieldKind::kSex:
        break;
      default:
        strong += l == 0;
        break;
    }
  }
  return strong;
}

// The planner's weaker test, in half points: a strong field that agrees exactly
// counts 2, one that nearly agrees 1 (a name variant or Jaro-Winkler >= 0.92, a
// date with day and month transposed or one part different, the same postcode
// sector); a swapped forename and surname count as both names; an agreeing
// identifier 200. Four or more: the pair may be a match with an error somewhere
// (issue 17: the typos and changed names exact agreement alone does not see).
int CloseStrongFields(const PreparedData& data, uint32_t i, uint32_t j) {
  uint8_t levels[kMaxFields];
  data.CompareLevels(i, j, levels);
  int half = 0;
  for (size_t c = 0; c < data.columns.size(); ++c) {
    const uint8_t l = levels[c];
    if (l == kNullLevel) continue;
    switch (data.columns[c].kind) {
      case FieldKind::kIdentifier:
        if (l == 0) return 200;
        break;
      case FieldKind::kForename:
        half += l == 0 ? 2 : l == 1 ? 4 : (l == 2 || l == 3) ? 1 : 0;
        break;
      case FieldKind::kSurname:
      case FieldKind::kDateOfBirth:
        half += l == 0 ? 2 : (l == 1 || l == 2) ? 1 : 0;
        break;
      case FieldKind::kPostcode:
        half += l == 0 ? 2 : l == 1 ? 1 : 0;
        break;
      case FieldKind::kSex:
        break;
      default:
        half += l == 0 ? 2 : 0;
        break;
    }
  }
  return half;
}

BlockingPlan MakeBlockingPlan(const PreparedData& data, const LinkageSpec& spec, const LinkageOptions& options) {
  BlockingPlanInput input;
  input.records = data.size;
  input.budget = options.blocking_budget;
  input.max_block_size = options.max_block_size;
  input.given = !spec.blocking_rules.empty();
  input.candidates = input.given ? spec.blocking_rules : CandidateBlockingRules(spec);
  input.max_rules = kMaxRules;
  input.seed = options.seed;
  if (options.cross_source_only) {
    std::unordered_map<std::string, uint32_t> ids;
    input.source.reserve(data.size);
    for (const auto& s : data.source) input.source.push_back(ids.emplace(s, ids.size()).first->second);
  }
  BlockingPlanFunctions fn;
  fn.keys = [&](const BlockingRule& rule) { return RuleKeys(data, ResolveRule(spec, rule)); };
  fn.refine = [&](const BlockingRule& rule) { return RefineBlockingRule(rule, spec); };
  fn.true_looking = [&](uint32_t i, uint32_t j) { return AgreeingStrongFields(data, i, j) >= 3; };
  fn.plausible = [&](uint32_t i, uint32_t j) { return CloseStrongFields(data, i, j) >= 4; };
  return PlanBlocking(input, fn);
}

}  // namespace

std::string_view ToString(FieldKind kind) {
  switch (kind) {
    case FieldKind::kForename:
      return "forename";
    case FieldKind::kSurname:
      return "surname";
    case FieldKind::kDateOfBirth:
      return "date_of_birth";
    case FieldKind::kPostcode:
      return "postcode";
    case FieldKind::kIdentifier:
      return "identifier";
    case FieldKind::kSex:
      return "sex";
    case FieldKind::kString:
      return "string";
    case FieldKind::kText:
      return "text";
  }
  return "text";
}

Result<FieldKind> ParseFieldKind(std::string_view name) {
  for (FieldKind k : {FieldKind::kForename, FieldKind::kSurname, FieldKind::kDateOfBirth, FieldKind::kPostcode,
                      FieldKind::kIdentifier, FieldKind::kSex, FieldKind::kString, FieldKind::kText}) {
    if (ToString(k) == name) return k;
  }
  return Status::InvalidArgument("unknown field kind: " + std::string(name));
}

Result<BlockingRule> ParseBlockingRule(std::string_view text) {
  BlockingRule rule;
  rule.name = std::string(text);
  // A cap on the blocks: "forename:namepair (blocks <= 300)".
  constexpr std::string_view kCap = " (blocks <= ";
  if (const size_t cap = text.find(kCap); cap != std::string_view::npos) {
    const std::string_view digits = text.substr(cap + kCap.size(), text.size() - cap - kCap.size() - 1);
    if (text.back() != ')' || digits.empty() || digits.size() > 9 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Status::InvalidArgument("blocking rule '" + rule.name +
                                     "': a block cap is written ' (blocks <= N)' at the end, N a whole number");
    }
    rule.max_block_size = std::stoll(std::string(digits));
    if (rule.max_block_size < 2) {
      return Status::InvalidArgument("blocking rule '" + rule.name + "': the block cap must be at least 2");
    }
    text = text.substr(0, cap);
  }
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('&', start);
    if (end == std::string_view::npos) end = text.size();
    std::string part(text.substr(start, end - start));
    part.erase(0, part.find_first_not_of(" \t"));
    part.erase(part.find_last_not_of(" \t") + 1);
    if (part.empty()) return Status::InvalidArgument("empty part in blocking rule: " + rule.name);
    BlockingKeyPart key;
    const size_t colon = part.find(':');
    key.field = part.substr(0, colon);
    const std::string transform = colon == std::string::npos ? "value" : part.substr(colon + 1);
    if (transform == "value")
      key.transform = KeyTransform::kValue;
    else if (transform == "soundex")
      key.transform = KeyTransform::kSoundex;
    else if (transform == "nysiis")
      key.transform = KeyTransform::kNysiis;
    else if (transform == "metaphone")
      key.transform = KeyTransform::kMetaphone;
    else if (transform == "initial") {
      key.transform = KeyTransform::kPrefix;
      key.length = 1;
    } else if (transform.rfind("prefix", 0) == 0 && transform.size() > 6 &&
               std::all_of(transform.begin() + 6, transform.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      key.transform = KeyTransform::kPrefix;
      key.length = std::stoi(transform.substr(6));
      if (key.length <= 0) return Status::InvalidArgument("prefix length must be positive: " + part);
    } else if (transform == "year")
      key.transform = KeyTransform::kYear;
    else if (transform == "district")
      key.transform = KeyTransform::kDistrict;
    else if (transform == "sector")
      key.transform = KeyTransform::kSector;
    else if (transform == "namepair")
      key.transform = KeyTransform::kNamePair;
    else
      return Status::InvalidArgument("unknown blocking transform '" + transform + "' in: " + rule.name);
    rule.parts.push_back(key);
    start = end + 1;
  }
  return rule;
}

Status LinkageSpec::Validate() const {
  if (fields.empty()) return Status::InvalidArgument("no fields to compare");
  if (fields.size() > static_cast<size_t>(kMaxFields)) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxFields) + " fields can be compared");
  }
  if (blocking_rules.size() > static_cast<size_t>(kMaxRules)) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxRules) + " blocking rules");
  }
  std::map<std::string, const FieldSpec*> by_name;
  for (const FieldSpec& f : fields) {
    if (f.name.empty()) return Status::InvalidArgument("a field has no name");
    if (!by_name.emplace(f.name, &f).second) return Status::InvalidArgument("duplicate field: " + f.name);
  }
  for (const FieldSpec& f : fields) {
    if (f.swap_with.empty()) continue;
    const auto it = by_name.find(f.swap_with);
    if (f.kind != FieldKind::kForename || it == by_name.end() || it->second->kind != FieldKind::kSurname) {
      return Status::InvalidArgument("swap_with must pair a forename field with a surname field: " + f.name);
    }
  }
  for (const BlockingRule& rule : blocking_rules) {
    if (rule.parts.empty()) return Status::InvalidArgument("blocking rule has no parts: " + rule.name);
    for (const BlockingKeyPart& part : rule.parts) {
      const auto it = by_name.find(part.field);
      if (it == by_name.end()) return Status::InvalidArgument("blocking rule names unknown field: " + part.field);
      const FieldKind kind = it->second->kind;
      if (part.transform == KeyTransform::kYear && kind != FieldKind::kDateOfBirth) {
        return Status::InvalidArgument("'year' needs a date_of_birth field: " + rule.name);
      }
      if (part.transform == KeyTransform::kNamePair &&
          (kind != FieldKind::kForename || it->second->swap_with.empty())) {
        return Status::InvalidArgument("'namepair' needs a forename field with swap_with: " + rule.name);
      }
      if ((part.transform == KeyTransform::kDistrict || part.transform == KeyTransform::kSector) &&
          kind != FieldKind::kPostcode) {
        return Status::InvalidArgument("'district'/'sector' need a postcode field: " + rule.name);
      }
    }
  }
  return Status::Ok();
}

double Model::Probability(double match_weight) { return 1.0 / (1.0 + std::exp2(-match_weight)); }

double Model::MatchWeight(const Record& a, const Record& b) const {
  const auto explanation = Explain(a, b);
  return explanation.empty() ? prior_weight : explanation.back().weight;
}

std::vector<FieldContribution> Model::Explain(const Record& a, const Record& b) const {
  std::vector<FieldContribution> out;
  if (a.values.size() != spec.fields.size() || b.values.size() != spec.fields.size() || !names) return out;
  const PreparedData data = PreparedData::Build({a, b}, spec, *names, this);
  const WeightTable table = WeightTable::FromModel(*this);
  uint8_t levels[kMaxFields];
  data.CompareLevels(0, 1, levels);
  out.push_back({"prior", "lambda=" + std::to_string(lambda), prior_weight});
  double total = prior_weight;
  for (size_t c = 0; c < fields.size(); ++c) {
    if (levels[c] == kNullLevel) {
      const bool swapped = data.columns[c].swap_partner >= 0 && !data.columns[c].forename_side &&
                           data.columns[c].id[0] >= 0 && data.columns[c].id[1] >= 0;
      out.push_back({fields[c].field, swapped ? "scored with the swapped forename" : "missing", 0.0});
      continue;
    }
    const double w = table.weight[c][levels[c]];
    out.push_back({fields[c].field, fields[c].levels[levels[c]].label, w});
    total += w;
    if (table.tf && levels[c] == 0 && data.columns[c].tf) {
      const double adj = table.TfAdjustment(data, c, 0);
      out.push_back({fields[c].field, "term frequency adjustment", adj});
      total += adj;
    }
  }
  out.push_back({"total", "probability=" + std::to_string(Probability(total)), total});
  return out;
}

PairScorer::PairScorer(const Model& model, const std::vector<Record>& records)
    : data_(std::make_unique<const PreparedData>(PreparedData::Build(records, model.spec, *model.names, &model))),
      table_(std::make_unique<const WeightTable>(WeightTable::FromModel(model))) {}
PairScorer::~PairScorer() = default;
PairScorer::PairScorer(PairScorer&&) noexcept = default;
PairScorer& PairScorer::operator=(PairScorer&&) noexcept = default;

size_t PairScorer::size() const { return data_->size; }

double PairScorer::MatchWeight(size_t i, size_t j) const {
  uint8_t levels[kMaxFields];
  const auto a = static_cast<uint32_t>(std::min(i, j));
  const auto b = static_cast<uint32_t>(std::max(i, j));
  data_->CompareLevels(a, b, levels);
  return table_->Score(*data_, a, levels);
}

Result<LinkResult> Link(const std::vector<Record>& records, const LinkageSpec& spec, const LinkageOptions& options,
                        const LinkConstraints& constraints) {
  RR_RETURN_IF_ERROR(spec.Validate());
  if (records.size() >= static_cast<size_t>(INT32_MAX)) return Status::ResourceExhausted("too many records");
  for (const Record& r : records) {
    if (r.values.size() != spec.fields.size()) {
      return Status::InvalidArgument("record " + std::to_string(r.id) + " has " + std::to_string(r.values.size()) +
                                     " values, expected " + std::to_string(spec.fields.size()));
    }
  }
  for (const auto* pairs : {&constraints.must_link, &constraints.cannot_link}) {
    for (const auto& [a, b] : *pairs) {
      if (a >= records.size() || b >= records.size() || a == b) {
        return Status::InvalidArgument("constraint pair (" + std::to_string(a) + ", " + std::to_string(b) +
                                       ") does not name two input records");
      }
    }
  }
  if (!(options.possible_probability <= options.match_probability) || options.match_probability <= 0 ||
      options.match_probability >= 1) {
    return Status::InvalidArgument("thresholds must satisfy 0 < possible <= match < 1");
  }
  std::shared_ptr<const NameVariants> names;
  {
    auto loaded = SharedNameVariants(options.reference_dir.empty() ? DefaultReferenceDir() : options.reference_dir);
    if (loaded.ok()) {
      names = *loaded;
    } else if (options.allow_builtin_names) {
      names = std::make_shared<const NameVariants>(NameVariants::BuiltIn());
    } else {
      return loaded.status();
    }
  }

  LinkResult result;
  Model& model = result.model;
  model.spec = spec;
  model.names = names;
  model.max_tf_adjustment = options.max_tf_adjustment;
  model.term_frequency_adjustments = options.term_frequency_adjustments;

  auto phase_start = std::chrono::steady_clock::now();
  auto mark = [&](const char* phase) {
    const auto now = std::chrono::steady_clock::now();
    result.timings.emplace_back(phase, std::chrono::duration<double>(now - phase_start).count());
    phase_start = now;
  };
  const PreparedData data = PreparedData::Build(records, spec, *names, nullptr);
  mark("prepare");
  const size_t n_cols = spec.fields.size();

  // Blocking: the rules planned within the budget (or given, estimated), before any pair.
  auto planned = std::make_shared<BlockingPlan>(MakeBlockingPlan(data, spec, options));
  const bool any_pairs = std::any_of(planned->report.begin(), planned->report.end(),
                                     [](const PlannedRule& row) { return row.estimated_pairs > 0; });
  if (planned->rules.empty() && any_pairs) {
    return Status::InvalidArgument("blocking: no rule fits a budget of " + std::to_string(planned->budget) +
                                   " pairs (raise [blocking] budget)");
  }
  LinkageSpec effective = spec;
  effective.blocking_rules = planned->rules;
  model.spec = effective;
  result.plan = planned;
  std::vector<ResolvedRule> rules;
  for (const BlockingRule& rule : effective.blocking_rules) rules.push_back(ResolveRule(effective, rule));
  if (options.progress) options.progress("plan blocking", static_cast<int64_t>(rules.size()), 0);
  mark("plan");

  Blocking blocking = BuildBlocks(data, rules, effective, options);
  for (size_t r = 0; r < rules.size(); ++r) {
    for (const PlannedRule& row : planned->report) {
      if (row.decision == RuleDecision::kChosen && row.rule == blocking.reports[r].rule) {
        blocking.reports[r].estimated_pairs = row.estimated_pairs;
      }
    }
  }
  mark("block");

  // u from random pairs; a half-count per level keeps unseen levels finite.
  const int64_t total_pairs = TotalPairs(data, options.cross_source_only);
  std::vector<size_t> n_levels(n_cols);
  std::vector<std::vector<std::string>> labels(n_cols);
  for (size_t c = 0; c < n_cols; ++c) {
    labels[c] = LevelLabels(spec.fields[c]);
    n_levels[c] = labels[c].size();
  }
  int64_t sampled = 0;
  const LevelCounts u_counts =
      total_pairs > 0 ? SampleU(data, options, total_pairs, &sampled) : LevelCounts(n_cols, std::array<int64_t, 16>{});
  model.u_pairs_sampled = sampled;
  mark("sample u");
  std::vector<std::vector<double>> u(n_cols);
  for (size_t c = 0; c < n_cols; ++c) {
    double total = 0;
    for (size_t l = 0; l < n_levels[c]; ++l) total += static_cast<double>(u_counts[c][l]) + 0.5;
    u[c].resize(n_levels[c]);
    for (size_t l = 0; l < n_levels[c]; ++l) u[c][l] = (static_cast<double>(u_counts[c][l]) + 0.5) / total;
  }

  // m and the prior by EM over the candidate pairs' comparison patterns (streamed, pass 1).
  const std::vector<PatternCount> patterns = CountPatterns(data, blocking, options);
  for (const auto& report : blocking.reports) result.candidate_pairs += report.new_pairs;
  mark("compare");
  const EmResult em = RunEm(patterns, u, n_levels, rules, options);
  model.em_iterations = em.iterations;
  model.em_converged = em.converged;
  double expected_matches = 0;
  for (size_t r = 0; r < rules.size(); ++r) {
    blocking.reports[r].lambda = em.rule_lambda[r];
    expected_matches += em.fresh_matches[r];
  }
  result.blocking = blocking.reports;
  model.lambda = total_pairs > 0 ? std::clamp(expected_matches / static_cast<double>(total_pairs), 1e-12, 0.5) : 0.5;
  model.prior_weight = std::log2(model.lambda / (1 - model.lambda));
  model.fields.resize(n_cols);
  for (size_t c = 0; c < n_cols; ++c) {
    FieldModel& fm = model.fields[c];
    fm.field = spec.fields[c].name;
    fm.kind = spec.fields[c].kind;
    fm.m_estimated = em.m_estimated[c];
    const bool swap_unused = spec.fields[c].kind == FieldKind::kForename && spec.fields[c].swap_with.empty();
    for (size_t l = 0; l < n_levels[c]; ++l) {
      ComparisonLevel level;
      level.label = labels[c][l];
      level.m = em.m[c][l];
      level.u = u[c][l];
      level.weight = std::log2(std::max(level.m, 1e-6) / level.u);
      if (swap_unused && l == 1) level = {labels[c][l] + " (not configured)", 0, 0, 0};
      fm.levels.push_back(level);
    }
  }
  // Term-frequency tables travel with the model so ExplainPair can use them.
  model.term_frequencies.resize(n_cols);
  model.term_frequency_floor.assign(n_cols, 1e-6);
  for (size_t c = 0; c < n_cols; ++c) {
    const Column& col = data.columns[c];
    if (!col.tf) continue;
    const Dictionary& dict = data.dicts[static_cast<size_t>(col.dict)];
    double floor = 1.0;
    for (size_t v = 0; v < col.tf_by_value.size(); ++v) {
      if (col.tf_by_value[v] <= 0) continue;  // a value of the other name field in the shared dictionary
      model.term_frequencies[c].emplace(dict.utf8[v], col.tf_by_value[v]);
      floor = std::min(floor, col.tf_by_value[v]);
    }
    model.term_frequency_floor[c] = floor;
  }

  mark("EM");
  // Score every fresh candidate pair (pass 2, streamed) and keep possibles and matches only.
  const WeightTable table = WeightTable::FromModel(model);
  const double possible_weight = std::log2(options.possible_probability / (1 - options.possible_probability));
  const double match_weight = std::log2(options.match_probability / (1 - options.match_probability));
  tbb::enumerable_thread_specific<std::vector<ScoredPair>> local_scored;
  int64_t scored_so_far = 0;
  for (size_t r = 0; r < rules.size(); ++r) {
    ForEachPair(data, blocking, r, options, local_scored,
                [&](std::vector<ScoredPair>& mine, uint32_t i, uint32_t j, bool fresh) {
                  if (!fresh) return;
                  uint8_t levels[kMaxFields];
                  data.CompareLevels(i, j, levels);
                  const double w = table.Score(data, i, levels);
                  if (w >= possible_weight) mine.push_back({i, j, w, Model::Probability(w)});
                });
    scored_so_far += blocking.reports[r].new_pairs;
    if (options.progress) options.progress("score", scored_so_far, result.candidate_pairs);
  }
  blocking = Blocking{};  // the keys and blocks are no longer needed
  std::vector<ScoredPair> scored;
  for (auto& v : local_scored) scored.insert(scored.end(), v.begin(), v.end());
  std::sort(scored.begin(), scored.end(), [](const ScoredPair& a, const ScoredPair& b) {
    return a.left != b.left ? a.left < b.left : a.right < b.right;
  });
  for (const ScoredPair& s : scored) (s.match_weight >= match_weight ? result.matches : result.possibles).push_back(s);
  mark("score");

  // Clustering (ClusterLinks), then cluster numbers in record order.
  const size_t n = records.size();
  DisjointSets sets(n);
  DisjointSets plain(n);  // plain connected components, for reporting
  ClusterTally tally;
  ClusterLinks(data, table, n_levels, options, constraints, result.matches, result.possibles, nullptr, sets, plain,
               tally);
  ReportTally(tally, result);
  result.cluster_of.assign(n, -1);
  std::vector<int32_t> cluster_of_root(n, -1);
  int32_t next = 0;
  // A plain component is split when its records ended in more than one final cluster.
  std::vector<uint32_t> final_of_plain(n, UINT32_MAX);
  std::vector<bool> split(n, false);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t root = sets.Find(static_cast<uint32_t>(i));
    if (cluster_of_root[root] < 0) cluster_of_root[root] = next++;
    result.cluster_of[i] = cluster_of_root[root];
    const uint32_t p = plain.Find(static_cast<uint32_t>(i));
    if (final_of_plain[p] == UINT32_MAX) {
      final_of_plain[p] = root;
    } else if (final_of_plain[p] != root && !split[p]) {
      split[p] = true;
      ++result.clusters_split;
    }
  }
  result.cluster_count = next;
  mark("cluster");
  return result;
}

Result<IncrementalLinkResult> LinkIncremental(const std::vector<Record>& records,
                                              const std::vector<int64_t>& known_person, const Model& model,
                                              const LinkageOptions& options, const LinkConstraints& constraints) {
  const LinkageSpec& spec = model.spec;
  RR_RETURN_IF_ERROR(spec.Validate());
  if (!model.names || model.fields.size() != spec.fields.size()) {
    return Status::InvalidArgument("incremental linkage needs a trained model (from Link or ModelFromJson)");
  }
  if (spec.blocking_rules.empty()) {
    return Status::InvalidArgument("the model names no blocking rules: link everything once first");
  }
  if (spec.blocking_rules.size() > static_cast<size_t>(kMaxRules)) {
    return Status::InvalidArgument("the model names more than " + std::to_string(kMaxRules) + " blocking rules");
  }
  if (records.size() >= static_cast<size_t>(INT32_MAX)) return Status::ResourceExhausted("too many records");
  if (known_person.size() != records.size()) {
    return Status::InvalidArgument("known_person has " + std::to_string(known_person.size()) + " entries for " +
                                   std::to_string(records.size()) + " records");
  }
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].values.size() != spec.fields.size()) {
      return Status::InvalidArgument("record " + std::to_string(records[i].id) + " has " +
                                     std::to_string(records[i].values.size()) + " values, expected " +
                                     std::to_string(spec.fields.size()));
    }
    if (known_person[i] < 0) {
      return Status::InvalidArgument("record " + std::to_string(records[i].id) + " has a negative person id");
    }
  }
  for (const auto* pairs : {&constraints.must_link, &constraints.cannot_link}) {
    for (const auto& [a, b] : *pairs) {
      if (a >= records.size() || b >= records.size() || a == b) {
        return Status::InvalidArgument("constraint pair (" + std::to_string(a) + ", " + std::to_string(b) +
                                       ") does not name two input records");
      }
    }
  }
  for (const auto& [a, b] : constraints.cannot_link) {
    if (known_person[a] > 0 && known_person[a] == known_person[b]) {
      return Status::FailedPrecondition(
          "records " + std::to_string(records[a].id) + " and " + std::to_string(records[b].id) +
          " were rejected as one person but both belong to person " + std::to_string(known_person[a]) +
          ": splitting a person needs a full linkage run");
    }
  }
  if (!(options.possible_probability <= options.match_probability) || options.match_probability <= 0 ||
      options.match_probability >= 1) {
    return Status::InvalidArgument("thresholds must satisfy 0 < possible <= match < 1");
  }

  IncrementalLinkResult result;
  auto phase_start = std::chrono::steady_clock::now();
  auto mark = [&](const char* phase) {
    const auto now = std::chrono::steady_clock::now();
    result.timings.emplace_back(phase, std::chrono::duration<double>(now - phase_start).count());
    phase_start = now;
  };
  const size_t n = records.size();
  const PreparedData data = PreparedData::Build(records, spec, *model.names, &model);
  std::vector<uint8_t> is_new(n, 0);
  for (size_t i = 0; i < n; ++i) {
    is_new[i] = known_person[i] == 0 ? 1 : 0;
    result.new_records += is_new[i];
  }
  mark("prepare");

  std::vector<ResolvedRule> rules;
  for (const BlockingRule& rule : spec.blocking_rules) rules.push_back(ResolveRule(spec, rule));
  Blocking blocking = BuildBlocks(data, rules, spec, options, &is_new);
  mark("block");

  // Pairs with a new record only: each new record against every other member of
  // its blocks (a pair of two new records once), fresh as in ForEachPair.
  const WeightTable table = WeightTable::FromModel(model);
  const double possible_weight = std::log2(options.possible_probability / (1 - options.possible_probability));
  const double match_weight = std::log2(options.match_probability / (1 - options.match_probability));
  struct State {
    std::vector<ScoredPair> kept;
    int64_t produced = 0;
    int64_t fresh = 0;
  };
  std::vector<ScoredPair> scored;
  for (size_t r = 0; r < rules.size(); ++r) {
    const RuleBlocks& rb = blocking.rules[r];
    tbb::enumerable_thread_specific<State> states;
    tbb::parallel_for(tbb::blocked_range<size_t>(0, rb.blocks.size()), [&](const tbb::blocked_range<size_t>& range) {
      State& state = states.local();
      for (size_t bi = range.begin(); bi < range.end(); ++bi) {
        const auto [b, e] = rb.blocks[bi];
        for (uint32_t x = b; x < e; ++x) {
          const uint32_t a = rb.order[x];
          if (is_new[a] == 0) continue;
          for (uint32_t y = b; y < e; ++y) {
            const uint32_t c = rb.order[y];
            if (c == a || (is_new[c] != 0 && c < a)) continue;
            const uint32_t i = std::min(a, c);
            const uint32_t j = std::max(a, c);
            if (options.cross_source_only && data.source[i] == data.source[j]) continue;
            ++state.produced;
            bool seen = false;
            for (size_t q = 0; q < r && !seen; ++q) {
              const uint64_t k = blocking.keys[q][i];
              seen = k != 0 && k == blocking.keys[q][j];
            }
            if (seen) continue;
            ++state.fresh;
            uint8_t levels[kMaxFields];
            data.CompareLevels(i, j, levels);
            const double w = table.Score(data, i, levels);
            if (w >= possible_weight) state.kept.push_back({i, j, w, Model::Probability(w)});
          }
        }
      }
    });
    BlockingRuleReport report = blocking.reports[r];
    for (State& state : states) {
      report.candidate_pairs += state.produced;
      report.new_pairs += state.fresh;
      scored.insert(scored.end(), state.kept.begin(), state.kept.end());
    }
    result.candidate_pairs += report.new_pairs;
    result.blocking.push_back(report);
    if (options.progress) options.progress("compare new pairs", static_cast<int64_t>(r + 1), rules.size());
  }
  blocking = Blocking{};
  std::sort(scored.begin(), scored.end(), [](const ScoredPair& a, const ScoredPair& b) {
    return a.left != b.left ? a.left < b.left : a.right < b.right;
  });
  for (const ScoredPair& p : scored) (p.match_weight >= match_weight ? result.matches : result.possibles).push_back(p);
  mark("score");

  // The known people as they were, then the new pairs and decisions on top.
  DisjointSets sets(n);
  DisjointSets plain(n);
  struct Known {
    uint32_t first = 0;  // a record of the person
    int64_t records = 0;
  };
  std::unordered_map<int64_t, Known> known;
  for (size_t i = 0; i < n; ++i) {
    if (known_person[i] == 0) continue;
    const auto x = static_cast<uint32_t>(i);
    auto [it, inserted] = known.try_emplace(known_person[i], Known{x, 0});
    ++it->second.records;
    if (!inserted) {
      sets.Union(sets.Find(it->second.first), sets.Find(x));
      plain.Union(plain.Find(it->second.first), plain.Find(x));
    }
  }
  std::vector<size_t> n_levels(spec.fields.size());
  for (size_t c = 0; c < spec.fields.size(); ++c) n_levels[c] = LevelLabels(spec.fields[c]).size();
  ClusterTally tally;
  ClusterLinks(data, table, n_levels, options, constraints, result.matches, result.possibles, &is_new, sets, plain,
               tally);
  ReportTally(tally, result);

  // Each final set's id: its known person, the one with most records when a batch merged several.
  std::unordered_map<uint32_t, std::vector<int64_t>> people_of_root;
  for (const auto& [person, k] : known) people_of_root[sets.Find(k.first)].push_back(person);
  std::unordered_map<uint32_t, int64_t> id_of_root;
  for (auto& [root, people] : people_of_root) {
    std::sort(people.begin(), people.end());
    int64_t kept = people.front();
    for (int64_t p : people) {
      if (known[p].records > known[kept].records) kept = p;
    }
    id_of_root[root] = kept;
    if (people.size() > 1) {
      IncrementalLinkResult::Merge merge;
      merge.kept = kept;
      for (int64_t p : people) {
        if (p != kept) merge.absorbed.push_back(p);
      }
      result.merged.push_back(std::move(merge));
    }
  }
  std::sort(result.merged.begin(), result.merged.end(), [](const auto& a, const auto& b) { return a.kept < b.kept; });
  result.person_of.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t root = sets.Find(static_cast<uint32_t>(i));
    auto [it, inserted] = id_of_root.try_emplace(root, 0);
    if (inserted) it->second = -(++result.new_persons);
    result.person_of[i] = it->second;
  }
  mark("cluster");
  return result;
}

Result<BlockingPlan> ExplainBlocking(const std::vector<Record>& records, const LinkageSpec& spec,
                                     const LinkageOptions& options) {
  RR_RETURN_IF_ERROR(spec.Validate());
  for (const Record& r : records) {
    if (r.values.size() != spec.fields.size()) {
      return Status::InvalidArgument("record " + std::to_string(r.id) + " has " + std::to_string(r.values.size()) +
                                     " values, expected " + std::to_string(spec.fields.size()));
    }
  }
  std::shared_ptr<const NameVariants> names;
  auto loaded = SharedNameVariants(options.reference_dir.empty() ? DefaultReferenceDir() : options.reference_dir);
  if (loaded.ok()) {
    names = *loaded;
  } else if (options.allow_builtin_names) {
    names = std::make_shared<const NameVariants>(NameVariants::BuiltIn());
  } else {
    return loaded.status();
  }
  const PreparedData data = PreparedData::Build(records, spec, *names, nullptr);
  return MakeBlockingPlan(data, spec, options);
}

}  // namespace riskradar::linkage
