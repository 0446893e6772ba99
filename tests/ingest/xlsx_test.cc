// XLSX extracts: first sheet through its relationship, shared and inline strings, numbers, Excel date serials,
// malformed workbooks refused whole.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zip.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "riskradar/ingest/importer.h"
#include "riskradar/ingest/mapping.h"
#include "riskradar/ingest/xlsx.h"
#include "riskradar/store/store.h"

namespace riskradar::ingest {
namespace xlsx_test {

namespace fs = std::filesystem;

// Writes a zip of the given parts (stored in memory until the archive is closed).
void WriteZip(const fs::path& path, const std::map<std::string, std::string>& parts) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  ASSERT_NE(archive, nullptr);
  for (const auto& [name, content] : parts) {
    zip_source_t* src = zip_source_buffer(archive, content.data(), content.size(), 0);
    ASSERT_GE(zip_file_add(archive, name.c_str(), src, ZIP_FL_OVERWRITE), 0);
  }
  ASSERT_EQ(zip_close(archive), 0);
}

constexpr char kNs[] = R"(xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main")";

std::map<std::string, std::string> Workbook(const std::string& sheet_data) {
  const std::string ns = kNs;
  return {
      {"[Content_Types].xml",
       R"(<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>)"},
      // The first sheet is not sheet1.xml: it must be found through the workbook's relationships.
      {"xl/workbook.xml",
       "<?xml version=\"1.0\"?><workbook " + ns +
           R"( xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr/>)"
           R"(<sheets><sheet name="Cases" sheetId="1" r:id="rId3"/><sheet name="Other" sheetId="2" r:id="rId4"/>)"
           "</sheets></workbook>"},
      {"xl/_rels/workbook.xml.rels",
       R"(<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
       R"(<Relationship Id="rId4" Type="worksheet" Target="worksheets/sheet1.xml"/>)"
       R"(<Relationship Id="rId3" Type="worksheet" Target="worksheets/cases.xml"/></Relationships>)"},
      {"xl/sharedStrings.xml",
       "<?xml version=\"1.0\"?><sst " + ns +
           "><si><t>Record ID</t></si><si><t>Event Type</t></si><si><t>Concern</t></si><si><t>Event Date</t></si>"
           "<si><t>Notes</t></si><si><t>Forename</t></si><si><t>DOB</t></si><si><t>NHS Number</t></si>"
           "<si><t>Gender</t></si><si><r><t>Zo</t></r><r><t>\xC3\xAB</t></r><rPh><t>ZO</t></rPh></si>"
           "<si><t>Missing overnight</t></si></sst>"},
      {"xl/worksheets/sheet1.xml", "<?xml version=\"1.0\"?><worksheet " + ns + "><sheetData/></worksheet>"},
      {"xl/worksheets/cases.xml",
       "<?xml version=\"1.0\"?><worksheet " + ns + "><sheetData>" + sheet_data + "</sheetData></worksheet>"},
  };
}

constexpr char kHeaderRow[] =
    R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>)"
    R"(<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c>)"
    R"(<c r="G1" t="s"><v>6</v></c><c r="H1" t="s"><v>7</v></c><c r="I1" t="s"><v>8</v></c></row>)";

constexpr char kMapping[] = R"(
format = "council-xlsx-v1"
file_type = "xlsx"
record_class = "child_protection"
lawful_basis = "test"
local_id = "Record ID"
[event]
kind = { column = "Event Type", map = { "MFC" = "missing_episode", "REF" = "referral" } }
category = { column = "Concern", map = { "missing overnight" = "missing_overnight" }, default = "other" }
date = { column = "Event Date", format = "%d/%m/%Y" }
detail = { column = "Notes" }
[subject]
role = { value = "child" }
forename = { column = "Forename" }
dob = { column = "DOB", format = "%d/%m/%Y" }
nhs_number = { column = "NHS Number" }
sex = { column = "Gender", map = { "F" = "female", "M" = "male" } }
)";

TEST(XlsxTest, ExcelSerialDates) {
  EXPECT_EQ(ExcelSerialToDate(1, false)->ToIso(), "1900-01-01");
  EXPECT_EQ(ExcelSerialToDate(59, false)->ToIso(), "1900-02-28");
  EXPECT_FALSE(ExcelSerialToDate(60, false).has_value());  // Excel's 29 February 1900
  EXPECT_EQ(ExcelSerialToDate(61, false)->ToIso(), "1900-03-01");
  EXPECT_EQ(ExcelSerialToDate(45691.75, false)->ToIso(), "2025-02-03");
  EXPECT_EQ(ExcelSerialToDate(0, true)->ToIso(), "1904-01-01");
  EXPECT_FALSE(ExcelSerialToDate(-1, false).has_value());
  EXPECT_FALSE(ExcelSerialToDate(1e12, false).has_value());
}

class XlsxImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rr-xlsx-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    auto s = store::OpenStore((dir_ / "t.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->UpsertAgency({"bcc", "Test council", AgencyKind::kCouncil, "Birmingham"}).ok());
    auto m = Mapping::FromToml(kMapping, "xlsx.toml");
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    mapping_ = *m;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  Mapping mapping_;
};

TEST_F(XlsxImportTest, FirstSheetStringsNumbersAndDates) {
  const std::string rows =
      std::string(kHeaderRow) +
      // Shared, inline and rich-text strings; numbers; dates as serials.
      R"(<row r="2"><c r="A2" t="inlineStr"><is><t>R1</t></is></c><c r="B2" t="inlineStr"><is><t>MFC</t></is></c>)"
      R"(<c r="C2" t="s"><v>10</v></c><c r="D2"><v>45691</v></c><c r="E2" t="inlineStr"><is><t>a &amp; b</t></is></c>)"
      R"(<c r="F2" t="s"><v>9</v></c><c r="G2" s="3"><v>40699</v></c><c r="H2"><v>9434765919</v></c>)"
      R"(<c r="I2" t="inlineStr"><is><t>F</t></is></c></row>)"
      // Row 3 is absent (empty); row 4 has an impossible date typed as text.
      R"(<row r="4"><c r="A4" t="inlineStr"><is><t>R2</t></is></c><c r="B4" t="inlineStr"><is><t>REF</t></is></c>)"
      R"(<c r="D4" t="inlineStr"><is><t>31/02/2025</t></is></c><c r="F4" t="inlineStr"><is><t>Ben</t></is></c></row>)"
      // A reference to a shared string that does not exist.
      R"(<row r="5"><c r="A5" t="s"><v>99</v></c></row>)"
      // A short row (trailing cells not stored), cells without references, a boolean.
      R"(<row r="6"><c t="inlineStr"><is><t>R3</t></is></c><c t="inlineStr"><is><t>REF</t></is></c><c/>)"
      R"(<c><v>45692</v></c><c t="b"><v>1</v></c><c t="inlineStr"><is><t>Cal</t></is></c></row>)";
  const fs::path file = dir_ / "cases.xlsx";
  WriteZip(file, Workbook(rows));
  auto result = ImportFile(*store_, mapping_, "bcc", file, store::Actor{});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->batch.counts.rows_in, 4);
  EXPECT_EQ(result->batch.counts.landed, 2);
  EXPECT_EQ(result->batch.counts.quarantined, 2);
  auto q = *store_->ListQuarantine(0);
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].line, 4);
  EXPECT_NE(q[0].reason.find("event date is not a valid date"), std::string::npos) << q[0].reason;
  EXPECT_EQ(q[1].line, 5);
  EXPECT_NE(q[1].reason.find("malformed sheet: a cell refers to a shared string"), std::string::npos) << q[1].reason;
  auto mentions = *store_->LoadPersonMentions();
  ASSERT_EQ(mentions.size(), 2u);
  EXPECT_EQ(mentions[0].mention.forename, "Zo\xC3\xAB");
  EXPECT_EQ(mentions[0].mention.dob->ToIso(), "2011-06-05");
  EXPECT_EQ(mentions[0].mention.nhs_number, "9434765919");
  EXPECT_EQ(mentions[1].mention.forename, "Cal");
  auto events = *store_->LoadEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event.date.ToIso(), "2025-02-03");
  EXPECT_EQ(events[0].event.detail, "a & b");
  EXPECT_EQ(events[1].event.date.ToIso(), "2025-02-04");
  EXPECT_EQ(events[1].event.detail, "TRUE");
}

TEST_F(XlsxImportTest, MalformedWorkbooksAreRefusedWhole) {
  const fs::path not_zip = dir_ / "not.xlsx";
  std::ofstream(not_zip) << "Record ID,Event Type\n";
  auto r1 = ImportFile(*store_, mapping_, "bcc", not_zip, store::Actor{});
  ASSERT_FALSE(r1.ok());
  EXPECT_NE(r1.status().message().find("not an XLSX workbook"), std::string::npos) << r1.status().message();

  // Good rows, then XML that breaks off: nothing of the batch lands.
  const fs::path broken = dir_ / "broken.xlsx";
  auto parts = Workbook(std::string(kHeaderRow) + R"(<row r="2"><c r="A2" t="inlineStr"><is><t>R1</t></is></c></row>)");
  parts["xl/worksheets/cases.xml"] += "<row r=\"3\"><c>";
  WriteZip(broken, parts);
  auto r2 = ImportFile(*store_, mapping_, "bcc", broken, store::Actor{});
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.status().message().find("not well-formed XML"), std::string::npos) << r2.status().message();

  const fs::path no_sheet = dir_ / "nosheet.xlsx";
  auto parts2 = Workbook("");
  parts2.erase("xl/worksheets/cases.xml");
  WriteZip(no_sheet, parts2);
  auto r3 = ImportFile(*store_, mapping_, "bcc", no_sheet, store::Actor{});
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.status().message().find("the first sheet (xl/worksheets/cases.xml) is missing"), std::string::npos)
      << r3.status().message();
  EXPECT_EQ(store_->Counts()->batches, 0);
  EXPECT_EQ(store_->Counts()->source_records, 0);
}

}  // namespace xlsx_test
}  // namespace riskradar::ingest
