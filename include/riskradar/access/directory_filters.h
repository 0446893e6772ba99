// The access layer's pure filters over the directory's and the review queue's unfiltered rows: which records,
// people and fields a viewer may see under need-to-know (core/access.h's DecideRecordAccess, the one rule).
// No store and no audit: AuditedAccess gathers the rows inside a unit of work, calls these and audits.
//
// Field-level need-to-know (docs/security.md): every identity field shown about a person (name, date of birth,
// sex, district) comes from a record the viewer may see. A field that no visible record holds is absent: an
// empty name or district, no date of birth, sex unknown.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "riskradar/core/access.h"
#include "riskradar/store/directory.h"
#include "riskradar/store/review.h"

namespace riskradar::access {

// The decision for each of `mentions` (same order), with `facts` for the person they belong to.
std::vector<RecordAccess> DecideMentions(const std::vector<store::PersonMentionRow>& mentions, const Viewer& viewer,
                                         const ChildAccessFacts& facts);

// `person` with its identity fields taken from the visible mentions only (access[i] != kHidden), chosen as
// linkage chooses them from a whole cluster: the most common non-empty value, ties to the smallest; the
// district only when the visible records' most common postcode is the one the stored district was derived
// from (so it never comes from a hidden record). mention_count counts the visible mentions. With every mention
// visible the result equals the stored person. is_child and person_of_concern (the stored classification) are
// kept.
Person VisibleIdentity(const Person& person, const std::vector<store::PersonMentionRow>& mentions,
                       const std::vector<RecordAccess>& access);

// The sorted, distinct basis of the visible decisions ("own_agency", ...); empty when none is visible.
std::vector<std::string> BasisOf(const std::vector<RecordAccess>& access);

// A page of people whose visible records include at least one, whose visible name contains query.name
// (case-insensitive; "" matches everyone); the total counts visible matches only.
store::PersonSearchResult FilterPersonSearch(const std::vector<store::PersonRecord>& candidates,
                                             const store::PersonQuery& query, const Viewer& viewer,
                                             const store::ViewerAccessFacts& facts);

// One person's visible records, the evidence for each pair of them (the review's scored pair where there is
// one, otherwise the agreement of the identifiers both records hold), and the visible identity. nullopt when
// no record is visible (a refusal).
std::optional<store::PersonView> FilterPersonView(const store::PersonRecord& record, const Viewer& viewer,
                                                  const ChildAccessFacts& facts);

// The people a place's visible events name (an event's record judged as one of each named person's records),
// each with their visible identity. Empty for roles that may not see identifying data.
store::PlaceView FilterPlaceView(const store::PlaceRecord& record, const Viewer& viewer,
                                 const store::ViewerAccessFacts& facts);

// A network's sizes (every member counted), the members with a visible record (with their visible name) and
// its places.
store::NetworkView FilterNetworkView(const store::NetworkRecord& record, const Viewer& viewer,
                                     const store::ViewerAccessFacts& facts);

// Whether the viewer may see both records of a review pair (the rule for listing, reading and deciding it).
bool ReviewItemVisible(const store::ReviewQueueItem& item, const Viewer& viewer, const store::ViewerAccessFacts& facts);

}  // namespace riskradar::access
