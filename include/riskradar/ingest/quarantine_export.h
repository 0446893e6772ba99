// The quarantine round trip: a batch's open quarantined rows written back in the agency's own format (same
// columns in the same order, same delimiter and encoding), so that once fixed they load through the same mapping,
// with a reason file beside them saying where each row is and why it was refused.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "riskradar/core/status.h"
#include "riskradar/store/imports.h"

namespace riskradar::ingest {

struct QuarantineExport {
  std::string data;       // the rows in the source's format and encoding (a CSV with its header; JSON Lines)
  std::string reasons;    // UTF-8 CSV: line,column,reason,source_line,quarantine_id; `line` is in `data`
  std::string file_type;  // "csv" or "jsonl"
  int64_t rows = 0;
  std::string note;  // set when the export cannot be exactly the source's format (an Excel batch: CSV instead)
};

// Renders `rows` (quarantined rows of `batch`; resolved rows are skipped) in the layout the batch recorded at
// import (store::BatchHeader::layout). A batch imported before layouts were kept is written as CSV (UTF-8,
// comma, the columns the rows name, in byte order) or JSON Lines, by the file's extension. A CSV row that was
// refused whole (malformed quoting, a wrong field count) is written as it was received, to be fixed by hand.
// InvalidArgument when a row cannot be written in the source's encoding (naming the quarantined row).
Result<QuarantineExport> RenderQuarantineExport(const store::BatchInfo& batch,
                                                const std::vector<store::QuarantinedRow>& rows);

// UTF-8 to Windows-1252 (the inverse of Windows1252ToUtf8); nullopt when a character has no Windows-1252 byte.
std::optional<std::string> Utf8ToWindows1252(std::string_view utf8);

}  // namespace riskradar::ingest
