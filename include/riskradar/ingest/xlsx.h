// XLSX extracts (Office Open XML spreadsheets, as saved by Excel): the first sheet's rows as text cells, read as
// a stream (the sheet is inflated and parsed piece by piece, so memory does not grow with the number of rows;
// the shared-strings table is held in memory).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "riskradar/core/date.h"
#include "riskradar/core/status.h"
#include "riskradar/ingest/readers.h"

namespace riskradar::ingest {

// An Excel serial day number as a date: the 1900 date system (with Excel's phantom 29 February 1900: serial 60
// is refused) or the 1904 system. The fraction (time of day) is dropped. nullopt when out of range.
std::optional<Date> ExcelSerialToDate(double serial, bool date1904);

class XlsxReader {
 public:
  static Result<std::unique_ptr<XlsxReader>> Open(const std::string& path);
  ~XlsxReader();
  XlsxReader(const XlsxReader&) = delete;
  XlsxReader& operator=(const XlsxReader&) = delete;

  // The next non-empty row: `line` is the sheet's row number, `fields` the cells from column A to the row's last
  // cell (missing cells empty). Shared and inline strings are their text, numbers their stored text (dates are
  // serial numbers: see ExcelSerialToDate), booleans TRUE/FALSE, errors their code (#N/A). False at the end, or
  // when the sheet is malformed (then status() says why).
  bool Next(CsvRecord& record);
  const Status& status() const { return status_; }
  bool date1904() const { return date1904_; }

  struct Impl;  // the zip archive and the XML parser state

 private:
  XlsxReader() = default;
  std::unique_ptr<Impl> impl_;
  Status status_;
  bool date1904_ = false;
};

}  // namespace riskradar::ingest
