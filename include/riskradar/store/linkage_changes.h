// Store contract: the changes of an incremental linkage run (a batch of new mentions linked against the people
// already stored, linkage/incremental.h LinkIncremental), beside the LinkageStore of store/linkage.h.
// Like PracticeStore (store/practice.h) it is not yet a base of the Store composite (store.h): adding it there
// rebuilds every file of the project. A backend implements it beside Store (SqliteStore does) and callers reach
// it through LinkageChangesOf(store); folding it into LinkageStore replaces that with the store itself.
// Errors and threading as in store/linkage.h.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "riskradar/core/domain.h"
#include "riskradar/core/status.h"
#include "riskradar/store/audit_log.h"
#include "riskradar/store/linkage.h"

namespace riskradar::store {

class Store;

// Written in one transaction: everything not named stays as it is.
struct LinkageChanges {
  std::vector<Person> persons;                              // new or changed people (written, active)
  std::vector<int64_t> retired_persons;                     // merged into another person: made inactive
  std::vector<std::pair<int64_t, int64_t>> mention_person;  // new or re-pointed mentions -> person id
  std::vector<Place> places;                                // new or changed places
  std::vector<int64_t> retired_places;                      // places no mention points to any more
  std::vector<std::pair<int64_t, int64_t>> place_mention_place;
  std::vector<ReviewItem> review;  // new possibles (pending and decided pairs are kept)
  std::string model_json;          // the model that scored the batch, with the batch's figures
};

class LinkageChangesStore {
 public:
  virtual ~LinkageChangesStore() = default;
  // Applies an incremental run's changes with its audit event ("link", details {"batch": true, ...}) and drops
  // the event resolution like SaveLinkage. InvalidArgument (nothing written) when a retired person or place is
  // also written, a mention or place mention is named twice, or a row points to a retired id; Conflict
  // (nothing written) when a row names a missing person, place or mention, or a retired id still has mentions.
  virtual Status SaveLinkageChanges(const LinkageChanges& changes, const Actor& actor) = 0;
};

// The incremental linkage contract of `store`'s backend, or nullptr for a backend without one.
LinkageChangesStore* LinkageChangesOf(Store& store);

}  // namespace riskradar::store
