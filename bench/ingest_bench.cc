// Ingest throughput: CSV parse + validation + normalisation per row (no store),
// and whole imports into a SQLite store. Rows are a 20-column council-style extract.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <unistd.h>

#include "riskradar/core/identifiers.h"
#include "riskradar/ingest/importer.h"
#include "riskradar/ingest/mapping.h"
#include "riskradar/ingest/readers.h"
#include "riskradar/store/store.h"

namespace {

namespace fs = std::filesystem;
using namespace riskradar;  // NOLINT: benchmark-local brevity

// The mapping is a file so the same import can be timed through the CLI (bench/README.md).
const fs::path kMappingFile = fs::path(RISKRADAR_SOURCE_DIR) / "bench/bench-20col.toml";

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

// Parse, validate and normalise; nothing stored. Items = rows. The same path as an import (CsvColumns,
// ConvertCsvRecord: raw-row JSON and content hash included), minus the store.
void BM_ParseValidate(benchmark::State& state) {
  const fs::path file = ExtractWithRows(state.range(0));
  auto mapping = ingest::Mapping::FromFile(kMappingFile);
  if (!mapping.ok()) state.SkipWithError(mapping.status().ToString().c_str());
  int64_t rows = 0;
  for (auto _ : state) {
    auto reader = ingest::CsvReader::Open(file.string(), ingest::Encoding::kUtf8, ',');
    ingest::CsvRecord record;
    (*reader)->Next(record);
    auto columns = ingest::CsvColumns::Resolve(*mapping, record.fields, file.string());
    if (!columns.ok()) state.SkipWithError(columns.status().ToString().c_str());
    (*reader)->set_expected_fields(columns->size());
    ingest::RowOutcome outcome;
    while ((*reader)->Next(record)) {
      ingest::ConvertCsvRecord(*mapping, *columns, "bcc", record, ',', outcome);
      benchmark::DoNotOptimize(outcome.ok);
      ++rows;
    }
  }
  state.SetItemsProcessed(rows);
}
BENCHMARK(BM_ParseValidate)->Arg(200000)->Unit(benchmark::kMillisecond)->UseRealTime();

// Whole import into a fresh SQLite store (WAL, synchronous=FULL). Items = rows.
void BM_ImportToSqlite(benchmark::State& state) {
  const fs::path file = ExtractWithRows(state.range(0));
  auto mapping = ingest::Mapping::FromFile(kMappingFile);
  if (!mapping.ok()) state.SkipWithError(mapping.status().ToString().c_str());
  // Per process: other developers may run the same benchmark on this machine.
  const fs::path db = fs::temp_directory_path() / ("rr-bench-import-" + std::to_string(::getpid()) + ".db");
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
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
  state.SetItemsProcessed(rows);
}
BENCHMARK(BM_ImportToSqlite)->Arg(100000)->Arg(1000000)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

}  // namespace
