// Event linkage kernel (linkage/events.h): which source records become one event, the reasons, the rule's
// strict loading, determinism, and the merge report.
#include "riskradar/linkage/events.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace riskradar::linkage {
namespace event_linkage_test {

const std::filesystem::path kSourceDir = RISKRADAR_SOURCE_DIR;

Date Day(int d) { return Date::FromYmd(2025, 3, 1)->AddDays(d); }

EventRecord Missing(int64_t id, const std::string& agency, int day, const std::string& category = "missing_overnight",
                    int64_t subject = 7, int64_t place = 0) {
  return {id,       agency,   subject, EventKind::kMissingEpisode,
          category, Day(day), place,   agency == "wmp" ? "police" : "council"};
}

EventLinkRules Rules(int window = 2) {
  EventLinkRules rules;
  rules.version = "test";
  EventKindRule rule;
  rule.kind = EventKind::kMissingEpisode;
  rule.window_days = window;
  rules.kinds.push_back(rule);
  return rules;
}

TEST(EventLinkage, PoliceAndCouncilRecordsOfOneEpisodeBecomeOneEventWithAReason) {
  std::vector<EventRecord> records = {Missing(10, "wmp", 0), Missing(11, "cs-bham", 1)};
  EventResolution r = ResolveEvents(records, Rules());
  EXPECT_EQ(r.resolved, (std::vector<int64_t>{10, 10}));
  EXPECT_EQ(r.resolved_events, 1);
  ASSERT_EQ(r.merges.size(), 1u);
  EXPECT_EQ(r.merges[0].event_id, 11);
  EXPECT_EQ(r.merges[0].resolved_event_id, 10);
  EXPECT_EQ(r.merges[0].joined_with, 10);
  EXPECT_EQ(r.merges[0].reason,
            "same event as event 10 (wmp missing_overnight 2025-03-01): same child, missing_episode same category, "
            "1 day apart (window 2 days), no place named");
}

TEST(EventLinkage, EachConditionOfTheRuleKeepsRecordsApart) {
  const EventLinkRules rules = Rules();
  auto events = [&](std::vector<EventRecord> records) { return ResolveEvents(records, rules).resolved_events; };
  EXPECT_EQ(events({Missing(1, "wmp", 0), Missing(2, "cs", 3)}), 2) << "outside the window";
  EXPECT_EQ(events({Missing(1, "wmp", 0), Missing(2, "cs", 2)}), 1) << "at the window's edge";
  EXPECT_EQ(events({Missing(1, "wmp", 0), Missing(2, "cs", 0, "missing_day")}), 2) << "incompatible categories";
  EXPECT_EQ(events({Missing(1, "wmp", 0), Missing(2, "cs", 0, "missing_overnight", 8)}), 2) << "another child";
  EXPECT_EQ(events({Missing(1, "wmp", 0), Missing(2, "cs", 0, "missing_overnight", 0)}), 2) << "unresolved child";
  EXPECT_EQ(
      events({Missing(1, "wmp", 0, "missing_overnight", 7, 100), Missing(2, "cs", 0, "missing_overnight", 7, 101)}), 2)
      << "different places";
  EXPECT_EQ(events({Missing(1, "wmp", 0, "missing_overnight", 7, 100), Missing(2, "cs", 0)}), 1)
      << "a place named by one record only";
  EXPECT_EQ(events({Missing(1, "wmp", 0), Missing(2, "wmp", 1)}), 2) << "one agency's two records are two events";
  EventRecord referral = Missing(2, "cs", 0);
  referral.kind = EventKind::kReferral;
  referral.category = "other";
  EXPECT_EQ(events({Missing(1, "wmp", 0), referral}), 2) << "different kinds";
  std::vector<EventRecord> referrals = {referral, referral};
  referrals[0].id = 1;
  referrals[0].agency = "wmp";
  EXPECT_EQ(events(referrals), 2) << "a kind without a rule never merges";
}

TEST(EventLinkage, CompatibleCategoriesAndSameAgencyAreConfigurable) {
  EventLinkRules rules = Rules();
  rules.kinds[0].compatible = {{"missing_overnight", "missing_day"}};
  rules.merge_same_agency = true;
  std::vector<EventRecord> records = {Missing(1, "wmp", 0), Missing(2, "wmp", 1, "missing_day")};
  EventResolution r = ResolveEvents(records, rules);
  EXPECT_EQ(r.resolved_events, 1);
  ASSERT_EQ(r.merges.size(), 1u);
  EXPECT_NE(r.merges[0].reason.find("compatible categories"), std::string::npos) << r.merges[0].reason;
}

TEST(EventLinkage, ClosestDatesPairFirstAndAnEventIsNeverAChain) {
  // Police records episodes on days 0 and 2; the council records them on days 1 and 3. Closest first pairs
  // (0,1) and (2,3), never (1,2), and no event spans more than the window.
  std::vector<EventRecord> records = {Missing(1, "wmp", 0), Missing(2, "wmp", 2), Missing(3, "cs", 1),
                                      Missing(4, "cs", 3)};
  EventResolution r = ResolveEvents(records, Rules());
  EXPECT_EQ(r.resolved, (std::vector<int64_t>{1, 2, 1, 2}));
  // Three agencies on days 0, 2 and 4: 0-2 and 2-4 are each within the window, but all three span 4 days.
  std::vector<EventRecord> chain = {Missing(1, "wmp", 0), Missing(2, "cs", 2), Missing(3, "nhs", 4)};
  EventResolution c = ResolveEvents(chain, Rules());
  EXPECT_EQ(c.resolved_events, 2);
  // Three agencies the same day: one event with two merges, each with its reason.
  std::vector<EventRecord> three = {Missing(5, "wmp", 0), Missing(6, "cs", 0), Missing(7, "nhs", 1)};
  EventResolution t = ResolveEvents(three, Rules());
  EXPECT_EQ(t.resolved, (std::vector<int64_t>{5, 5, 5}));
  ASSERT_EQ(t.merges.size(), 2u);
  EXPECT_EQ(t.merges[0].event_id, 6);
  EXPECT_EQ(t.merges[1].event_id, 7);
}

TEST(EventLinkage, AnAgencyKindReportedFirstIsNeverDatedAfterTheOthers) {
  EventLinkRules rules = Rules();
  rules.kinds[0].reported_first = "police";
  auto events = [&](std::vector<EventRecord> records) { return ResolveEvents(records, rules).resolved_events; };
  EXPECT_EQ(events({Missing(1, "wmp", 0), Missing(2, "cs", 2)}), 1) << "police first, council two days later";
  EXPECT_EQ(events({Missing(1, "wmp", 1), Missing(2, "cs", 1)}), 1) << "the same day";
  EXPECT_EQ(events({Missing(1, "wmp", 1), Missing(2, "cs", 0)}), 2) << "council before police: two episodes";
  EXPECT_EQ(events({Missing(1, "cs", 1), Missing(2, "nhs", 0)}), 1) << "neither is police: any order";
}

TEST(EventLinkage, DeterministicWhateverTheInputOrder) {
  std::vector<EventRecord> records;
  std::mt19937 rng(5);
  for (int i = 0; i < 300; ++i) {
    records.push_back(Missing(i + 1,
                              i % 3 == 0   ? "wmp"
                              : i % 3 == 1 ? "cs"
                                           : "nhs",
                              static_cast<int>(rng() % 60), rng() % 2 ? "missing_day" : "missing_overnight",
                              1 + static_cast<int64_t>(rng() % 5)));
  }
  auto by_id = [](const std::vector<EventRecord>& rs, const EventResolution& r) {
    std::map<int64_t, int64_t> out;
    for (size_t i = 0; i < rs.size(); ++i) out[rs[i].id] = r.resolved[i];
    return out;
  };
  const EventResolution first = ResolveEvents(records, Rules());
  std::vector<EventRecord> shuffled = records;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  const EventResolution second = ResolveEvents(shuffled, Rules());
  EXPECT_EQ(by_id(records, first), by_id(shuffled, second));
  EXPECT_EQ(first.resolved_events, second.resolved_events);
  EXPECT_LT(first.resolved_events, 300);
  ASSERT_EQ(first.merges.size(), second.merges.size());
  for (size_t i = 0; i < first.merges.size(); ++i) EXPECT_EQ(first.merges[i].reason, second.merges[i].reason);
  EXPECT_EQ(static_cast<int64_t>(first.merges.size()), 300 - first.resolved_events);
}

TEST(EventLinkage, MergeReportCountsPerKindAndAgencyPair) {
  std::vector<EventRecord> records = {Missing(1, "wmp", 0), Missing(2, "cs", 1),   Missing(3, "wmp", 10),
                                      Missing(4, "cs", 10), Missing(5, "wmp", 20), Missing(6, "nhs", 20)};
  const EventMergeReport report = SummariseMerges(records, ResolveEvents(records, Rules()));
  EXPECT_EQ(report.source_records, 6);
  EXPECT_EQ(report.resolved_events, 3);
  EXPECT_EQ(report.merged(), 3);
  EXPECT_EQ(report.merged_by_kind, (std::map<std::string, int64_t>{{"missing_episode", 3}}));
  using Pair = std::pair<std::string, std::string>;
  EXPECT_EQ(report.merged_by_agency_pair, (std::map<Pair, int64_t>{{{"cs", "wmp"}, 2}, {{"nhs", "wmp"}, 1}}));
  EXPECT_EQ(RenderMergeReport(report),
            "6 source event records -> 3 events (3 merged: missing_episode 3; by agency pair: cs+wmp 2, nhs+wmp 1)");
}

TEST(EventLinkageRules, TheConfiguredRuleLoads) {
  auto rules = EventLinkRules::FromFile(kSourceDir / "config" / "linkage" / "events.toml");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_FALSE(rules->merge_same_agency);
  const EventKindRule* missing = rules->For(EventKind::kMissingEpisode);
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->window_days, 2);
  EXPECT_EQ(rules->For(EventKind::kReferral), nullptr);
}

TEST(EventLinkageRules, MistakesAreErrorsNamingWhereAndWhy) {
  auto error = [](const std::string& text) {
    auto r = EventLinkRules::FromToml(text, "events.toml");
    return r.ok() ? std::string("ok") : r.status().message();
  };
  EXPECT_EQ(error("version = \"v\"\nwindow = 2\n"),
            "events.toml:2: window: unknown key (expected one of: version, merge_same_agency, kind)");
  EXPECT_EQ(error("[[kind]]\nkind = \"missing_episode\"\nwindow_days = 1\n"),
            "events.toml:1: version: a non-empty string is required");
  EXPECT_NE(error("version = \"v\"\n[[kind]]\nkind = \"lost\"\nwindow_days = 1\n").find("events.toml:3: kind[0].kind"),
            std::string::npos);
  EXPECT_EQ(error("version = \"v\"\n[[kind]]\nkind = \"missing_episode\"\nwindow_days = -1\n"),
            "events.toml:4: kind[0].window_days: must be from 0 to 366, got -1");
  EXPECT_NE(error("version = \"v\"\n[[kind]]\nkind = \"missing_episode\"\nwindow_days = 1\ncompatible = "
                  "[[\"missing_day\", \"sti\"]]\n")
                .find("unknown category 'sti' for kind 'missing_episode'"),
            std::string::npos);
  EXPECT_EQ(error("version = \"v\"\n[[kind]]\nkind = \"missing_episode\"\nwindow_days = 1\n[[kind]]\nkind = "
                  "\"missing_episode\"\nwindow_days = 2\n"),
            "events.toml:6: kind[1].kind: 'missing_episode' is listed twice");
  EXPECT_EQ(error("version = \"v\"\n"), "ok");
}

}  // namespace event_linkage_test
}  // namespace riskradar::linkage
