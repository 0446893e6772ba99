// Ingest: readers, mapping checks, validation, quarantine and idempotent batches.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "riskradar/core/identifiers.h"
#include "riskradar/ingest/importer.h"
#include "riskradar/ingest/mapping.h"
#include "riskradar/ingest/readers.h"
#include "riskradar/store/store.h"

namespace riskradar::ingest {
namespace ingest_test {

namespace fs = std::filesystem;

const fs::path kData = fs::path(RISKRADAR_SOURCE_DIR) / "tests/ingest/data";

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("rr-ingest-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  fs::path Write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ / name, std::ios::binary) << content;
    return path_ / name;
  }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

std::vector<CsvRecord> ReadAll(const fs::path& file, Encoding enc = Encoding::kUtf8) {
  auto reader = CsvReader::Open(file.string(), enc, ',');
  EXPECT_TRUE(reader.ok());
  std::vector<CsvRecord> out;
  CsvRecord r;
  while ((*reader)->Next(r)) out.push_back(r);
  return out;
}

TEST(CsvReaderTest, QuotedFieldsEmbeddedNewlinesBomAndCrlf) {
  TempDir dir;
  auto file = dir.Write("a.csv",
                        "\xEF\xBB\xBF"
                        "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,\"two\r\nlines\",z\r\n");
  auto records = ReadAll(file);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"1", "x, y", "say \"hi\""}));
  EXPECT_EQ(records[2].fields[1], "two\nlines");
  EXPECT_EQ(records[2].line, 3);
  EXPECT_EQ(records[2].end_line, 4);
  for (const auto& r : records) EXPECT_TRUE(r.error.empty()) << r.error;
}

TEST(CsvReaderTest, BrokenQuoteDoesNotSwallowTheFile) {
  TempDir dir;
  std::string content = "a,b\n1,\"unterminated\n";
  for (int i = 2; i < 60; ++i) content += std::to_string(i) + ",ok\n";
  auto records = ReadAll(dir.Write("b.csv", content));
  ASSERT_EQ(records.size(), 60u);
  EXPECT_FALSE(records[1].error.empty());
  EXPECT_EQ(records[1].line, 2);
  EXPECT_EQ(records[2].fields, (std::vector<std::string>{"2", "ok"}));
  EXPECT_TRUE(records[2].error.empty());
}

TEST(CsvReaderTest, StrayQuoteInUnquotedField) {
  TempDir dir;
  auto records = ReadAll(dir.Write("c.csv", "a,b\nO\"Neill,1\n"));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_NE(records[1].error.find("quote inside an unquoted field"), std::string::npos);
}

TEST(CsvReaderTest, ReusedRecordShrinksAndReadsFromMemory) {
  auto reader = CsvReader::FromString("a,b,c\n1,\"two \"\"q\"\"\",3\nx\n\n4,5,6\n", Encoding::kUtf8, ',');
  CsvRecord r;
  ASSERT_TRUE(reader->Next(r));
  ASSERT_TRUE(reader->Next(r));
  EXPECT_EQ(r.fields, (std::vector<std::string>{"1", "two \"q\"", "3"}));
  ASSERT_TRUE(reader->Next(r));
  EXPECT_EQ(r.fields, (std::vector<std::string>{"x"}));  // fewer fields than the record before
  ASSERT_TRUE(reader->Next(r));
  EXPECT_EQ(r.fields, (std::vector<std::string>{"4", "5", "6"}));
  EXPECT_EQ(r.line, 5);  // the blank line is skipped but counted
  EXPECT_FALSE(reader->Next(r));
}

TEST(RawJsonTest, MatchesNlohmannDumpByteForByte) {
  // Stored content hashes are of this text; it must not change with how it is built.
  const std::vector<std::string> header = {"b", "a", "Z z", "q\"uote", "\xC3\xA9"};
  Mapping mapping;
  mapping.local_id = "a";
  mapping.ignore = header;
  mapping.IndexColumns();
  auto columns = CsvColumns::Resolve(mapping, header, "t.csv");
  ASSERT_TRUE(columns.ok()) << columns.status().ToString();
  const std::vector<std::vector<std::string>> rows = {
      {"plain", "", "tab\there", "new\nline\r", "back\\slash \"q\""},
      {std::string("nul\0x", 5), "\x01\x1f\x7f", "\b\f", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "/"}};
  for (const auto& fields : rows) {
    nlohmann::json expected = nlohmann::json::object();
    for (size_t i = 0; i < header.size(); ++i) expected[header[i]] = fields[i];
    std::string actual;
    AppendCsvRowJson(actual, *columns, fields);
    EXPECT_EQ(actual, expected.dump());
  }
}

TEST(EncodingTest, Windows1252ToUtf8) {
  EXPECT_EQ(Windows1252ToUtf8("Zo\xEB"), "Zo\xC3\xAB");              // ë
  EXPECT_EQ(Windows1252ToUtf8("\x80"), "\xE2\x82\xAC");              // €
  EXPECT_EQ(Windows1252ToUtf8("O\x92Neill"), "O\xE2\x80\x99Neill");  // right single quote
  EXPECT_TRUE(IsValidUtf8("Zo\xC3\xAB"));
  EXPECT_FALSE(IsValidUtf8("Zo\xEB"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
}

TEST(MappingTest, RejectsUnknownKeysAndVocabulary) {
  auto bad_key =
      Mapping::FromToml("format='x'\nrecord_class='a'\nlawful_basis='b'\nlocal_id='id'\ncolour='red'\n", "m.toml");
  ASSERT_FALSE(bad_key.ok());
  EXPECT_NE(bad_key.status().message().find("colour"), std::string::npos);
  auto bad_category = Mapping::FromToml(
      "format='x'\nrecord_class='a'\nlawful_basis='b'\nlocal_id='id'\n[event]\nkind={value='referral'}\n"
      "category={value='made_up'}\ndate={column='d'}\n[subject]\nrole={value='child'}\nforename={column='f'}\n",
      "m.toml");
  ASSERT_FALSE(bad_category.ok());
  EXPECT_NE(bad_category.status().message().find("made_up"), std::string::npos);
  auto syntax = Mapping::FromToml("format = \n", "broken.toml");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("broken.toml:1: not valid TOML"), std::string::npos)
      << syntax.status().message();
  EXPECT_TRUE(Mapping::FromFile(kData / "council.toml").ok());
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStore((dir_.path() / "t.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->UpsertAgency({"bcc", "Test council", AgencyKind::kCouncil, "Birmingham"}).ok());
    ASSERT_TRUE(store_->UpsertAgency({"wmp", "Test police", AgencyKind::kPolice, "West Midlands"}).ok());
  }
  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

constexpr char kCouncilCsv[] =
    "Record ID,Event Type,Concern,Event Date,Notes,Person ID,Forename,Surname,DOB,Gender,Postcode,NHS Number,Worker\n"
    "R1,MFC,Missing overnight,03/02/2025,,P1,Amy,Khan,05/06/2011,F,b12 9qt,943 476 5919,W\n"
    "R2,REF,CSE,31/02/2025,,P2,Ben,Ward,01/01/2010,M,B1 1AA,,W\n"
    "R3,REF,CSE,04/02/2025,,P3,Cal,Ng,01/01/2010,M,B1 1AA,9434765918,W\n"
    "R4,\"REF,CSE,04/02/2025,,P4,Dee,Oh,01/01/2010,F,B1 1AA,,W\n"
    "R5,REF,CSE,05/02/2025,\"quoted, note\",P5,Eve,Lee,02/03/2012,F,CV1 1AA,,W\n"
    "R6,XXX,CSE,05/02/2025,,P6,Fay,Ray,02/03/2012,F,CV1 1AA,,W\n";

TEST_F(ImportTest, BadRowsAreQuarantinedAndTheRestLands) {
  auto mapping = Mapping::FromFile(kData / "council.toml");
  ASSERT_TRUE(mapping.ok()) << mapping.status().ToString();
  auto file = dir_.Write("council.csv", kCouncilCsv);
  auto result = ImportFile(*store_, *mapping, "bcc", file, store::Actor{});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->batch.counts.rows_in, 6);
  EXPECT_EQ(result->batch.counts.landed, 2);
  EXPECT_EQ(result->batch.counts.quarantined, 4);
  auto q = store_->ListQuarantine(0);
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 4u);
  EXPECT_EQ((*q)[0].line, 3);
  EXPECT_NE((*q)[0].reason.find("event date is not a valid date"), std::string::npos) << (*q)[0].reason;
  EXPECT_EQ((*q)[1].line, 4);
  EXPECT_NE((*q)[1].reason.find("NHS number is invalid"), std::string::npos) << (*q)[1].reason;
  EXPECT_EQ((*q)[1].value.find("9434765918"), std::string::npos) << "identifying value must be redacted";
  EXPECT_EQ((*q)[2].line, 5);
  EXPECT_NE((*q)[2].reason.find("malformed CSV"), std::string::npos) << (*q)[2].reason;
  EXPECT_EQ((*q)[3].line, 7);
  EXPECT_NE((*q)[3].reason.find("event kind"), std::string::npos) << (*q)[3].reason;

  auto mentions = store_->LoadPersonMentions();
  ASSERT_TRUE(mentions.ok());
  ASSERT_EQ(mentions->size(), 2u);
  EXPECT_EQ((*mentions)[0].mention.postcode, "B12 9QT");
  EXPECT_EQ((*mentions)[0].mention.nhs_number, "9434765919");
  EXPECT_EQ((*mentions)[0].mention.sex, Sex::kFemale);
  EXPECT_EQ((*mentions)[0].mention.dob->ToIso(), "2011-06-05");
}

TEST_F(ImportTest, ReimportIsIdempotentAndCorrectionsAreNewRecords) {
  auto mapping = Mapping::FromFile(kData / "council.toml");
  ASSERT_TRUE(mapping.ok());
  auto file = dir_.Write("council.csv", kCouncilCsv);
  ASSERT_TRUE(ImportFile(*store_, *mapping, "bcc", file, store::Actor{}).ok());
  auto again = ImportFile(*store_, *mapping, "bcc", file, store::Actor{});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_imported);
  // A later extract overlapping the first: R1 unchanged, R5 corrected, R7 new.
  std::string later =
      "Record ID,Event Type,Concern,Event Date,Notes,Person ID,Forename,Surname,DOB,Gender,Postcode,NHS Number,Worker\n"
      "R1,MFC,Missing overnight,03/02/2025,,P1,Amy,Khan,05/06/2011,F,b12 9qt,943 476 5919,W\n"
      "R5,REF,CSE,05/02/2025,corrected,P5,Eve,Lee,02/03/2012,F,CV1 1AA,,W\n"
      "R7,REF,CSE,06/02/2025,,P7,Gus,Poe,02/03/2012,M,CV1 1AA,,W\n";
  auto second = ImportFile(*store_, *mapping, "bcc", dir_.Write("later.csv", later), store::Actor{});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->already_imported);
  EXPECT_EQ(second->batch.counts.unchanged, 1);
  EXPECT_EQ(second->batch.counts.landed, 2);
  auto counts = store_->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->source_records, 4);  // R1, R5, R5 corrected, R7
  auto audit = store_->VerifyAudit();
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->ok) << audit->problem;
  EXPECT_EQ(audit->events, 2);  // two imports; the skipped re-import wrote nothing
}

TEST_F(ImportTest, UnknownCsvColumnIsRefusedBeforeAnythingLands) {
  auto mapping = Mapping::FromFile(kData / "council.toml");
  ASSERT_TRUE(mapping.ok());
  auto file = dir_.Write("extra.csv",
                         "Record ID,Event Type,Concern,Event Date,Notes,Person ID,Forename,Surname,DOB,Gender,Postcode,"
                         "NHS Number,Worker,Shoe Size\nR1,MFC,x,03/02/2025,,P1,A,B,05/06/2011,F,,,W,9\n");
  auto result = ImportFile(*store_, *mapping, "bcc", file, store::Actor{});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("Shoe Size"), std::string::npos);
  EXPECT_EQ(store_->Counts()->batches, 0);
  EXPECT_EQ(store_->Counts()->source_records, 0);
}

TEST_F(ImportTest, JsonLinesWithNestedFieldsAndBadLines) {
  auto mapping = Mapping::FromFile(kData / "police.toml");
  ASSERT_TRUE(mapping.ok()) << mapping.status().ToString();
  std::string content =
      R"({"ref":"W1","type":"sighting","category":"child_with_adult","date":"2025-03-01","officer":"x",)"
      R"("subject":{"given_name":"Amy","family_name":"Khan","dob":"2011-06-05"},)"
      R"("associate":{"given_name":"Zed","family_name":"Moss"},)"
      R"("location":{"name":"Larchfield Lodge","type":"hotel","postcode":"B5 4AA"}})"
      "\n{not json\n"
      R"({"ref":"W3","type":"sighting","category":"child_with_adult","date":"2025-03-01","colour":"red",)"
      R"("subject":{"given_name":"Amy","family_name":"Khan"}})"
      "\n"
      R"({"ref":"W4","type":"sighting","category":"sti","date":"2025-03-01","subject":{"given_name":"Amy"}})"
      "\n";
  auto result = ImportFile(*store_, *mapping, "wmp", dir_.Write("p.jsonl", content), store::Actor{});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->batch.counts.landed, 1);
  EXPECT_EQ(result->batch.counts.quarantined, 3);
  auto q = *store_->ListQuarantine(0);
  EXPECT_NE(q[0].reason.find("not valid JSON"), std::string::npos);
  EXPECT_NE(q[1].reason.find("colour"), std::string::npos);
  EXPECT_NE(q[2].reason.find("not allowed for event kind sighting"), std::string::npos);
  auto events = store_->LoadEvents();
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_TRUE((*events)[0].event.associate_mention_id.has_value());
  EXPECT_TRUE((*events)[0].event.place_mention_id.has_value());
  EXPECT_EQ((*events)[0].associate_role, PersonRole::kPersonOfConcern);
  auto places = *store_->LoadPlaceMentions();
  ASSERT_EQ(places.size(), 1u);
  EXPECT_EQ(places[0].mention.type, PlaceType::kHotel);
}

// An optional time of day (issue 12 item 6): read out of a date-time column, kept with the event; a time that
// does not fit the format quarantines the row with where and why; rows without a time keep a date only.
TEST_F(ImportTest, EventTimeOfDayFromADateTimeColumn) {
  auto mapping = Mapping::FromToml(R"(format = "timed-v1"
file_type = "jsonl"
record_class = "police_intelligence"
lawful_basis = "test"
local_id = "ref"
[event]
kind = { value = "sighting" }
category = { value = "child_with_adult" }
date = { column = "at", format = "%Y-%m-%dT%H:%M:%S", required = true }
time = { column = "at", format = "%Y-%m-%dT%H:%M:%S" }
[subject]
role = { value = "child" }
forename = { column = "name" }
)",
                                   "timed.toml");
  ASSERT_TRUE(mapping.ok()) << mapping.status().ToString();
  const std::string content = R"({"ref":"T1","at":"2025-03-07T22:15:09","name":"Amy"})"
                              "\n"
                              R"({"ref":"T2","at":"2025-03-08T24:10:00","name":"Ben"})"
                              "\n"
                              R"({"ref":"T3","at":"2025-03-09T00:00:00","name":"Cal"})"
                              "\n";
  auto result = ImportFile(*store_, *mapping, "wmp", dir_.Write("t.jsonl", content), store::Actor{});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->batch.counts.landed, 2);
  auto q = *store_->ListQuarantine(0);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].column, "at");
  EXPECT_NE(q[0].reason.find("not a valid"), std::string::npos) << q[0].reason;
  auto events = *store_->LoadEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event.date.ToIso(), "2025-03-07");
  EXPECT_EQ(events[0].event.minute_of_day, 22 * 60 + 15);
  EXPECT_EQ(events[1].event.minute_of_day, 0);

  auto bad = Mapping::FromToml(R"(format = "x"
record_class = "a"
lawful_basis = "b"
local_id = "ref"
[event]
kind = { value = "sighting" }
category = { value = "child_with_adult" }
date = { column = "at" }
time = { column = "at", format = "%Y-%m-%d" }
[subject]
forename = { column = "name" }
)",
                               "bad.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("event.time"), std::string::npos) << bad.status().message();

  // The date-only council mapping gives no time.
  auto council = Mapping::FromFile(kData / "council.toml");
  ASSERT_TRUE(council.ok());
  ASSERT_TRUE(ImportFile(*store_, *council, "bcc", dir_.Write("c.csv", kCouncilCsv), store::Actor{}).ok());
  const auto all = store_->LoadEvents();
  ASSERT_TRUE(all.ok());
  for (const auto& row : *all) {
    if (row.agency_code == "bcc") {
      EXPECT_FALSE(row.event.minute_of_day.has_value());
    }
  }
}

TEST_F(ImportTest, MappingEditedAfterLoadingIsReindexed) {
  auto mapping = Mapping::FromFile(kData / "council.toml");
  ASSERT_TRUE(mapping.ok());
  // Read the forename from the Surname column and vice versa, without calling IndexColumns().
  std::swap(mapping->subject.forename.column, mapping->subject.surname.column);
  std::string content =
      "Record ID,Event Type,Concern,Event Date,Notes,Person ID,Forename,Surname,DOB,Gender,Postcode,NHS Number,Worker\n"
      "R1,MFC,Missing overnight,03/02/2025,,P1,Amy,Khan,05/06/2011,F,,,W\n";
  auto result = ImportFile(*store_, *mapping, "bcc", dir_.Write("swap.csv", content), store::Actor{});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  auto m = *store_->LoadPersonMentions();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].mention.forename, "Khan");
  EXPECT_EQ(m[0].mention.surname, "Amy");
}

TEST_F(ImportTest, Windows1252FileIsConverted) {
  auto mapping = Mapping::FromFile(kData / "council.toml");
  ASSERT_TRUE(mapping.ok());
  std::string content =
      "Record ID,Event Type,Concern,Event Date,Notes,Person ID,Forename,Surname,DOB,Gender,Postcode,NHS "
      "Number,Worker\r\n"
      "R1,MFC,Missing overnight,03/02/2025,,P1,Zo\xEB,O\x92Neill,05/06/2011,F,,,W\r\n";
  auto result = ImportFile(*store_, *mapping, "bcc", dir_.Write("cp.csv", content), store::Actor{});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->batch.counts.landed, 1);
  auto m = *store_->LoadPersonMentions();
  EXPECT_EQ(m[0].mention.forename, "Zo\xC3\xAB");
  EXPECT_EQ(m[0].mention.surname, "O\xE2\x80\x99Neill");
}

// Every kind of bad input tried, and what the analyst sees for it (docs/analyst-guide.md keeps the same table).
constexpr char kWideMapping[] = R"(
format = "bad-input-v1"
record_class = "child_protection"
lawful_basis = "test"
local_id = "id"
[event]
kind = { column = "kind", map = { "MFC" = "missing_episode", "REF" = "referral" } }
category = { column = "cat", map = { "o" = "missing_overnight", "s" = "sti" }, default = "other" }
date = { column = "date", format = "%d/%m/%Y" }
detail = { column = "note", max_length = 100 }
[subject]
role = { value = "child" }
forename = { column = "fn" }
dob = { column = "dob", format = "%d/%m/%Y" }
sex = { column = "sex", map = { "F" = "female", "M" = "male" } }
postcode = { column = "pc" }
nhs_number = { column = "nhs" }
upn = { column = "upn" }
[place]
name = { column = "place" }
type = { column = "ptype", map = { "hotel" = "hotel" } }
postcode = { column = "ppc" }
lat = { column = "lat" }
lon = { column = "lon" }
)";
constexpr char kWideHeader[] = "id,kind,cat,date,note,fn,dob,sex,pc,nhs,upn,place,ptype,ppc,lat,lon\n";

struct BadRow {
  std::string row;
  std::string reason;  // expected in the quarantine reason
};

TEST_F(ImportTest, EveryKindOfBadRowIsQuarantinedWithAPlainReason) {
  auto mapping = Mapping::FromToml(kWideMapping, "wide.toml");
  ASSERT_TRUE(mapping.ok()) << mapping.status().ToString();
  // A valid UPN, and the same with another check letter.
  const char letter = *UpnCheckLetter("801200000011");
  const std::string upn = letter + std::string("801200000011");
  const std::string bad_upn = (letter == 'A' ? 'B' : 'A') + std::string("801200000011");
  const std::string good = "R1,MFC,o,03/02/2025,note,Amy,05/06/2011,F,B12 9QT,9434765919," + upn +
                           ",Lodge,hotel,"
                           "B5 4AA,52.4,-1.9";
  const std::vector<BadRow> cases = {
      {"R1,MFC,o,31/02/2025,,Amy,,,,,,,,,,", "event date is not a valid date in the format %d/%m/%Y"},
      {"R1,MFC,o,2025-02-03,,Amy,,,,,,,,,,", "event date is not a valid date in the format %d/%m/%Y"},
      {"R1,MFC,o,03/02/2025,,Amy,,,,9434765918,,,,,,", "subject NHS number is invalid: "},
      {"R1,MFC,o,03/02/2025,,Amy,,,,12345,,,,,,", "subject NHS number is invalid: "},
      {"R1,MFC,o,03/02/2025,,Amy,,,,," + bad_upn + ",,,,,", "subject UPN is invalid: "},
      {"R1,MFC,o,03/02/2025,,Amy,,,B12 9Q!,,,,,,,", "subject postcode is malformed"},
      {"R1,XXX,o,03/02/2025,,Amy,,,,,,,,,,", "event kind value is not one the mapping knows"},
      {"R1,,o,03/02/2025,,Amy,,,,,,,,,,", "event kind is empty"},
      {"R1,MFC,o,03/02/2025,,Amy,,Q,,,,,,,,", "subject sex value is not one the mapping knows"},
      {"R1,MFC,s,03/02/2025,,Amy,,,,,,,,,,", "category 'sti' is not allowed for event kind missing_episode"},
      {"R1,MFC,o,03/02/2025,,Amy,,,,,,Lodge,castle,,,", "place type value is not one the mapping knows"},
      {"R1,MFC,o,03/02/2025,,Amy,,,,,,Lodge,hotel,B5 4A!,,", "place postcode is malformed"},
      {"R1,MFC,o,03/02/2025,,Amy,,,,,,Lodge,hotel,,91,", "place latitude is not a number between -90 and 90"},
      {"R1,MFC,o,03/02/2025,,Amy,,,,,,Lodge,hotel,,,west", "place longitude is not a number between -180 and 180"},
      {"R1,MFC,o,03/02/2025," + std::string(150, 'x') + ",Amy,,,,,,,,,,", "detail is 150 bytes, over the limit of 100"},
      {"R1,MFC,o,03/02/2025,,Amy" + std::string(200, 'y') + ",,,,,,,,,,",
       "subject forename is 203 bytes, over the limit of 200"},
      {"R1,MFC,o,03/02/2025," + std::string("a\0b", 3) + ",Amy,,,,,,,,,,", "detail contains a NUL character"},
      {"R1,MFC,o,03/02/2025,,Amy,05/06/2026,,,,,,,,,", "subject date of birth is after the event date"},
      {"R1,MFC,o,03/02/2025,,,,,,,,,,,,", "the row describes no subject person"},
      {",MFC,o,03/02/2025,,Amy,,,,,,,,,,", "record id is required but empty"},
      {"R1,MFC,o,03/02/2025,,O\"Neill,,,,,,,,,,", "malformed CSV: a quote inside an unquoted field 6"},
      {"R1,MFC,o,03/02/2025,\"a\"b,Amy,,,,,,,,,,", "malformed CSV: text after a closing quote in field 5"},
      {"R1,MFC,o,03/02/2025,\"never closed,Amy,,,,,,,,,,", "malformed CSV: a quoted field is never closed"},
      {"R1,MFC,o,03/02/2025,,Amy,,,,,,,,,,,extra", "has 17 fields but the header has 16"},
      {"R1,MFC,o,03/02/2025,,Amy", "has 6 fields but the header has 16"},
      {"R1,MFC,o,03/02/2025,,Zo\xEB,,,,,,,,,,", "not valid UTF-8 (if the file comes from Excel"},
  };
  int n = 0;
  for (const BadRow& c : cases) {
    const auto file =
        dir_.Write("bad" + std::to_string(n++) + ".csv", std::string(kWideHeader) + good + "\n" + c.row + "\n");
    auto result = ImportFile(*store_, *mapping, "bcc", file, store::Actor{});
    ASSERT_TRUE(result.ok()) << c.row << ": " << result.status().ToString();
    EXPECT_EQ(result->batch.counts.quarantined, 1) << c.row;
    auto q = store_->ListQuarantine(result->batch.id);
    ASSERT_TRUE(q.ok());
    ASSERT_EQ(q->size(), 1u) << c.row;
    EXPECT_NE((*q)[0].reason.find(c.reason), std::string::npos) << c.row << "\n  got: " << (*q)[0].reason;
    EXPECT_EQ((*q)[0].line, 3) << c.row;
  }
  // Identifying values are shown redacted.
  auto q = *store_->ListQuarantine(0);
  for (const auto& row : q) EXPECT_EQ(row.value.find("9434765918"), std::string::npos);
}

TEST_F(ImportTest, FilesRefusedBeforeAnythingLands) {
  auto mapping = Mapping::FromToml(kWideMapping, "wide.toml");
  ASSERT_TRUE(mapping.ok());
  const std::string row = "R1,MFC,o,03/02/2025,,Amy,,,,,,,,,,\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "the file is empty (no header row)"},
      {"id,kind,cat,date,note,fn,dob,sex,pc,nhs,upn,place,ptype,ppc,lat,lon,kind\n" + row,
       "column 'kind' appears twice"},
      {"id,kind,cat,date,note,fn,dob,sex,pc,nhs,upn,place,ptype,ppc,lat\n" + row,
       "the mapping reads column 'lon' but the header has no such column"},
      {"id,kind,cat,date,note,fn,dob,sex,pc,nhs,upn,place,ptype,ppc,lat,lon,Shoe\n" + row,
       "column 'Shoe' is not in mapping"},
      {"id,kind,cat,date,note,fn,dob,sex,pc,nhs,upn,place,ptype,ppc,lat,lon,Sch\xF6n\n" + row,
       "header is not valid UTF-8"},
      {"id,\"kind,cat\n" + row, "header: a quoted field is never closed"},
  };
  int n = 0;
  for (const auto& [content, reason] : cases) {
    auto result = ImportFile(*store_, *mapping, "bcc", dir_.Write("refused" + std::to_string(n++) + ".csv", content),
                             store::Actor{});
    ASSERT_FALSE(result.ok()) << reason;
    EXPECT_NE(result.status().message().find(reason), std::string::npos) << result.status().message();
  }
  auto unregistered =
      ImportFile(*store_, *mapping, "nobody", dir_.Write("ok.csv", std::string(kWideHeader) + row), store::Actor{});
  ASSERT_FALSE(unregistered.ok());
  EXPECT_NE(unregistered.status().message().find("agency 'nobody' is not registered"), std::string::npos);
  auto missing = ImportFile(*store_, *mapping, "bcc", dir_.path() / "nope.csv", store::Actor{});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no such file"), std::string::npos);
  EXPECT_EQ(store_->Counts()->batches, 0);
  EXPECT_EQ(store_->Counts()->source_records, 0);
}

TEST_F(ImportTest, BadJsonLines) {
  auto mapping = Mapping::FromFile(kData / "police.toml");
  ASSERT_TRUE(mapping.ok());
  const std::string good = R"({"ref":"W1","type":"sighting","category":"child_with_adult","date":"2025-03-01",)"
                           R"("subject":{"given_name":"Amy"}})";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "not valid JSON"},
      {"[1,2,3]", "each line must be a JSON object"},
      {R"("just a string")", "each line must be a JSON object"},
      {R"({"ref":"W2","type":"sighting","date":"2025-03-01","subject":{"given_name":"\ud800"}})", "not valid JSON"},
      {R"({"ref":"W2","type":"sighting","date":"2025-03-01","subject":{"given_name":"Zo)"
       "\xEB"
       R"("}})",
       "not valid UTF-8"},
      {R"({"ref":"W2","type":"sighting","category":"child_with_adult","date":"2025-03-01","colour":"red",)"
       R"("subject":{"given_name":"Amy"}})",
       "field 'colour' is not in mapping"},
      {R"({"ref":"W2","type":"teleport","category":"other","date":"2025-03-01","subject":{"given_name":"Amy"}})",
       "event kind: "},
      {R"({"ref":null,"type":"sighting","category":"child_with_adult","date":"2025-03-01",)"
       R"("subject":{"given_name":"A"}})",
       "record id is required but empty"},
  };
  int n = 0;
  for (const auto& [line, reason] : cases) {
    auto result =
        ImportFile(*store_, *mapping, "wmp",
                   dir_.Write("bad" + std::to_string(n++) + ".jsonl", good + "\n\n" + line + "\n"), store::Actor{});
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->batch.counts.quarantined, 1) << line;
    auto q = *store_->ListQuarantine(result->batch.id);
    ASSERT_EQ(q.size(), 1u) << line;
    EXPECT_NE(q[0].reason.find(reason), std::string::npos) << line << "\n  got: " << q[0].reason;
    EXPECT_EQ(q[0].line, 3) << line;  // blank lines count
  }
  // A number where text is expected is read as its text.
  auto numeric = ImportFile(*store_, *mapping, "wmp",
                            dir_.Write("numeric.jsonl", R"({"ref":12,"type":"sighting","category":"child_with_adult",)"
                                                        R"("date":"2025-03-02","subject":{"given_name":"Amy"}})"
                                                        "\n"),
                            store::Actor{});
  ASSERT_TRUE(numeric.ok());
  EXPECT_EQ(numeric->batch.counts.landed, 1);
}

}  // namespace ingest_test
}  // namespace riskradar::ingest
