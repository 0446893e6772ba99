// Corpus replay: every file of each fuzz target's corpus (fuzz/corpus/<target>/, seeds and past crashes) through
// the same entry functions the libFuzzer binaries call, so the normal suite keeps the fuzzers' findings fixed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "fuzz_entries.h"

namespace riskradar::fuzz {
namespace fuzz_replay_test {

namespace fs = std::filesystem;

using Entry = std::string (*)(const uint8_t*, size_t);

void Replay(const std::string& target, Entry entry) {
  const fs::path dir = fs::path(RISKRADAR_FUZZ_CORPUS) / target;
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  int files = 0;
  for (const auto& item : fs::directory_iterator(dir)) {
    if (!item.is_regular_file()) continue;
    std::ifstream in(item.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const std::string data = bytes.str();
    EXPECT_EQ(entry(reinterpret_cast<const uint8_t*>(data.data()), data.size()), "") << item.path();
    ++files;
  }
  EXPECT_GT(files, 0) << "no corpus files in " << dir;
}

TEST(FuzzReplayTest, CsvReaderCorpus) { Replay("csv_reader", CsvReaderEntry); }
TEST(FuzzReplayTest, JsonLinesCorpus) { Replay("jsonl", JsonLinesEntry); }
TEST(FuzzReplayTest, FieldValidatorsCorpus) { Replay("field_validators", FieldValidatorsEntry); }

}  // namespace fuzz_replay_test
}  // namespace riskradar::fuzz
