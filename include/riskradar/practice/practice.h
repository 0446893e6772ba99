// The practice workflow's pure rules (issue 13 items 2, 4, 5, 6): the vocabularies and validation of actions,
// disruptions and MASE meetings; the MASE agenda generated from the radar; practitioner alerts derived from
// the facts before and after a stage ran; police disruption events as tracker entries. No store, no audit:
// tested alone as tables in tests/practice/. The stage adapter (RunAlertStage, ImportDisruptions) reads the
// store contracts and writes through PracticeStore with one run event; the access layer (access/practice.h)
// uses the validation and the agenda rule for people's requests.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "riskradar/core/date.h"
#include "riskradar/core/domain.h"
#include "riskradar/core/status.h"
#include "riskradar/store/practice.h"
#include "riskradar/store/store.h"

namespace riskradar::practice {

// ---------------------------------------------------------------- validation

// Free text from a person: `min`..`max` characters (bytes), valid UTF-8, no control characters other than
// newline and tab. InvalidArgument naming `field` and why.
Status CheckText(std::string_view field, std::string_view value, size_t min, size_t max);
// A strict ISO date (YYYY-MM-DD) between 2000-01-01 and 2100-12-31. InvalidArgument naming `field`.
Result<Date> ParseDateField(std::string_view field, std::string_view value);
// A positive id of at most 18 digits. InvalidArgument naming `field`.
Result<int64_t> ParseIdField(std::string_view field, std::string_view value);

bool IsActionStatus(std::string_view s);      // open | done | cancelled
bool IsActionLinkKind(std::string_view s);    // child | person | place | network | meeting
bool IsDisruptionKind(std::string_view s);    // cawn | sexual_risk_order | ... | other
bool IsDisruptionStatus(std::string_view s);  // active | expired | revoked | discharged
const std::vector<std::string_view>& DisruptionKinds();

// An action's status change: open -> done | cancelled (cancelled needs a reason), done | cancelled -> open
// (reopened, with a reason). InvalidArgument naming the field otherwise.
Status CheckActionTransition(std::string_view from, std::string_view to, std::string_view reason);
// A disruption's status change: active -> expired | revoked | discharged; nothing leaves those. Same errors.
Status CheckDisruptionTransition(std::string_view from, std::string_view to);

// ---------------------------------------------------------------- police disruption events

// The tracker entry for an imported police disruption event (kind disruption), or nullopt for a category the
// tracker does not know. cawn -> cawn (expires in 2 years), sexual_risk_order -> sexual_risk_order (2 years,
// the statutory minimum), hotel_notice -> hotel_notice (6 months), licensing_referral -> licensing_review (no
// expiry). Subject: the event's subject person; place: the event's place.
std::optional<store::DisruptionRecord> DisruptionFromEvent(const store::EventRow& event);

// ---------------------------------------------------------------- the MASE agenda

struct AgendaInputs {
  std::vector<store::RadarFact> radar;
  std::vector<store::MissingEpisodeRow> missing;  // at least the lookback window before the meeting
  std::vector<int64_t> places_of_concern;         // the latest network run's places of concern in the district
  std::set<int64_t> places_already_tabled;        // places on an earlier meeting's agenda in the district
  std::set<int64_t> review_overdue;               // children whose review is overdue (when known)
};

struct AgendaOptions {
  int lookback_days = 28;  // "missing again": a second episode within this many days before the meeting
};

// The agenda the radar proposes for a meeting in `district` on `date`: children of the district who are newly
// serious or significant (the previous assessment was lower or absent), rising, missing again (two or more
// episodes, one within the lookback), or on the radar (at risk or above) with their review overdue; then places
// of concern not yet tabled.
// Each item names its reasons (comma-separated, in that order). Children by id, then places by id.
std::vector<store::AgendaItem> GenerateAgenda(const AgendaInputs& in, std::string_view district, Date date,
                                              const AgendaOptions& options);

// ---------------------------------------------------------------- practitioner alerts

// What the alert stage remembers between runs: the newest event it has seen, each child's effective level and
// each link of a child to an adult or place of concern. `set` is false before the first run.
struct AlertBaseline {
  bool set = false;
  int64_t event_watermark = 0;
  std::map<int64_t, RiskLevel> levels;
  std::set<std::string> links;  // "p:<child>:<adult>" or "l:<child>:<place>"
};
std::string BaselineToJson(const AlertBaseline& baseline);
// "" gives an unset baseline; malformed text is Corruption.
Result<AlertBaseline> BaselineFromJson(std::string_view text);

// A child's tie to an adult or place of concern, with the event that shows it.
struct ConcernLink {
  int64_t child_id = 0;
  int64_t other_id = 0;
  bool place = false;  // other_id is a place
  int64_t event_id = 0;
};

struct AlertUser {
  std::string name, agency_code;
  Role role = Role::kAnalyst;
};

struct AlertInputs {
  std::vector<store::RadarFact> radar;
  int64_t max_event_id = 0;
  std::vector<store::MissingEpisodeRow> missing;  // at least those newer than the baseline's watermark
  std::vector<ConcernLink> links;
  std::vector<store::ActionRecord> actions;
  std::vector<store::DisruptionRecord> disruptions;
  std::vector<store::RelationshipHolder> holders;
  std::vector<AlertUser> users;  // enabled accounts (managers are found here)
};

struct AlertOptions {
  int expiry_warning_days = 28;  // a disruption order expiring within this many days is alerted
};

struct AlertDerivation {
  std::vector<store::NewAlert> alerts;
  AlertBaseline baseline;  // to remember for the next run
};

// Who an alert about `person_id` goes to: every user with a current relationship to the child (allocated
// case, MASE listing) and the managers of each such user's agency (the same agency: there is no team model).
// Sorted by name; a user is listed once with the first reason found (relationship before manager).
std::vector<store::AlertRecipient> RecipientsFor(int64_t person_id, const AlertInputs& in);

// The alerts a stage run raises. A child "on the radar" is a child whose latest effective level is at risk or
// above. Before the first run (baseline unset) only the state-based alerts are raised (overdue actions,
// expiring or breached disruptions); the event-based ones start from the baseline this run records, so a new
// store is not flooded with its whole history:
//  - missing_episode: a missing episode of a child on the radar newer than the watermark (one per resolved
//    event; evidence: its event ids);
//  - level_rise: a child whose level is above the level remembered (evidence: the assessment);
//  - new_link: a child on the radar newly tied to a person or place of concern (evidence: the event);
//  - action_overdue: an open action past its due date (evidence: the action; to its owner and, when it is
//    about a person, that person's recipients);
//  - disruption_expiring: an active order expiring within options.expiry_warning_days of `today`, and
//    disruption_breached: each recorded breach (evidence: the disruption or breach); to the recipients of the
//    subject and of every child on the radar tied to the subject or the place.
// Each alert's key makes it once-only: the same fact yields the same key on every run.
AlertDerivation DeriveAlerts(const AlertBaseline& before, const AlertInputs& in, Date today,
                             const AlertOptions& options);

// Who the alert stage watches: the children on the radar (at risk or above), the persons of concern (adults
// marked so, and the latest network run's suspected offenders) and the places of concern (that run's).
struct ConcernSets {
  std::set<int64_t> children, persons, places;
};
ConcernSets ConcernSetsOf(const std::vector<store::RadarFact>& radar, const store::NetworkOutput& networks);

// What the practice stage takes from the store's events, found in one pass over them so that both halves of the
// stage share one load: the police disruption events the tracker knows (DisruptionFromEvent, in event order),
// the newest event id, the missing episodes newer than `watermark` (of any person; DeriveAlerts keeps those of
// children on the radar), and the ties of the watched children to persons and places of concern (each event
// that shows one).
struct EventFacts {
  std::vector<store::DisruptionRecord> disruptions;
  int64_t max_event_id = 0;
  std::vector<store::MissingEpisodeRow> missing;
  std::vector<ConcernLink> links;
};
EventFacts EventFactsOf(const std::vector<store::EventRow>& events, int64_t watermark, const ConcernSets& concern);

// The "review overdue" rule (issue 13 item 2), for the next-review date assessments carry (migration 12, the
// judgement work): an alert when `today` is past `next_review`, keyed on the date so a new review date can
// alert again. Not wired to the store here (see docs/architecture.md).
std::optional<store::NewAlert> ReviewOverdueAlert(int64_t person_id, int64_t assessment_id, Date next_review,
                                                  Date today, const AlertInputs& in);

// ---------------------------------------------------------------- the stage adapters

struct AlertStageSummary {
  int64_t drafted = 0, raised = 0;
  bool baseline_was_set = false;
};
// Reads the radar, missing episodes, links, actions, disruptions, relationships and accounts through the store
// contracts, derives the alerts and saves them with the new baseline and one "raise_alerts" event.
Result<AlertStageSummary> RunAlertStage(store::Store& store, Date today, const AlertOptions& options,
                                        const store::Actor& actor);
// Every imported police disruption event the tracker knows becomes a tracker entry, once (idempotent on the
// event id), with one "import_disruptions" event. Returns how many were new.
Result<int64_t> ImportDisruptions(store::Store& store, const store::Actor& actor);

struct PracticeStageSummary {
  int64_t disruptions_tracked = 0;  // police disruption events newly tracked
  AlertStageSummary alerts;
};
// The whole practice stage after an import: ImportDisruptions, then RunAlertStage, with the store's events
// loaded once for both (EventFactsOf); the same entries, alerts and run events as the two run one after the other.
Result<PracticeStageSummary> RunPracticeStage(store::Store& store, Date today, const AlertOptions& options,
                                              const store::Actor& actor);

}  // namespace riskradar::practice
