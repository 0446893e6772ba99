// Store contract: linkage input (mentions) and output (persons, places, the review queue's pairs).
// The Load* reads are the linkage stage's bulk input, not a read of one person: the stage's own "link"
// audit event (written with SaveLinkage) covers them.
// Thread safety: an implementation is used from one thread at a time (the server opens one per worker).
// Errors: every method returns a Status or Result; NotFound, AlreadyExists, Conflict, InvalidArgument and
// FailedPrecondition keep the meanings of core/status.h; a failure of the backend itself is IoError,
// Corruption or Internal. A failed write leaves nothing behind.
// Transactions: SaveLinkage replaces the previous run's output in one transaction with its audit event, and
// drops the previous event resolution (it was made over the previous people and places); SaveEventLinks
// replaces the event resolution in one transaction with its audit event.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "riskradar/core/domain.h"
#include "riskradar/core/status.h"
#include "riskradar/store/audit_log.h"

namespace riskradar::store {

// A person mention with the agency that reported it (linkage input).
struct MentionRow {
  PersonMention mention;
  std::string slot;  // "subject" or "associate"
  std::string agency_code;
  std::string local_id;  // of the source record
};

struct PlaceMentionRow {
  PlaceMention mention;
  std::string agency_code;
  std::string local_id;
};

// A pair of mentions the linker was unsure about, and any decision on it.
struct ReviewItem {
  int64_t left_mention_id = 0;
  int64_t right_mention_id = 0;
  double match_weight = 0;
  double match_probability = 0;
  std::string status = "pending";  // pending | confirmed | rejected
  std::string reason;
  std::string decided_by;
  std::string decided_at;  // UTC ISO 8601; empty while pending
};

// The result of a linkage run, written in one transaction.
struct LinkageOutput {
  std::vector<Person> persons;                              // ids already stable
  std::vector<std::pair<int64_t, int64_t>> mention_person;  // mention id -> person id
  std::vector<Place> places;
  std::vector<std::pair<int64_t, int64_t>> place_mention_place;
  std::vector<ReviewItem> review;  // new possibles (decided ones are kept)
  std::string model_json;          // trained parameters, for explanation
};

// One source event that is the same real-world event as another (event linkage, linkage/events.h): it
// belongs to resolved_event_id (the smallest source event id of that event). Events that joined no other
// have no row: their resolved event is themselves.
struct EventLink {
  int64_t event_id = 0;
  int64_t resolved_event_id = 0;
  std::string reason;  // why, in words (shown with the evidence)
};

struct EventLinkOutput {
  std::vector<EventLink> links;
  std::string rules_version;  // of the event linkage rule that made them (audit details)
  int64_t source_records = 0, resolved_events = 0;
};

class LinkageStore {
 public:
  virtual ~LinkageStore() = default;

  // Linkage.
  virtual Result<std::vector<MentionRow>> LoadPersonMentions() = 0;
  virtual Result<std::vector<PlaceMentionRow>> LoadPlaceMentions() = 0;
  // The person each mention belonged to after the last linkage run (for stable ids).
  virtual Result<std::vector<std::pair<int64_t, int64_t>>> LoadMentionPersons() = 0;
  virtual Result<std::vector<std::pair<int64_t, int64_t>>> LoadPlaceMentionPlaces() = 0;
  // Every decided pair (the linkage stage's own read: later runs keep confirmed pairs together and rejected
  // pairs apart). Decisions are made through the review queue (review.h, the access layer).
  virtual Result<std::vector<ReviewItem>> LoadReviewDecisions() = 0;
  virtual Status SaveLinkage(const LinkageOutput& output, const Actor& actor) = 0;
  // Event resolution: replaces every stored link. Conflict (nothing written) when an id names no event or a
  // resolved event is itself linked to another; InvalidArgument when an event links to itself or appears twice.
  virtual Status SaveEventLinks(const EventLinkOutput& output, const Actor& actor) = 0;
  // Every stored link, by event id (empty before the first resolution and after a new person linkage).
  virtual Result<std::vector<EventLink>> LoadEventLinks() = 0;
  // model_json of the newest linkage run; NotFound before the first run.
  virtual Result<std::string> LatestLinkageModel() = 0;
  // The largest person and place ids ever issued (active or not), so new ids never reuse an old one.
  virtual Result<std::pair<int64_t, int64_t>> MaxEntityIds() = 0;
  virtual Result<std::vector<Person>> ListPersons() = 0;
  virtual Result<std::vector<Place>> ListPlaces() = 0;
};

}  // namespace riskradar::store
