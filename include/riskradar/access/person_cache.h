// A process-wide cache of what the practice reads need to know about many people at once: each person's
// stored mentions (agency, record class, identity fields) and their record classes, keyed on the store's
// person-record generation (store/directory.h PersonRecordGeneration, migration 19). The caseload, the MASE
// agenda and the practice lists read the same few hundred children on every request; without it each read
// joined every mention of every listed child to its source record (issue 13 "Caseload and the MASE agenda").
//
// It holds stored rows only, never a decision: the need-to-know rule is applied to them on every read with that
// read's viewer facts, so a relationship or agreement that changes shows on the next request whatever the
// cache holds. An entry is used only at the generation it was read at: the caller reads the generation inside
// its own read unit of work (its snapshot), and a change to any person's record bumps it in the same
// transaction, so a cached row is always what that snapshot would have read. Use it only from read units: a
// write unit's snapshot may hold its own uncommitted changes.
//
// Thread safety: every member is safe to call from several threads (one mutex). Memory: at most `max_people`
// people of each kind; the cache is emptied when it would grow past that.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "riskradar/core/status.h"
#include "riskradar/store/directory.h"
#include "riskradar/store/practice.h"
#include "riskradar/store/store.h"

namespace riskradar::access {

class PersonRecordCache {
 public:
  explicit PersonRecordCache(size_t max_people = 50000) : max_people_(max_people) {}

  // The record classes of each of `person_ids` (PracticeStore::ReadPersonRecordClasses; a person without records
  // has none), in the order that call returns them, reading only the ones not cached at `generation`.
  Result<std::vector<store::PersonRecordClass>> RecordClasses(store::PracticeStore& store,
                                                              const std::vector<int64_t>& person_ids,
                                                              int64_t generation);
  // The active person `person_id` with their mentions (Store::ReadPersonMentions; nullopt when none).
  Result<std::optional<store::PersonRecord>> PersonMentions(store::Store& store, int64_t person_id, int64_t generation);

  // For tests and the bench: reads answered from the cache and from the store since it was made.
  struct Counts {
    int64_t hits = 0, misses = 0;
  };
  Counts counts() const;

 private:
  // Empties the cache when `generation` is not the one it holds, and takes `generation` on: rows read at one
  // generation never meet rows read at another (an older snapshot or a restored store empties it too).
  void UseLocked(int64_t generation);

  const size_t max_people_;
  mutable std::mutex mu_;
  int64_t generation_ = 0;
  std::unordered_map<int64_t, std::vector<store::PersonRecordClass>> classes_;
  std::unordered_map<int64_t, std::optional<store::PersonRecord>> people_;
  Counts counts_;
};

// The stored meetings with their whole agenda (PracticeStore::ReadMeeting), keyed on the meeting generation on
// the same terms as PersonRecordCache: rows only (the agenda is filtered per viewer on every read), used only
// at the generation the caller's read unit sees, emptied on any other. Safe from several threads; at most
// `max_meetings` meetings (emptied when full).
class MeetingCache {
 public:
  explicit MeetingCache(size_t max_meetings = 256) : max_meetings_(max_meetings) {}
  Result<std::optional<store::MeetingRecord>> Meeting(store::PracticeStore& store, int64_t meeting_id,
                                                      int64_t generation);

 private:
  const size_t max_meetings_;
  std::mutex mu_;
  int64_t generation_ = 0;
  std::unordered_map<int64_t, std::optional<store::MeetingRecord>> meetings_;
};

}  // namespace riskradar::access
