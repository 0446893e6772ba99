// Crash safety of imports: `riskradar ingest` is killed with SIGKILL at random moments, each kill followed by a
// re-run to completion, and the store must end exactly as a clean import leaves it (issue 3).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "riskradar/core/hash.h"
#include "riskradar/core/identifiers.h"
#include "riskradar/store/store.h"

extern char** environ;

namespace riskradar {
namespace crash_test {

namespace fs = std::filesystem;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

std::string Nhs(std::mt19937_64& rng) {
  while (true) {
    std::string d;
    for (int i = 0; i < 9; ++i) d += static_cast<char>('0' + rng() % 10);
    const int check = NhsCheckDigit(d);
    if (check >= 0) return d + static_cast<char>('0' + check);
  }
}

// Extract `index` of a series: a sliding window of record ids, so each extract repeats most of the previous one
// (unchanged rows), corrects some (a changed note is a new record) and adds new ones. Every 97th row is bad.
void WriteExtract(const fs::path& path, int index, int rows) {
  std::ofstream out(path, std::ios::binary);
  out << "Record ID,Event Type,Concern,Event Date,Notes,Person ID,Forename,Surname,DOB,Gender,Postcode,NHS Number,"
         "Worker,Team,Ethnicity,Language,School,Status,Outcome,Extra\n";
  const int first = index * rows / 3;
  const char* forenames[] = {"Amelia", "Mohammed", "Olivia", "Harpreet", "Jack", "Zainab", "Oliwia", "Kwame"};
  const char* surnames[] = {"Smith", "Khan", "Begum", "Nowak", "Mensah", "O'Neill", "Patel", "Jones"};
  for (int id = first; id < first + rows; ++id) {
    std::mt19937_64 rng(static_cast<uint64_t>(id));  // the same id gives the same row in every extract
    const bool corrected = id % 7 == index % 7;
    const bool bad = id % 97 == 0;
    out << "R" << id << (id % 2 ? ",MFC,Missing overnight," : ",REF,CSE,") << (bad ? 31 : 1 + rng() % 28) << "/0"
        << (bad ? 2 : 1 + rng() % 9) << "/2025,\"note " << (corrected ? "corrected in " + std::to_string(index) : "")
        << ", with comma\",P" << rng() % 100000 << ',' << forenames[rng() % 8] << ',' << surnames[rng() % 8] << ','
        << (1 + rng() % 28) << "/0" << (1 + rng() % 9) << '/' << (2008 + rng() % 8) << ',' << (rng() % 2 ? 'F' : 'M')
        << ",B" << (1 + rng() % 40) << ' ' << rng() % 10 << "AB," << Nhs(rng) << ",W1,T2,E3,English,S4,Open,None,x\n";
  }
}

// Starts `riskradar ingest` for one extract; returns the child's pid.
pid_t StartIngest(const fs::path& db, const fs::path& file) {
  const std::string binary = RISKRADAR_BINARY;
  const std::string mapping = (fs::path(RISKRADAR_SOURCE_DIR) / "bench/bench-20col.toml").string();
  std::vector<std::string> args = {binary,          "ingest",  "--db",      db.string(), "--agency",   "bcc",
                                   "--agency-kind", "council", "--mapping", mapping,     file.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// Waits for the child; returns its wait status.
int Wait(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

bool RunToCompletion(const fs::path& db, const fs::path& file) {
  const pid_t pid = StartIngest(db, file);
  if (pid < 0) return false;
  const int status = Wait(pid);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// A digest of everything an import stores that does not depend on when it ran: records with their provenance,
// mentions, events, quarantine and batch counts. Row ids are left out; rows are ordered by content.
std::string StoreDigest(const fs::path& db_path, std::string& integrity) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return "cannot open";
  Hasher hasher;
  const char* queries[] = {
      "SELECT b.file, r.agency_code, r.local_id, r.line, r.raw_json, r.content_hash, r.record_class, r.lawful_basis "
      "FROM source_record r JOIN import_batch b ON b.id = r.batch_id ORDER BY r.agency_code, r.local_id, "
      "r.content_hash",
      "SELECT r.local_id, r.content_hash, m.slot, m.role, m.local_person_id, m.forename, m.surname, m.dob, m.sex, "
      "m.postcode, m.nhs_number, m.upn FROM person_mention m JOIN source_record r ON r.id = m.source_record_id "
      "ORDER BY r.local_id, r.content_hash, m.slot",
      "SELECT r.local_id, r.content_hash, e.kind, e.category, e.date, e.detail, e.associate_mention_id IS NULL, "
      "e.place_mention_id IS NULL FROM event e JOIN source_record r ON r.id = e.source_record_id "
      "ORDER BY r.local_id, r.content_hash",
      "SELECT file, line, column_name, value, reason, raw FROM quarantine ORDER BY file, line",
      "SELECT agency_code, file, file_hash, format, rows_in, landed, unchanged, quarantined, status FROM import_batch "
      "ORDER BY file",
      "SELECT action, target FROM audit_event ORDER BY seq",
  };
  for (const char* sql : queries) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      return std::string("bad query: ") + sql;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        hasher.Update(text ? std::string_view(text, sqlite3_column_bytes(stmt, c)) : std::string_view("<null>"));
        hasher.Update(std::string_view("\x1f", 1));
      }
      hasher.Update("\n");
    }
    sqlite3_finalize(stmt);
    hasher.Update("\x1e");
  }
  sqlite3_stmt* check = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &check, nullptr);
  integrity.clear();
  while (sqlite3_step(check) == SQLITE_ROW) integrity += reinterpret_cast<const char*>(sqlite3_column_text(check, 0));
  sqlite3_finalize(check);
  sqlite3_close(db);
  return hasher.FinishHex();
}

TEST(CrashTest, KillNineAtRandomMomentsThenRerunEqualsACleanImport) {
  const int kills = EnvInt("RISKRADAR_CRASH_KILLS", 20);
  const int rows = EnvInt("RISKRADAR_CRASH_ROWS", 6000);
  const uint64_t seed = static_cast<uint64_t>(EnvInt("RISKRADAR_CRASH_SEED", 20250301));
  const fs::path dir = fs::temp_directory_path() / ("rr-crash-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() { fs::remove_all(dir); }
  } cleanup{dir};

  // One extract per kill, each overlapping the one before.
  std::vector<fs::path> files;
  for (int i = 0; i < kills; ++i) {
    files.push_back(dir / ("extract-" + std::to_string(i) + ".csv"));
    WriteExtract(files.back(), i, rows);
  }

  // The reference: a clean import of every extract in turn, timing each so the kills land inside a run.
  const fs::path clean_db = dir / "clean.db";
  std::vector<double> seconds;
  for (const fs::path& file : files) {
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(RunToCompletion(clean_db, file)) << file;
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }

  // The same imports, each killed at a random moment between process start and its clean duration (start-up,
  // agency registration, row loading, commit and checkpoint all take their share) and then re-run to completion.
  const fs::path crash_db = dir / "crash.db";
  std::mt19937_64 rng(seed);
  int killed_mid_run = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const double at = std::uniform_real_distribution<double>(0.0, 0.95 * seconds[i])(rng);
    const pid_t pid = StartIngest(crash_db, files[i]);
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::duration<double>(at));
    kill(pid, SIGKILL);
    const int status = Wait(pid);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ++killed_mid_run;
    ASSERT_TRUE(RunToCompletion(crash_db, files[i])) << "re-run after the kill at " << at << " s of " << files[i];
  }
  std::cout << "[ crash    ] " << killed_mid_run << " of " << kills << " kills landed while the import ran (seed "
            << seed << ", " << rows << " rows per extract)\n";
  // Most kills must hit a running import, or the test shows nothing.
  EXPECT_GE(killed_mid_run, kills * 2 / 3);

  std::string clean_integrity, crash_integrity;
  const std::string clean = StoreDigest(clean_db, clean_integrity);
  const std::string crashed = StoreDigest(crash_db, crash_integrity);
  EXPECT_EQ(clean_integrity, "ok");
  EXPECT_EQ(crash_integrity, "ok");
  EXPECT_EQ(crashed, clean) << "the store after kills and re-runs differs from a clean import";

  auto clean_store = store::OpenStore(clean_db.string());
  auto crash_store = store::OpenStore(crash_db.string());
  ASSERT_TRUE(clean_store.ok() && crash_store.ok());
  auto a = (*clean_store)->Counts();
  auto b = (*crash_store)->Counts();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->batches, kills);
  EXPECT_GT(a->source_records, rows);
  EXPECT_GT(a->quarantined, 0);
  EXPECT_EQ(b->batches, a->batches);
  EXPECT_EQ(b->source_records, a->source_records);
  EXPECT_EQ(b->person_mentions, a->person_mentions);
  EXPECT_EQ(b->events, a->events);
  EXPECT_EQ(b->quarantined, a->quarantined);
  EXPECT_EQ(b->audit_events, a->audit_events);
  auto audit = (*crash_store)->VerifyAudit();
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->ok) << audit->problem;
}

}  // namespace crash_test
}  // namespace riskradar
