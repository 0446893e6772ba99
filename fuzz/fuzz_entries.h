// Entry functions of the fuzz targets, shared by the libFuzzer binaries (fuzz/*_fuzz.cc, clang) and the corpus
// replay test in the normal suite (tests/ingest/fuzz_replay_test.cc, GCC). Each feeds one input through the code
// under test and checks invariants; it returns an empty string, or what was violated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace riskradar::fuzz {

// CSV reader (encodings, delimiters, record length limit chosen by the first byte), then each record through a
// mapping that reads every field kind.
std::string CsvReaderEntry(const uint8_t* data, size_t size);
// JSON Lines: each line through the JSON row path (ConvertJsonLine) with a nested-path mapping.
std::string JsonLinesEntry(const uint8_t* data, size_t size);
// Field validators: Date::Parse, NormaliseNhsNumber, NormaliseUpn, NormalisePostcode, Windows1252ToUtf8,
// IsValidUtf8, AppendJsonString and ConvertRow on fields cut from the input.
std::string FieldValidatorsEntry(const uint8_t* data, size_t size);

}  // namespace riskradar::fuzz
