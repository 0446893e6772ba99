// Linkage benchmarks: the pair comparison kernel (candidate pairs per second on
// one core) and a whole person de-duplication on generated agency records.
#include <benchmark/benchmark.h>

#include <tbb/global_control.h>

#include <algorithm>
#include <map>

#include "../tests/linkage/synthetic.h"
#include "riskradar/linkage/engine.h"
#include "riskradar/linkage/person.h"

namespace riskradar::linkage {
namespace {

// Generated agency records, a model trained on the first 20,000 people's records,
// and candidate-like pairs: records sharing birth year and surname initial, as
// blocking would produce (mostly non-matches that look alike, some matches), in
// the order blocking emits them (sorted by left record).
struct KernelFixture {
  testing::SyntheticPeople people;
  std::vector<Record> records;
  std::unique_ptr<PairScorer> scorer;
  std::vector<std::pair<size_t, size_t>> pairs;

  explicit KernelFixture(int n_people) : people(testing::MakeSyntheticPeople(n_people, 42)) {
    for (const auto& p : people.records) records.push_back(ToRecord(p));
    std::vector<PersonRecord> sample;
    for (size_t i = 0; i < people.records.size() && people.person[i] < 20000; ++i) sample.push_back(people.records[i]);
    auto linked = LinkPersons(sample, LinkageOptions{});
    if (!linked.ok()) std::abort();
    scorer = std::make_unique<PairScorer>(linked->model, records);
    std::map<std::pair<int, char>, std::vector<size_t>> blocks;
    for (size_t i = 0; i < people.records.size(); ++i) {
      const auto& r = people.records[i];
      if (!r.dob || r.surname.empty()) continue;
      blocks[{r.dob->year(), static_cast<char>(std::tolower(static_cast<unsigned char>(r.surname[0])))}].push_back(i);
    }
    for (const auto& [key, members] : blocks) {
      for (size_t a = 0; a < members.size() && pairs.size() < 2'000'000; ++a) {
        for (size_t b = a + 1; b < members.size() && b < a + 40; ++b) pairs.emplace_back(members[a], members[b]);
      }
    }
    std::sort(pairs.begin(), pairs.end());
  }
};

KernelFixture& Fixture(int n_people) {
  static std::map<int, std::unique_ptr<KernelFixture>> fixtures;
  auto& f = fixtures[n_people];
  if (!f) f = std::make_unique<KernelFixture>(n_people);
  return *f;
}

// Single thread: the comparison kernel (levels for 7 fields + weights + term
// frequency). Arg: people generated; 20,000 (~50k records) fit in the caches,
// 400,000 (~1M records) do not, as at regional scale.
void BM_ComparisonKernel(benchmark::State& state) {
  KernelFixture& f = Fixture(static_cast<int>(state.range(0)));
  size_t k = 0;
  double sink = 0;
  for (auto _ : state) {
    const auto& [i, j] = f.pairs[k];
    sink += f.scorer->MatchWeight(i, j);
    if (++k == f.pairs.size()) k = 0;
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["candidate_pairs"] = static_cast<double>(f.pairs.size());
  state.counters["records"] = static_cast<double>(f.records.size());
}
BENCHMARK(BM_ComparisonKernel)->Arg(20000)->Arg(400000);

// Whole de-duplication (blocking, u sampling, EM, scoring, clustering), all cores.
void BM_LinkPersons(benchmark::State& state) {
  const auto people = testing::MakeSyntheticPeople(static_cast<int>(state.range(0)), 99);
  for (auto _ : state) {
    auto linked = LinkPersons(people.records, LinkageOptions{});
    if (!linked.ok()) state.SkipWithError(linked.status().message().c_str());
    benchmark::DoNotOptimize(linked);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * people.records.size()));
  state.counters["records"] = static_cast<double>(people.records.size());
}
BENCHMARK(BM_LinkPersons)->Arg(10000)->Arg(50000)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace riskradar::linkage
