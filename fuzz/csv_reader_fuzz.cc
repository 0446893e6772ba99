// libFuzzer target: CsvReaderEntry (fuzz/fuzz_entries.h); an invariant violation aborts with what was violated.
#include <cstdio>
#include <cstdlib>

#include "fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string problem = riskradar::fuzz::CsvReaderEntry(data, size);
  if (!problem.empty()) {
    std::fprintf(stderr, "invariant violated: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}
