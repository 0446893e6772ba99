// Event linkage (issue 12 item 1): records of the same real-world event sent by different agencies (one missing
// episode recorded by the police and by children's services) resolve into one event that keeps every source
// record as evidence, so indicators count events, not records. A pure kernel (ResolveEvents) configured by a
// TOML rule (config/linkage/events.toml) and explained like person links: a reason for every merge.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "riskradar/core/date.h"
#include "riskradar/core/domain.h"
#include "riskradar/core/status.h"

namespace riskradar::linkage {

// One source event as the kernel sees it: already joined to the resolved child (subject) and place.
struct EventRecord {
  int64_t id = 0;
  std::string agency;
  int64_t subject = 0;  // resolved person; 0 (not resolved) never merges
  EventKind kind = EventKind::kReferral;
  std::string category;
  Date date;
  int64_t place = 0;        // resolved place; 0 when the record names none
  std::string agency_kind;  // the agency's kind (core/domain.h AgencyKind: police, council, ...)
};

// How records of one kind merge. Kinds without a rule never merge.
struct EventKindRule {
  EventKind kind = EventKind::kMissingEpisode;
  int window_days = 0;  // every record of one event lies within this many days of every other
  // Categories in one group are compatible; a category in no group is compatible only with itself.
  std::vector<std::vector<std::string>> compatible;
  bool places_must_agree = true;  // when both records name a place, it must be the same resolved place
  // An agency kind whose record of an event comes first (police: a child is reported missing to the police,
  // children's services record the episode on return): its record is never dated after another kind's
  // record of the same event. Empty: any order.
  std::string reported_first;
  bool CategoriesCompatible(std::string_view a, std::string_view b) const;
  // Whether two records of this kind may be one event as far as their order goes.
  bool OrderAllows(const EventRecord& a, const EventRecord& b) const;
};

struct EventLinkRules {
  std::string version;
  // An agency's own system gives one event one record; two records of one agency are two events (a child
  // missing on two days running), so by default an event holds at most one record per agency.
  bool merge_same_agency = false;
  std::vector<EventKindRule> kinds;

  const EventKindRule* For(EventKind kind) const;
  // Strict: an unknown key, kind or category, a negative window or a kind listed twice is an error naming
  // the source, line, key and why.
  static Result<EventLinkRules> FromToml(std::string_view text, std::string_view source_name);
  static Result<EventLinkRules> FromFile(const std::filesystem::path& path);
  // config/linkage/events.toml.
  static Result<EventLinkRules> Default();
};

// One record joined to another record's event.
struct EventMerge {
  int64_t event_id = 0;           // the record joined
  int64_t resolved_event_id = 0;  // the event it belongs to (its smallest source event id)
  int64_t joined_with = 0;        // the record whose link brought it in
  std::string reason;             // why, in words
};

struct EventResolution {
  std::vector<int64_t> resolved;   // per input record, in input order: its resolved event id
  std::vector<EventMerge> merges;  // one per record that is not its event's representative, by event id
  int64_t resolved_events = 0;     // distinct resolved events
};

// Pure and deterministic (independent of input order). Two records link when they name the same resolved
// child, are of one kind with a rule, have compatible categories, lie within the kind's window and (when
// both name a place) the same place. Links are taken closest in date first; a link is refused when the
// joined event would break the rule for any pair of its records (span over the window, two records of one
// agency unless merge_same_agency, incompatible categories or places), so an event is never a chain.
EventResolution ResolveEvents(const std::vector<EventRecord>& records, const EventLinkRules& rules);

// Merge figures for the link stage's report: source records, resolved events, records merged per kind and
// per agency pair (the agencies of each merge's two records, in name order).
struct EventMergeReport {
  int64_t source_records = 0;
  int64_t resolved_events = 0;
  std::map<std::string, int64_t> merged_by_kind;
  std::map<std::pair<std::string, std::string>, int64_t> merged_by_agency_pair;
  int64_t merged() const { return source_records - resolved_events; }
};
EventMergeReport SummariseMerges(const std::vector<EventRecord>& records, const EventResolution& resolution);
// "123 records merged into 61 events (missing_episode 62; police-wm+cs-bham 40, ...)".
std::string RenderMergeReport(const EventMergeReport& report);

}  // namespace riskradar::linkage
