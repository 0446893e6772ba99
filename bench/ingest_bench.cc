// Ingest throughput: CSV parse + validation + normalisation per row (no store),
// and whole imports into a SQLite store. Rows are a 20-column council-style extract.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "riskradar/core/identifiers.h"
#include "riskradar/ingest/importer.h"
#include "riskradar/ingest/mapping.h"
#include "riskradar/ingest/readers.h"
#include "riskradar/store/store.h"

namespace {

namespace fs = std::filesystem;
using namespace riskradar;  // NOLINT: benchmark-local brevity

constexpr char kMapping[] = R"(
format = "bench-20col"
file_type = "csv"
record_class = "child_protection"
lawful_basis = "bench"
local_id = "Record ID"
ignore = ["Worker", "Team", "Ethnicity", "Language", "School", "Status", "Outcome"]
[event]
kind = { column = "Event Type", map = { "MFC" = "missing_episode", "REF" = "referral" } }
category = { column = "Concern", map = { "missing overnight" = "missing_overnight", "cse" = "cse_concern" } }
date = { column = "Event Date", format = "%d/%m/%Y" }
detail = { column = "Notes" }
[subject]
role = { value = "child" }
local_person_id = { column = "Person ID" }
forename = { column = "Forename" }
surname = { column = "Surname" }
dob = { column = "DOB", format = "%d/%m/%Y" }
sex = { column = "Gender", map = { "F" = "female", "M" = "male" } }
postcode = { column = "Postcode" }
nhs_number = { column = "NHS Number" }
)";

std::string MakeNhs(std::mt19937_64& rng) {
  while (true) {
    std::string d;
    for (int i = 0; i < 9; ++i) d += static_cast<char>('0' + rng() % 10);
    const int check = NhsCheckDigit(d);
    if (check >= 0) return d + static_cast<char>('0' + check);
  }
}

// Writes `rows` rows (plus header) and returns the path; cached per size.
fs::path ExtractWithRows(int64_t rows) {
  const fs::path path = fs::temp_directory_path() / ("rr-bench-" + std::to_string(rows) + ".csv");
  if (fs::exists(path)) return path;
  std::ofstream out(path, std::ios::binary);
  out << "Record ID,Event Type,Concern,Event Date,Notes,Person ID,Forename,Surname,DOB,Gender,Postcode,NHS Number,"
         "Worker,Team,Ethnicity,Language,School,Status,Outcome,Extra\n";
  std::mt19937_64 rng(1);
  const char* forenames[] = {"Amelia", "Mohammed", "Olivia", "Harpreet", "Jack", "Zainab", "Oliwia", "Kwame"};
  const char* surnames[] = {"Smith", "Khan", "Begum", "Nowak", "Mensah", "O'Neill", "Patel", "Jones"};
  for (int64_t i = 0; i < rows; ++i) {
    out << "R" << i << (i % 2 ? ",MFC,Missing overnight," : ",REF,CSE,") << (1 + rng() % 28) << "/0" << (1 + rng() % 9)
        << "/2025,\"note, with comma\",P" << rng() % 100000 << ',' << forenames[rng() % 8] << ',' << surnames[rng() % 8]
        << ',' << (1 + rng() % 28) << "/0" << (1 + rng() % 9) << '/' << (2008 + rng() % 8) << ','
        << (rng() % 2 ? 'F' : 'M') << ",B" << (1 + rng() % 40) << ' ' << rng() % 10 << "AB," << MakeNhs(rng)
        << ",W1,T2,E3,English,S4,Open,None,x\n";
  }
  return path;
}

// Parse, validate and normalise; nothing stored. Items = rows.
void BM_ParseValidate(benchmark::State& state) {
  const fs::path file = ExtractWithRows(state.range(0));
  auto mapping = ingest::Mapping::FromToml(kMapping, "bench.toml");
  mapping->ignore.push_back("Extra");
  int64_t rows = 0;
  for (auto _ : state) {
    auto reader = ingest::CsvReader::Open(file.string(), ingest::Encoding::kUtf8, ',');
    ingest::CsvRecord record;
    (*reader)->Next(record);
    std::unordered_map<std::string, size_t> index;
    for (size_t i = 0; i < record.fields.size(); ++i) index[record.fields[i]] = i;
    struct Fields final : ingest::RowFields {
      const std::unordered_map<std::string, size_t>* index;
      const std::vector<std::string>* fields;
      std::optional<std::string> Get(std::string_view c) const override {
        auto it = index->find(std::string(c));
        return it == index->end() ? std::nullopt : std::optional<std::string>((*fields)[it->second]);
      }
    } fields;
    fields.index = &index;
    fields.fields = &record.fields;
    store::ParsedRow row;
    std::vector<ingest::RowProblem> problems;
    while ((*reader)->Next(record)) {
      problems.clear();
      benchmark::DoNotOptimize(ingest::ConvertRow(*mapping, fields, "bcc", row, problems));
      ++rows;
    }
  }
  state.SetItemsProcessed(rows);
}
BENCHMARK(BM_ParseValidate)->Arg(200000)->Unit(benchmark::kMillisecond)->UseRealTime();

// Whole import into a fresh SQLite store (WAL, synchronous=FULL). Items = rows.
void BM_ImportToSqlite(benchmark::State& state) {
  const fs::path file = ExtractWithRows(state.range(0));
  auto mapping = ingest::Mapping::FromToml(kMapping, "bench.toml");
  mapping->ignore.push_back("Extra");
  const fs::path db = fs::temp_directory_path() / "rr-bench-import.db";
  int64_t rows = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
    auto store = store::OpenStore(db.string());
    (void)(*store)->UpsertAgency({"bcc", "Bench council", AgencyKind::kCouncil, "Birmingham"});
    state.ResumeTiming();
    auto result = ingest::ImportFile(**store, *mapping, "bcc", file, store::Actor{});
    if (!result.ok()) state.SkipWithError(result.status().ToString().c_str());
    rows += result.ok() ? result->batch.counts.landed : 0;
  }
  state.SetItemsProcessed(rows);
}
BENCHMARK(BM_ImportToSqlite)->Arg(100000)->Arg(1000000)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

}  // namespace
