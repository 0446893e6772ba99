// The one access-and-audit path: every read or write of personal data by a person (server or CLI) goes
// through AuditedAccess. For each operation it opens a unit of work on the store, gathers the facts and rows
// through the store contracts, applies the need-to-know rule (core/access.h's DecideRecordAccess, the one
// pure rule), appends the audit event, allowed or refused, and commits before any data is returned. If the
// audit event cannot be committed the operation fails and returns nothing. Backends return facts and rows;
// they never filter.
//
// Thread safety: an AuditedAccess wraps one Store and is used from that store's thread.
// Errors: NotFound both for a missing record and for one the viewer may not see (the audit outcome tells them
// apart: not_found or refused); store errors pass through unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/access/directory_filters.h"
#include "riskradar/access/network_graph.h"
#include "riskradar/access/person_priority.h"
#include "riskradar/access/place_explanation.h"
#include "riskradar/access/profile_run.h"
#include "riskradar/core/access.h"
#include "riskradar/core/status.h"
#include "riskradar/store/store.h"

namespace riskradar::access {

// What `viewer` may see of `record` given `facts`: events of visible records only; indicators with at least
// one visible evidence event; the explanation lines only when every record is visible (they summarise all of
// them); the child's identity fields from visible records only (VisibleIdentity, directory_filters.h).
// nullopt when no record is visible (a refusal). Pure: no store, no audit.
std::optional<store::ChildView> FilterChildView(const store::ChildRecord& record, const Viewer& viewer,
                                                const ChildAccessFacts& facts);

// Whether a batch may be reverted given what later stages built on it (pure: no store, no audit). Refused (with
// the reason) for a batch that is not complete, for one under a legal hold, and for one with dependents unless
// `cascade` asks for them to be removed too.
struct RevertDecision {
  bool allowed = false;
  std::string reason;  // why not, naming the dependents and the way on
};
RevertDecision DecideBatchRevert(const store::BatchInfo& batch, const store::BatchDependents& dependents, bool cascade);

// What a batch revert found and removed.
struct BatchRevertOutcome {
  store::BatchInfo batch;
  store::BatchDependents dependents;
  store::BatchRevertCounts removed;
};

class AuditedAccess {
 public:
  explicit AuditedAccess(store::Store& store) : store_(store) {}

  // One child under need-to-know, audited as "read_child" (outcome ok with the basis and the number of
  // events shown, or not_found / refused). The read is one snapshot; its event is durably committed before
  // the view is returned (with a group-commit audit writer, after the snapshot is released).
  Result<store::ChildView> ReadChildView(int64_t person_id, const Viewer& viewer, int64_t now_s,
                                         const store::Actor& actor);

  // ---- the directory (store/directory.h), each read one unit of work with its audit event
  // A person search under need-to-know, audited as "search_people" (a hash of the name, never the name).
  Result<store::PersonSearchResult> SearchPeople(const store::PersonQuery& query, const Viewer& viewer, int64_t now_s,
                                                 const store::Actor& actor);
  // One person's visible records and links, audited as "read_person"; NotFound for a missing person and for
  // one with no visible record alike (audited not_found / refused).
  Result<store::PersonView> ReadPersonView(int64_t person_id, const Viewer& viewer, int64_t now_s,
                                           const store::Actor& actor);
  // One person's offender priority (the latest network run) under need-to-know, audited as
  // "read_person_priority" (outcome ok with whether the breakdown was shown, or not_found / refused, a missing
  // id doing the work of a hidden person as ReadPersonView does). NotFound for both.
  Result<PersonPriorityView> ReadPersonPriority(int64_t person_id, const Viewer& viewer, int64_t now_s,
                                                const store::Actor& actor);
  // The offender priority list of the latest network run: the persons of concern the viewer may see a record
  // of, highest priority first, up to `limit`, each filtered as ReadPersonPriority filters one. Audited as one
  // "list_person_priorities" event (the ids shown). FailedPrecondition before the first network run.
  Result<std::vector<PersonPriorityView>> ReadPriorityList(const Viewer& viewer, int64_t now_s, int64_t limit,
                                                           const store::Actor& actor);
  // ---- the VOLT graph (network_graph.h), each read one unit of work with its audit event
  // A person's ego network in the latest network run: the people within `hops` edges of the person (1 to
  // kMaxEgoHops; InvalidArgument otherwise, nothing read or audited) and the places they were seen at, up to
  // kMaxGraphPeople people (truncated), masked by need-to-know with numbered stand-ins. Audited as
  // "read_person_network" (the hops, nodes shown and identified); NotFound for a missing person and for one
  // with no visible record alike (audited not_found / refused; the stand-in's graph is built and thrown away,
  // so both cost the same). FailedPrecondition before the first network run.
  Result<NetworkGraph> ReadEgoNetwork(int64_t person_id, int hops, const Viewer& viewer, int64_t now_s,
                                      const store::Actor& actor);
  // The graph of an export (network_graph.h GraphExportRequest): pseudonyms for everyone unless
  // `identities`, which a role that may not see identities is refused (PermissionDenied, audited
  // "export_network" forbidden). A person scope answers as ReadEgoNetwork; a network scope NotFound for a
  // network the latest run does not have. Audited as "export_network" on the destination (scope, id, format,
  // identities, nodes, identified) and committed before the graph is returned: no export file exists without
  // its audit event.
  Result<NetworkGraph> ExportNetworkGraph(const GraphExportRequest& request, const Viewer& viewer, int64_t now_s,
                                          const store::Actor& actor);
  // One network of the latest run as a graph (its people, the places they share and the edges among them),
  // masked as ReadEgoNetwork masks, audited as "read_network_graph" (nodes shown and identified). NotFound for a
  // network the latest run does not have (audited not_found).
  Result<NetworkGraph> ReadNetworkGraph(int64_t network_id, const Viewer& viewer, int64_t now_s,
                                        const store::Actor& actor);
  // One network's offender priorities (NetworkPriorities), audited as "read_network_priorities" (the ids shown,
  // the number hidden). NotFound for a network the latest run does not have (audited not_found).
  Result<NetworkPriorities> ReadNetworkPriorities(int64_t network_id, const Viewer& viewer, int64_t now_s,
                                                  const store::Actor& actor);
  // The problem profile for a period (profile_run.h), audited as "report_profile" on "period:FROM..TO" (variant,
  // format, disclosure rule) in the unit that reads it; the exact version refused (PermissionDenied, audited
  // forbidden) to a role that may not see identifying data. InvalidArgument for a bad request, nothing read.
  Result<ProfileRun> RunProfile(const ProfileRunRequest& request, const Viewer& viewer, const store::Actor& actor);
  // Places of concern (aggregates and place details, no person), audited as "list_places".
  Result<std::vector<store::PlaceOfConcern>> ReadPlacesOfConcern(const store::Actor& actor);
  // One place of concern with the people its visible records name, audited as "read_place"; NotFound for a
  // place that is missing or not of concern.
  Result<store::PlaceView> ReadPlaceView(int64_t place_id, const Viewer& viewer, int64_t now_s,
                                         const store::Actor& actor);
  // One place of concern explained (place_explanation.h): its view as ReadPlaceView gives it, with its rank and
  // hotspot among the run's places of concern, read in one unit and audited as one "read_place" event (with
  // "explain": true); NotFound for a place that is missing or not of concern (audited not_found).
  Result<PlaceExplanation> ExplainPlaceOfConcern(int64_t place_id, const Viewer& viewer, int64_t now_s,
                                                 const store::Actor& actor);
  // Network sizes, audited as "list_networks".
  Result<std::vector<store::NetworkSummary>> ReadNetworks(const store::Actor& actor);
  // One network with its visible members, audited as "read_network"; NotFound for a missing network.
  Result<store::NetworkView> ReadNetworkView(int64_t network_id, const Viewer& viewer, int64_t now_s,
                                             const store::Actor& actor);

  // ---- the review queue (store/review.h)
  // The pending pairs: every reviewer role gets the region's pending count; items (both mentions) only when
  // `with_items`, only pairs whose both records the viewer may see, up to `limit`. Audited as one
  // "list_review" event (the ids shown, or aggregate_only).
  Result<store::ReviewQueuePage> ListReviewQueue(const Viewer& viewer, int64_t now_s, bool with_items, int64_t limit,
                                                 const store::Actor& actor);
  // One review item (any status) whose both records the viewer may see, with the newest linkage model
  // ("" before any run); audited as "read_review". NotFound for a missing item and a refused one alike.
  Result<store::ReviewItemDetail> ReadReviewItem(int64_t id, const Viewer& viewer, int64_t now_s,
                                                 const store::Actor& actor);
  // Decides a pending item if its version is still request.expected_version: one write unit with the
  // store's compare-and-set and the audit event, "review_confirm" / "review_reject" on success, otherwise
  // "review_decision" with outcome not_found | refused | stale | already_decided (committed; the outcome
  // tells the caller which). InvalidArgument (nothing audited) for a status other than confirmed | rejected or
  // a blank reason.
  Result<store::ReviewDecisionResult> DecideReviewItem(const store::ReviewDecisionRequest& request,
                                                       const Viewer& viewer, int64_t now_s, const store::Actor& actor);

  // The operator's view of the queue at the command line (no viewer: the operator holds the store itself):
  // every pair of `status` ("" all), audited as "list_review".
  Result<store::ReviewQueueRows> ListReviewPairs(std::string_view status, const store::Actor& actor);
  // The operator's decision on a pair named by its two mentions (request.id 0), queued or not: one write unit
  // with the audit event "review_confirm" / "review_reject" on "link_review:LEFT-RIGHT". NotFound for an
  // unknown mention; InvalidArgument as DecideReviewItem; Conflict (audited as refused, nothing changed) for a
  // pair already confirmed or rejected, as the API's 409.
  Result<store::ReviewQueueItem> DecideReviewPair(const store::ReviewDecisionRequest& request,
                                                  const store::Actor& actor);

  // ---- the audit log (store/audit_log.h): reading it is itself audited
  // Events matching `query`, newest first, audited as "read_audit" (the query and the scope).
  Result<std::vector<store::AuditEvent>> ReadAuditEvents(const store::AuditQuery& query, const store::Actor& actor);
  // Verifies the whole log (AuditLog::VerifyAudit, outside any unit so audited reads are not held up
  // meanwhile) and audits it as "audit_verify" (outcome ok or failed); the result (hashes and counts, no
  // personal data) is returned only once that event is committed.
  Result<store::AuditCheck> VerifyAuditLog(const store::Actor& actor);
  // The kept checkpoints and the signed head, audited as "read_audit_checkpoints".
  Result<store::AuditCheckpointList> ReadAuditCheckpoints(const store::Actor& actor);
  // RFC 6962 proofs (size 0: the whole log), audited as "audit_proof". InvalidArgument (nothing audited) for
  // sizes outside the log.
  Result<store::AuditProof> ReadAuditInclusionProof(int64_t seq, int64_t tree_size, const store::Actor& actor);
  Result<store::AuditProof> ReadAuditConsistencyProof(int64_t old_size, int64_t new_size, const store::Actor& actor);

  // The import batches of `agency_code` ("" every agency), audited as "list_imports".
  Result<std::vector<store::BatchInfo>> ReadImports(std::string_view agency_code, const store::Actor& actor);
  // A page of one batch's quarantined rows for a reader of `agency_code` ("" any agency), audited as
  // "read_quarantine". NotFound for a missing batch and for another agency's batch alike.
  Result<store::QuarantinePage> ReadQuarantine(int64_t batch_id, std::string_view agency_code, int64_t limit,
                                               int64_t offset, const store::Actor& actor);
  // One quarantined row in full, raw row included, audited as "read_quarantine" on "quarantine:<id>".
  Result<store::QuarantinedRow> ReadQuarantinedRow(int64_t quarantine_id, const store::Actor& actor);
  // Every quarantined row of a batch (0: every batch) for export to `destination`, audited as
  // "export_quarantine": the event is committed before the rows are returned, so no file of them can exist
  // without its audit event.
  Result<std::vector<store::QuarantinedRow>> ExportQuarantine(int64_t batch_id, const std::string& destination,
                                                              const store::Actor& actor);
  // One batch with its open quarantined rows, for export in the agency's own format to `destination` (the
  // quarantine round trip), audited as "export_quarantine" on the destination (outcome not_found, nothing
  // returned, for no such batch). As ExportQuarantine, the event is committed before the rows are returned.
  Result<std::pair<store::BatchInfo, std::vector<store::QuarantinedRow>>> ExportOpenQuarantine(
      int64_t batch_id, const std::string& destination, const store::Actor& actor);
  // Marks one quarantined row resolved by hand with `reason` (10 to 2000 characters) in one write unit with the
  // audit event "quarantine_resolve" on "quarantine:<id>" (outcome ok, not_found, or refused when already
  // resolved: FailedPrecondition).
  Status ResolveQuarantinedRow(int64_t quarantine_id, std::string_view reason, const store::Actor& actor);
  // Reverts a batch (store/imports.h RevertBatch) when DecideBatchRevert allows it, in one write unit with the
  // audit event "batch_revert" on "import_batch:<id>": outcome ok with the counts removed, refused with the
  // dependents (FailedPrecondition, nothing removed) or not_found (NotFound). All or nothing.
  Result<BatchRevertOutcome> RevertBatch(int64_t batch_id, bool cascade, const store::Actor& actor);

  // A refusal decided before any operation ran (a route's role policy, an account that must enrol first, a
  // scope or record level the caller may not ask for): the event `action` on `target`, outcome "forbidden",
  // committed in its own unit. The caller answers its refusal only after this succeeded; if the event cannot
  // be written, the error is returned and the request fails with it.
  Status RecordRefusal(const store::Actor& actor, std::string_view action, std::string_view target);

 private:
  store::Store& store_;
};

}  // namespace riskradar::access
