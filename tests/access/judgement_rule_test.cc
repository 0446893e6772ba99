// The access layer's pure judgement rules (access/judgement.h), alone and as tables: a screening's observations,
// a note's text and subject, and who sees a case note.
#include <gtest/gtest.h>

#include "riskradar/access/judgement.h"
#include "riskradar/risk/screening.h"

namespace riskradar::access {
namespace judgement_rule_test {

const risk::ScreeningModel& Model() {
  static const risk::ScreeningModel model = *risk::ScreeningModel::Default();
  return model;
}

Date D(const char* iso) { return *Date::ParseIso(iso); }

TEST(JudgementRuleTest, ObservationsAreCheckedFieldByField) {
  const Date today = D("2026-03-01");
  const store::ScreeningObservation good{"disclosure", D("2026-02-28"), "school nurse"};
  struct Case {
    const char* name;
    std::vector<store::ScreeningObservation> observations;
    const char* expect;  // "" for OK, else the start of the message
  } cases[] = {
      {"one good", {good}, ""},
      {"today", {{"repeat_missing", today, "parent"}}, ""},
      {"a year ago", {{"repeat_missing", D("2025-03-01"), "parent"}}, ""},
      {"none", {}, "observations: give 1 to 50"},
      {"too many", std::vector<store::ScreeningObservation>(51, good), "observations: give 1 to 50"},
      {"unknown code", {good, {"Disclosure", today, "x"}}, "observations[1].indicator: 'Disclosure' is not"},
      {"tomorrow", {{"disclosure", D("2026-03-02"), "x"}}, "observations[0].date: 2026-03-02 is after today"},
      {"too old", {{"disclosure", D("2025-02-27"), "x"}}, "observations[0].date: 2025-02-27 is more than a year"},
      {"blank source", {{"disclosure", today, " \t"}}, "observations[0].source:"},
      {"long source", {{"disclosure", today, std::string(201, 's')}}, "observations[0].source:"},
      {"newline in source", {{"disclosure", today, "school\nnurse"}}, "observations[0].source:"},
  };
  for (const Case& c : cases) {
    const Status st = CheckObservations(c.observations, Model(), today);
    if (std::string(c.expect).empty()) {
      EXPECT_TRUE(st.ok()) << c.name << ": " << st.ToString();
    } else {
      EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << c.name;
      EXPECT_EQ(st.message().rfind(c.expect, 0), 0u) << c.name << ": " << st.message();
    }
  }
}

TEST(JudgementRuleTest, NoteTextAndSubject) {
  EXPECT_TRUE(CheckNoteText("Seen at home.\n\tWell.").ok());
  EXPECT_TRUE(CheckNoteText(std::string(4000, 'x')).ok());
  for (const std::string& bad :
       {std::string(), std::string(" \n "), std::string(4001, 'x'), std::string("a\x1b[2Jb")}) {
    const Status st = CheckNoteText(bad);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << bad.size();
    EXPECT_EQ(st.message().rfind("text:", 0), 0u) << st.message();
  }
  for (const char* kind : {"child", "person", "place"}) EXPECT_TRUE(CheckNoteSubjectKind(kind).ok()) << kind;
  EXPECT_EQ(CheckNoteSubjectKind("network").message().rfind("subject:", 0), 0u);
}

TEST(JudgementRuleTest, ACaseNoteIsARecordOfItsAgency) {
  const store::CaseNote note{1, "child", 7, "ann", "bcc", "text", ""};
  const Viewer bcc{1, "b", "bcc", Role::kPractitioner}, wmp{2, "w", "wmp", Role::kPractitioner},
      ig{3, "i", "bcc", Role::kIgLead}, analyst{4, "a", "bcc", Role::kAnalyst};
  ChildAccessFacts none, related_all, related_class, related_other, agreement_only, glass;
  related_all.relationship = related_class.relationship = related_other.relationship = true;
  related_all.agreements = {{"bcc", "*"}};
  related_class.agreements = {{"bcc", "case_note"}};
  related_other.agreements = {{"bcc", "child_protection"}};
  agreement_only.agreements = {{"bcc", "*"}};
  glass.break_glass = true;
  struct Case {
    const char* name;
    Viewer viewer;
    ChildAccessFacts facts;
    bool visible;
  } cases[] = {{"own agency", bcc, none, true},
               {"own agency analyst", analyst, none, true},
               {"IG lead never", ig, related_all, false},
               {"other agency, nothing", wmp, none, false},
               {"agreement for everything and relationship", wmp, related_all, true},
               {"agreement for case notes and relationship", wmp, related_class, true},
               {"agreement for another class", wmp, related_other, false},
               {"agreement without relationship", wmp, agreement_only, false},
               {"break-glass", wmp, glass, true}};
  for (const Case& c : cases) EXPECT_EQ(CaseNoteVisible(note, c.viewer, c.facts), c.visible) << c.name;
}

}  // namespace judgement_rule_test
}  // namespace riskradar::access
