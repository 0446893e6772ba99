// The quarantine round trip at the library level (issue 18 item 7): bad rows exported in the agency's own format
// load through the same mapping once fixed, and the rows that land resolve their quarantined versions; and the
// mapping-safety pieces of item 8 that need no CLI (dry run, mapping names).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "riskradar/ingest/importer.h"
#include "riskradar/ingest/mapping.h"
#include "riskradar/ingest/quarantine_export.h"
#include "riskradar/ingest/readers.h"
#include "riskradar/store/store.h"

namespace riskradar::ingest {
namespace quarantine_round_trip_test {

namespace fs = std::filesystem;

const fs::path kData = fs::path(RISKRADAR_SOURCE_DIR) / "tests/ingest/data";

class QuarantineRoundTripTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rr-qrt-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(dir_);
    auto s = store::OpenStore((dir_ / "t.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->UpsertAgency({"bcc", "Test council", AgencyKind::kCouncil, "Birmingham"}).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return dir_ / name;
  }
  static std::string Replace(std::string text, const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  }

  static inline int counter_ = 0;
  fs::path dir_;
  std::unique_ptr<store::Store> store_;
};

// The columns in a deliberately unsorted order: the export keeps the file's order, not the stored JSON's.
constexpr char kHeader[] =
    "Record ID,Event Type,Concern,Event Date,Notes,Person ID,Forename,Surname,DOB,Gender,Postcode,NHS Number,Worker";
constexpr char kRows[] =
    "R1,MFC,Missing overnight,03/02/2025,,P1,Amy,Khan,05/06/2011,F,b12 9qt,943 476 5919,W\n"
    "R2,REF,CSE,31/02/2025,\"seen, then left\",P2,Ben,Ward,01/01/2010,M,B1 1AA,,W\n"
    "R3,REF,CSE,04/02/2025,,P3,Cal,Ng,01/01/2010,M,B1 1AA,9434765918,W\n"
    "R4,REF,CSE,04/02/2025,,P4,Dee,Oh,01/01/2010,F,B1 1AA,,W,extra\n"
    "R6,XXX,CSE,05/02/2025,,P6,Fay,Ray,02/03/2012,F,CV1 1AA,,W\n";

TEST_F(QuarantineRoundTripTest, ExportedRowsLoadThroughTheSameMappingAndResolveTheirQuarantine) {
  auto mapping = Mapping::FromFile(kData / "council.toml");
  ASSERT_TRUE(mapping.ok()) << mapping.status().ToString();
  auto first = ImportFile(*store_, *mapping, "bcc", Write("x.csv", std::string(kHeader) + "\n" + kRows), {});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->batch.counts.quarantined, 4);
  auto rows = store_->ListQuarantine(first->batch.id);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 4u);
  // The local record id is kept where the row could be read that far (not for a row with a wrong field count).
  EXPECT_EQ((*rows)[0].local_id, "R2");
  EXPECT_EQ((*rows)[1].local_id, "R3");
  EXPECT_EQ((*rows)[2].local_id, "");
  EXPECT_EQ((*rows)[3].local_id, "R6");
  for (const auto& r : *rows) EXPECT_TRUE(r.open());

  auto batch = store_->FindBatch(first->batch.id);
  ASSERT_TRUE(batch.ok() && batch->has_value());
  auto exported = RenderQuarantineExport(**batch, *rows);
  ASSERT_TRUE(exported.ok()) << exported.status().ToString();
  EXPECT_EQ(exported->file_type, "csv");
  EXPECT_EQ(exported->rows, 4);
  // Same header in the same order; fields quoted where the source needed it; the refused-whole row as received.
  EXPECT_EQ(exported->data, std::string(kHeader) + "\n" +
                                "R2,REF,CSE,31/02/2025,\"seen, then left\",P2,Ben,Ward,01/01/2010,M,B1 1AA,,W\n"
                                "R3,REF,CSE,04/02/2025,,P3,Cal,Ng,01/01/2010,M,B1 1AA,9434765918,W\n"
                                "R4,REF,CSE,04/02/2025,,P4,Dee,Oh,01/01/2010,F,B1 1AA,,W,extra\n"
                                "R6,XXX,CSE,05/02/2025,,P6,Fay,Ray,02/03/2012,F,CV1 1AA,,W\n");
  // The reason file: the line in the exported file, the column and the reason, then where it came from.
  EXPECT_EQ(exported->reasons.rfind("line,column,reason,source_line,quarantine_id\n", 0), 0u) << exported->reasons;
  EXPECT_NE(exported->reasons.find("\n2,Event Date,"), std::string::npos) << exported->reasons;
  EXPECT_NE(exported->reasons.find("event date is not a valid date"), std::string::npos) << exported->reasons;
  EXPECT_NE(exported->reasons.find("\n3,NHS Number,"), std::string::npos) << exported->reasons;
  EXPECT_NE(exported->reasons.find(",5," + std::to_string((*rows)[2].id) + "\n"), std::string::npos)
      << exported->reasons;
  EXPECT_EQ(std::count(exported->reasons.begin(), exported->reasons.end(), '\n'), 5);

  // The analyst fixes three rows in the exported file and loads it through the same mapping.
  std::string fixed = exported->data;
  fixed = Replace(fixed, "31/02/2025", "28/02/2025");
  fixed = Replace(fixed, "9434765918", "9434765919");
  fixed = Replace(fixed, "R6,XXX", "R6,REF");
  auto second = ImportFile(*store_, *mapping, "bcc", Write("fixed.csv", fixed), store::Actor{"cli:ana", "", "", ""});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->batch.counts.landed, 3);
  EXPECT_EQ(second->batch.counts.quarantined, 1);  // R4 still has a field too many
  EXPECT_EQ(second->batch.resolved, 3);
  auto after = store_->ListQuarantine(0);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 5u);
  int open = 0;
  for (const auto& r : *after) {
    if (r.open()) {
      ++open;
      continue;
    }
    EXPECT_EQ(r.resolved_batch_id, second->batch.id);
    EXPECT_EQ(r.resolved_by, "cli:ana");
    EXPECT_NE(r.resolution.find("landed in batch " + std::to_string(second->batch.id)), std::string::npos);
  }
  EXPECT_EQ(open, 2);  // R4 in both batches: no local id to match, resolved by hand
  // Resolving is recorded in the import's own audit event.
  auto audit = store_->VerifyAudit();
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->ok) << audit->problem;
}

TEST_F(QuarantineRoundTripTest, ResolutionNeedsTheSameAgencyAndFormat) {
  auto mapping = Mapping::FromFile(kData / "council.toml");
  ASSERT_TRUE(mapping.ok());
  ASSERT_TRUE(store_->UpsertAgency({"wlv", "Other council", AgencyKind::kCouncil, "Wolverhampton"}).ok());
  const std::string bad = std::string(kHeader) + "\nR2,REF,CSE,31/02/2025,,P2,Ben,Ward,01/01/2010,M,B1 1AA,,W\n";
  const std::string good = std::string(kHeader) + "\nR2,REF,CSE,28/02/2025,,P2,Ben,Ward,01/01/2010,M,B1 1AA,,W\n";
  ASSERT_TRUE(ImportFile(*store_, *mapping, "bcc", Write("bad.csv", bad), {}).ok());
  // The same record id from another agency resolves nothing; from the same agency under another format neither.
  auto other_agency = ImportFile(*store_, *mapping, "wlv", Write("good.csv", good), {});
  ASSERT_TRUE(other_agency.ok());
  EXPECT_EQ(other_agency->batch.resolved, 0);
  Mapping renamed = *mapping;
  renamed.format = "test-council-v2";
  std::string crlf = good;  // the same rows, another file
  crlf.replace(crlf.find('\n'), 1, "\r\n");
  auto other_format = ImportFile(*store_, renamed, "bcc", Write("good2.csv", crlf), {});
  ASSERT_TRUE(other_format.ok());
  EXPECT_EQ(other_format->batch.resolved, 0);
  auto same = ImportFile(*store_, *mapping, "bcc", Write("good3.csv", "\xEF\xBB\xBF" + good), {});
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->batch.resolved, 1);
  EXPECT_EQ(same->batch.counts.unchanged, 1);  // landed before under v2: an unchanged row resolves it too
}

TEST_F(QuarantineRoundTripTest, Windows1252SourceIsExportedInWindows1252) {
  auto mapping = Mapping::FromFile(kData / "council.toml");
  ASSERT_TRUE(mapping.ok());
  mapping->encoding = Encoding::kWindows1252;
  const std::string source =
      std::string(kHeader) + "\r\nR9,REF,CSE,31/02/2025,,P9,Zo\xEB,O\x92Neill,05/06/2011,F,,,W\r\n";
  auto first = ImportFile(*store_, *mapping, "bcc", Write("cp.csv", source), {});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->batch.counts.quarantined, 1);
  auto batch = store_->FindBatch(first->batch.id);
  auto rows = store_->ListQuarantine(first->batch.id);
  ASSERT_TRUE(batch.ok() && rows.ok());
  auto exported = RenderQuarantineExport(**batch, *rows);
  ASSERT_TRUE(exported.ok()) << exported.status().ToString();
  EXPECT_NE(exported->data.find("Zo\xEB,O\x92Neill"), std::string::npos) << "bytes as in the source, not UTF-8";
  // Fixed and loaded back through the same (Windows-1252) mapping, the names arrive as they were meant.
  std::string fixed = exported->data;
  fixed.replace(fixed.find("31/02/2025"), 10, "28/02/2025");
  auto second = ImportFile(*store_, *mapping, "bcc", Write("cp-fixed.csv", fixed), {});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->batch.counts.landed, 1);
  EXPECT_EQ(second->batch.resolved, 1);
  auto mentions = store_->LoadPersonMentions();
  ASSERT_TRUE(mentions.ok());
  ASSERT_EQ(mentions->size(), 1u);
  EXPECT_EQ((*mentions)[0].mention.surname, "O\xE2\x80\x99Neill");

  EXPECT_EQ(Utf8ToWindows1252("Zo\xC3\xAB \xE2\x82\xAC"), std::optional<std::string>("Zo\xEB \x80"));
  EXPECT_EQ(Utf8ToWindows1252("\xE2\x9C\x93"), std::nullopt) << "a check mark has no Windows-1252 byte";
}

TEST_F(QuarantineRoundTripTest, JsonLinesRowsAreExportedAsTheirLines) {
  auto mapping = Mapping::FromFile(kData / "police.toml");
  ASSERT_TRUE(mapping.ok()) << mapping.status().ToString();
  ASSERT_TRUE(store_->UpsertAgency({"wmp", "Test police", AgencyKind::kPolice, "West Midlands"}).ok());
  const std::string bad_line = "{\"not\": \"closed\"";
  auto r = ImportFile(*store_, *mapping, "wmp", Write("p.jsonl", bad_line + "\n"), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto batch = store_->FindBatch(r->batch.id);
  auto rows = store_->ListQuarantine(r->batch.id);
  ASSERT_TRUE(batch.ok() && rows.ok());
  auto exported = RenderQuarantineExport(**batch, *rows);
  ASSERT_TRUE(exported.ok());
  EXPECT_EQ(exported->file_type, "jsonl");
  EXPECT_EQ(exported->data, bad_line + "\n");
  EXPECT_EQ(exported->reasons.substr(exported->reasons.find('\n') + 1, 2), "1,");
}

TEST_F(QuarantineRoundTripTest, DryRunWritesNothingAndReportsWhatWouldHappen) {
  auto mapping = Mapping::FromFile(kData / "council.toml");
  ASSERT_TRUE(mapping.ok());
  const fs::path file = Write("x.csv", std::string(kHeader) + "\n" + kRows);
  auto before = store_->Counts();
  ASSERT_TRUE(before.ok());
  auto dry = DryRunImport(store_.get(), *mapping, "bcc", file);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_FALSE(dry->already_imported);
  EXPECT_EQ(dry->counts.rows_in, 5);
  EXPECT_EQ(dry->counts.landed, 1);
  EXPECT_EQ(dry->counts.quarantined, 4);
  ASSERT_EQ(dry->quarantined.size(), 4u);
  EXPECT_EQ(dry->quarantined[0].line, 3);
  EXPECT_EQ(dry->quarantined[0].column, "Event Date");
  EXPECT_TRUE(dry->quarantined[0].raw.empty()) << "a dry run keeps no row";
  auto after = store_->Counts();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->batches, before->batches);
  EXPECT_EQ(after->source_records, 0);
  EXPECT_EQ(after->quarantined, 0);
  EXPECT_EQ(after->audit_events, before->audit_events);
  // Once imported, a dry run of the same file says so.
  ASSERT_TRUE(ImportFile(*store_, *mapping, "bcc", file, {}).ok());
  auto again = DryRunImport(store_.get(), *mapping, "bcc", file);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(again->already_imported.has_value());
  // And a file the real import refuses is refused by the dry run alike.
  auto refused = DryRunImport(nullptr, *mapping, "bcc", Write("y.csv", "Shoe Size\n9\n"));
  EXPECT_FALSE(refused.ok());
}

TEST(MappingNameTest, ANameIsAShippedMappingAndAPathIsAFile) {
  const fs::path shipped = fs::path(RISKRADAR_SOURCE_DIR) / "config/mappings";
  auto by_name = ResolveMappingArgument("police-intelligence", shipped);
  ASSERT_TRUE(by_name.ok()) << by_name.status().ToString();
  EXPECT_EQ(*by_name, shipped / "police-intelligence.toml");
  EXPECT_TRUE(Mapping::FromFile(*by_name).ok());
  // Anything with a slash or ending in .toml is a path, used as given (even if a shipped name matches).
  EXPECT_EQ(*ResolveMappingArgument("./police-intelligence", shipped), fs::path("./police-intelligence"));
  EXPECT_EQ(*ResolveMappingArgument("police-intelligence.toml", shipped), fs::path("police-intelligence.toml"));
  EXPECT_EQ(*ResolveMappingArgument("/etc/x/m.toml", shipped), fs::path("/etc/x/m.toml"));
  auto unknown = ResolveMappingArgument("police-inteligence", shipped);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("police-intelligence"), std::string::npos)
      << "the shipped names are listed: " << unknown.status().message();
  EXPECT_FALSE(ResolveMappingArgument("", shipped).ok());
}

}  // namespace quarantine_round_trip_test
}  // namespace riskradar::ingest
