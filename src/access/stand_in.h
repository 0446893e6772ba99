// Internal to the access layer: the record an id-addressed read works on (issue 11 item 6).
#pragma once

#include <cstdint>

#include "riskradar/core/hash.h"
#include "riskradar/core/status.h"
#include "riskradar/store/store.h"

namespace riskradar::access::internal {

// The id's own record, or for a missing id a stand-in of the same kind picked by a keyed hash of it
// (store::DirectoryStore::ChooseSubject). The caller reads the chosen record, reads its facts and applies the
// rule on both paths, and throws a stand-in's result away, so that a missing id costs what a refusal costs.
inline Result<store::SubjectChoice> ChooseSubject(store::Store& store, store::SubjectKind kind, int64_t id) {
  return store.ChooseSubject(kind, id, ProcessKeyedPoint(id));
}

}  // namespace riskradar::access::internal
