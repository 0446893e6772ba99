// Ingest: readers, mapping checks, validation, quarantine and idempotent batches.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "riskradar/ingest/importer.h"
#include "riskradar/ingest/mapping.h"
#include "riskradar/ingest/readers.h"
#include "riskradar/store/store.h"

namespace riskradar::ingest {
namespace {

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
  auto file = dir.Write("a.csv", "\xEF\xBB\xBF" "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,\"two\r\nlines\",z\r\n");
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

TEST(EncodingTest, Windows1252ToUtf8) {
  EXPECT_EQ(Windows1252ToUtf8("Zo\xEB"), "Zo\xC3\xAB");         // ë
  EXPECT_EQ(Windows1252ToUtf8("\x80"), "\xE2\x82\xAC");          // €
  EXPECT_EQ(Windows1252ToUtf8("O\x92Neill"), "O\xE2\x80\x99Neill");  // right single quote
  EXPECT_TRUE(IsValidUtf8("Zo\xC3\xAB"));
  EXPECT_FALSE(IsValidUtf8("Zo\xEB"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));  // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
}

TEST(MappingTest, RejectsUnknownKeysAndVocabulary) {
  auto bad_key = Mapping::FromToml("format='x'\nrecord_class='a'\nlawful_basis='b'\nlocal_id='id'\ncolour='red'\n", "m.toml");
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
  EXPECT_NE(syntax.status().message().find("broken.toml"), std::string::npos);
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

TEST_F(ImportTest, Windows1252FileIsConverted) {
  auto mapping = Mapping::FromFile(kData / "council.toml");
  ASSERT_TRUE(mapping.ok());
  std::string content =
      "Record ID,Event Type,Concern,Event Date,Notes,Person ID,Forename,Surname,DOB,Gender,Postcode,NHS Number,Worker\r\n"
      "R1,MFC,Missing overnight,03/02/2025,,P1,Zo\xEB,O\x92Neill,05/06/2011,F,,,W\r\n";
  auto result = ImportFile(*store_, *mapping, "bcc", dir_.Write("cp.csv", content), store::Actor{});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->batch.counts.landed, 1);
  auto m = *store_->LoadPersonMentions();
  EXPECT_EQ(m[0].mention.forename, "Zo\xC3\xAB");
  EXPECT_EQ(m[0].mention.surname, "O\xE2\x80\x99Neill");
}

}  // namespace
}  // namespace riskradar::ingest
