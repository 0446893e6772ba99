// The practice reads' cache of people's stored rows, keyed on the person-record generation
// (access/person_cache.h).
#include "riskradar/access/person_cache.h"

#include <algorithm>

namespace riskradar::access {

void PersonRecordCache::UseLocked(int64_t generation) {
  if (generation != generation_) {
    // Any other generation empties it: a newer one replaces what it held; an older one (a snapshot taken before
    // a change committed, or a store restored from a backup) must never meet rows read at another.
    classes_.clear();
    people_.clear();
    generation_ = generation;
  }
}

Result<std::vector<store::PersonRecordClass>> PersonRecordCache::RecordClasses(store::PracticeStore& store,
                                                                               const std::vector<int64_t>& person_ids,
                                                                               int64_t generation) {
  std::vector<int64_t> wanted = person_ids;
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<store::PersonRecordClass> out;
  std::vector<int64_t> missing;
  {
    std::lock_guard lock(mu_);
    UseLocked(generation);
    for (int64_t id : wanted) {
      auto it = classes_.find(id);
      if (it == classes_.end()) {
        missing.push_back(id);
        continue;
      }
      out.insert(out.end(), it->second.begin(), it->second.end());
    }
    counts_.hits += static_cast<int64_t>(wanted.size() - missing.size());
    counts_.misses += static_cast<int64_t>(missing.size());
  }
  if (missing.empty()) return out;
  RR_ASSIGN_OR_RETURN(const std::vector<store::PersonRecordClass> read, store.ReadPersonRecordClasses(missing));
  std::unordered_map<int64_t, std::vector<store::PersonRecordClass>> fresh;
  for (int64_t id : missing) fresh[id];  // a person without records is cached as such
  for (const auto& r : read) fresh[r.person_id].push_back(r);
  out.insert(out.end(), read.begin(), read.end());
  {
    std::lock_guard lock(mu_);
    if (generation == generation_) {  // otherwise another snapshot took the cache over meanwhile: keep nothing
      if (classes_.size() + fresh.size() > max_people_) classes_.clear();
      for (auto& [id, rows] : fresh) classes_[id] = std::move(rows);
    }
  }
  return out;
}

Result<std::optional<store::PersonRecord>> PersonRecordCache::PersonMentions(store::Store& store, int64_t person_id,
                                                                             int64_t generation) {
  {
    std::lock_guard lock(mu_);
    UseLocked(generation);
    auto it = people_.find(person_id);
    if (it != people_.end()) {
      ++counts_.hits;
      return it->second;
    }
    ++counts_.misses;
  }
  RR_ASSIGN_OR_RETURN(std::optional<store::PersonRecord> record, store.ReadPersonMentions(person_id));
  {
    std::lock_guard lock(mu_);
    if (generation == generation_) {
      if (people_.size() >= max_people_) people_.clear();
      people_[person_id] = record;
    }
  }
  return record;
}

Result<std::optional<store::MeetingRecord>> MeetingCache::Meeting(store::PracticeStore& store, int64_t meeting_id,
                                                                  int64_t generation) {
  {
    std::lock_guard lock(mu_);
    if (generation != generation_) {
      meetings_.clear();
      generation_ = generation;
    }
    auto it = meetings_.find(meeting_id);
    if (it != meetings_.end()) return it->second;
  }
  RR_ASSIGN_OR_RETURN(std::optional<store::MeetingRecord> meeting, store.ReadMeeting(meeting_id));
  {
    std::lock_guard lock(mu_);
    if (generation == generation_) {
      if (meetings_.size() >= max_meetings_) meetings_.clear();
      meetings_[meeting_id] = meeting;
    }
  }
  return meeting;
}

PersonRecordCache::Counts PersonRecordCache::counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}

}  // namespace riskradar::access
