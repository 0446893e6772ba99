// The link stage: resolve person and place mentions in the store into stable
// Persons and Places, queue uncertain pairs for review.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "riskradar/core/date.h"
#include "riskradar/core/geography.h"
#include "riskradar/core/status.h"
#include "riskradar/linkage/events.h"
#include "riskradar/linkage/incremental.h"
#include "riskradar/linkage/person.h"
#include "riskradar/store/store.h"

namespace riskradar::linkage {

struct LinkStageOptions {
  Date as_of;  // reference date for "is a child" (age under 18)
  std::function<void(const std::string&)> progress;
  // Person blocking; unset: kAutomatic (planned within the comparison budget).
  std::optional<PersonBlocking> blocking;
  // Event linkage rule; unset: EventLinkRules::Default() (config/linkage/events.toml).
  std::optional<EventLinkRules> event_rules;
  // A daily batch: link only the mentions no run has linked yet, against the people already linked, with the
  // last run's model and blocking rules (LinkIncremental), and write only what changed. Known people keep
  // their ids unless the batch merges them (reported). A full run is made instead, with the reason in
  // LinkStageReport::full_run_reason, when nothing was linked before, the stored model cannot be used, or a
  // rejected review pair lies inside one person (only a full run splits people).
  bool batch = false;
};

struct LinkStageReport {
  int64_t person_mentions = 0;
  int64_t persons = 0;
  int64_t children = 0;
  int64_t persons_of_concern = 0;
  int64_t place_mentions = 0;
  int64_t places = 0;
  int64_t matches = 0;
  // Uncertain pairs queued for review (what `status` and `review list` count as pending after the run), and
  // those the model found uncertain again although a reviewer already decided them (kept, not queued).
  int64_t possibles = 0;
  int64_t possibles_decided = 0;
  int64_t persons_kept_id = 0;                           // persons whose id carried over from the previous run
  PersonBlocking blocking = PersonBlocking::kAutomatic;  // the person blocking used
  int64_t candidate_pairs = 0;                           // person pairs compared
  EventMergeReport events;                               // event linkage, run after people and places
  // Batch runs (LinkStageOptions::batch): matches and possibles count pairs with a new mention only.
  bool batch = false;           // the run was a batch
  std::string full_run_reason;  // a batch was asked for but a full run made: why
  int64_t new_mentions = 0;     // mentions no run had linked
  int64_t new_persons = 0;      // people made of new mentions only
  int64_t persons_written = 0;  // people written (new, joined by a new mention, merged, come of age)
  std::vector<IncrementalLinkResult::Merge> merged;  // known people the batch joined
};

Result<LinkStageReport> RunLinkStage(store::Store& store, const Geography& geography, const LinkStageOptions& options,
                                     const store::Actor& actor);

// Event linkage over the stored events and the current people and places (the last step of RunLinkStage, and
// on its own to apply a changed rule): resolves, then replaces the stored event links (SaveEventLinks).
Result<EventMergeReport> RunEventLinkage(store::Store& store, const EventLinkRules& rules, const store::Actor& actor);

// A stored person mention as linkage input.
PersonRecord ToPersonRecord(const store::MentionRow& row);

// One pair of mentions scored and explained with the model stored by the last
// linkage run (the same parameters that made or refused the link).
struct MentionPairExplanation {
  store::MentionRow left;
  store::MentionRow right;
  int64_t left_person = 0;  // the persons the mentions belong to now (0: not linked yet)
  int64_t right_person = 0;
  std::vector<FieldContribution> contributions;  // prior, fields (TF as own entries), total (see Model::Explain)
  double match_weight = 0;
  double match_probability = 0;
  std::string review_status;  // pending | confirmed | rejected, or empty when the pair was never queued
  std::string review_reason;
};
// NotFound: no such mention, or no linkage run yet.
Result<MentionPairExplanation> ExplainMentionPair(store::Store& store, int64_t left_mention, int64_t right_mention);

}  // namespace riskradar::linkage
