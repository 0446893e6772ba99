// The pure need-to-know filters of the directory and the review queue (see directory_filters.h).
#include "riskradar/access/directory_filters.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "riskradar/core/text.h"

namespace riskradar::access {
namespace {

// Most frequent value (ties: the smallest), ignoring empty ones: linkage's choice for a cluster's fields.
template <typename T, typename Empty>
std::optional<T> Mode(const std::vector<T>& values, Empty is_empty) {
  std::map<T, int> counts;
  for (const T& v : values) {
    if (!is_empty(v)) ++counts[v];
  }
  std::optional<T> best;
  int best_count = 0;
  for (const auto& [v, c] : counts) {
    if (c > best_count) {
      best = v;
      best_count = c;
    }
  }
  return best;
}

std::string FullName(const store::PersonMentionRow& m) {
  return m.forename + (m.forename.empty() || m.surname.empty() ? "" : " ") + m.surname;
}

bool NoText(const std::string& s) { return s.empty(); }

std::optional<std::string> ModalPostcode(const std::vector<const store::PersonMentionRow*>& mentions) {
  std::vector<std::string> postcodes;
  for (const auto* m : mentions) postcodes.push_back(m->postcode);
  return Mode(postcodes, NoText);
}

std::vector<std::pair<std::string, std::string>> CompareFields(const store::PersonMentionRow& a,
                                                               const store::PersonMentionRow& b) {
  std::vector<std::pair<std::string, std::string>> out;
  auto text = [&](const char* field, const std::string& x, const std::string& y) {
    const bool missing = x.empty() || y.empty() || x == "unknown" || y == "unknown";
    out.emplace_back(field, missing ? "missing" : AsciiLower(x) == AsciiLower(y) ? "agree" : "disagree");
  };
  text("forename", a.forename, b.forename);
  text("surname", a.surname, b.surname);
  out.emplace_back("dob", !a.dob || !b.dob ? "missing" : *a.dob == *b.dob ? "agree" : "disagree");
  text("sex", a.sex, b.sex);
  text("postcode", a.postcode, b.postcode);
  text("nhs_number", a.nhs_number, b.nhs_number);
  text("upn", a.upn, b.upn);
  return out;
}

// Decisions for the people of a multi-person read: one set of facts whose per-person flags are set for each
// decision (the agreements are the viewer's, the same for every person).
class PeopleDecisions {
 public:
  PeopleDecisions(const Viewer& viewer, const store::ViewerAccessFacts& facts) : viewer_(viewer), facts_(facts) {
    current_.agreements = facts.agreements;
  }

  RecordAccess Decide(int64_t person_id, std::string_view agency, std::string_view record_class) {
    current_.relationship = std::binary_search(facts_.related.begin(), facts_.related.end(), person_id);
    current_.break_glass = std::binary_search(facts_.break_glass.begin(), facts_.break_glass.end(), person_id);
    return DecideRecordAccess(viewer_, agency, record_class, current_);
  }
  std::vector<RecordAccess> Mentions(const store::PersonRecord& record) {
    std::vector<RecordAccess> out;
    out.reserve(record.mentions.size());
    for (const auto& m : record.mentions) out.push_back(Decide(record.person.id, m.agency_code, m.record_class));
    return out;
  }

 private:
  const Viewer& viewer_;
  const store::ViewerAccessFacts& facts_;
  ChildAccessFacts current_;
};

bool AnyVisible(const std::vector<RecordAccess>& access) {
  for (RecordAccess a : access) {
    if (a != RecordAccess::kHidden) return true;
  }
  return false;
}

}  // namespace

std::vector<RecordAccess> DecideMentions(const std::vector<store::PersonMentionRow>& mentions, const Viewer& viewer,
                                         const ChildAccessFacts& facts) {
  std::vector<RecordAccess> out;
  out.reserve(mentions.size());
  for (const auto& m : mentions) out.push_back(DecideRecordAccess(viewer, m.agency_code, m.record_class, facts));
  return out;
}

Person VisibleIdentity(const Person& person, const std::vector<store::PersonMentionRow>& mentions,
                       const std::vector<RecordAccess>& access) {
  std::vector<const store::PersonMentionRow*> all, visible;
  for (size_t i = 0; i < mentions.size(); ++i) {
    all.push_back(&mentions[i]);
    if (i < access.size() && access[i] != RecordAccess::kHidden) visible.push_back(&mentions[i]);
  }
  std::vector<std::string> names;
  std::vector<int32_t> dobs;
  std::vector<int> sexes;
  for (const auto* m : visible) {
    names.push_back(FullName(*m));
    if (m->dob) dobs.push_back(m->dob->days());
    auto sex = ParseSex(m->sex);
    if (sex.ok() && *sex != Sex::kUnknown) sexes.push_back(static_cast<int>(*sex));
  }
  Person out = person;
  out.display_name = Mode(names, NoText).value_or("");
  const auto dob = Mode(dobs, [](int32_t) { return false; });
  out.dob = dob ? std::optional<Date>(Date::FromDays(*dob)) : std::nullopt;
  const auto sex = Mode(sexes, [](int) { return false; });
  out.sex = sex ? static_cast<Sex>(*sex) : Sex::kUnknown;
  // The stored district is the district of the cluster's most common postcode: shown only when that postcode
  // is also the visible records' most common one.
  const auto visible_postcode = ModalPostcode(visible);
  if (!visible_postcode || visible_postcode != ModalPostcode(all)) out.district.clear();
  out.mention_count = static_cast<int>(visible.size());
  return out;
}

std::vector<std::string> BasisOf(const std::vector<RecordAccess>& access) {
  std::set<std::string> basis;
  for (RecordAccess a : access) {
    if (a != RecordAccess::kHidden) basis.insert(std::string(ToString(a)));
  }
  return {basis.begin(), basis.end()};
}

store::PersonSearchResult FilterPersonSearch(const std::vector<store::PersonRecord>& candidates,
                                             const store::PersonQuery& query, const Viewer& viewer,
                                             const store::ViewerAccessFacts& facts) {
  store::PersonSearchResult out;
  if (!MaySeeIdentifying(viewer.role)) return out;
  PeopleDecisions decisions(viewer, facts);
  const std::string fragment = AsciiLower(query.name);
  for (const store::PersonRecord& record : candidates) {
    const std::vector<RecordAccess> access = decisions.Mentions(record);
    if (!AnyVisible(access)) continue;
    const bool on_page = out.total >= query.offset && out.total < query.offset + query.limit;
    // The visible identity is needed to match a name and for the page; without a name, only for the page.
    if (fragment.empty() && !on_page) {
      ++out.total;
      continue;
    }
    Person person = VisibleIdentity(record.person, record.mentions, access);
    if (!fragment.empty() && AsciiLower(person.display_name).find(fragment) == std::string::npos) continue;
    if (on_page) out.people.push_back({std::move(person), BasisOf(access)});
    ++out.total;
  }
  return out;
}

std::optional<store::PersonView> FilterPersonView(const store::PersonRecord& record, const Viewer& viewer,
                                                  const ChildAccessFacts& facts) {
  const std::vector<RecordAccess> access = DecideMentions(record.mentions, viewer, facts);
  if (!AnyVisible(access)) return std::nullopt;
  store::PersonView view;
  view.person = VisibleIdentity(record.person, record.mentions, access);
  std::vector<const store::PersonMentionRow*> shown;
  for (size_t i = 0; i < record.mentions.size(); ++i) {
    if (access[i] == RecordAccess::kHidden) continue;
    const store::PersonMentionRow& m = record.mentions[i];
    shown.push_back(&m);
    view.records.push_back({m.mention_id, m.record_id, m.agency_code, m.local_id, m.record_class, m.slot, m.role,
                            std::string(ToString(access[i]))});
  }
  std::map<std::pair<int64_t, int64_t>, const store::LinkEvidence*> reviewed;
  for (const store::LinkEvidence& e : record.reviewed) reviewed[{e.left_mention_id, e.right_mention_id}] = &e;
  for (size_t i = 0; i < shown.size() && !view.links_truncated; ++i) {
    for (size_t j = i + 1; j < shown.size(); ++j) {
      if (view.links.size() >= store::kMaxPersonLinkPairs) {
        view.links_truncated = true;
        break;
      }
      const int64_t left = shown[i]->mention_id, right = shown[j]->mention_id;  // left < right
      store::LinkEvidence e;
      auto it = reviewed.find({left, right});
      if (it != reviewed.end()) {
        e = *it->second;
      } else {
        e.source = "cluster";
      }
      e.left_mention_id = left;
      e.right_mention_id = right;
      e.fields = CompareFields(*shown[i], *shown[j]);
      view.links.push_back(std::move(e));
    }
  }
  view.access_basis = BasisOf(access);
  return view;
}

store::PlaceView FilterPlaceView(const store::PlaceRecord& record, const Viewer& viewer,
                                 const store::ViewerAccessFacts& facts) {
  store::PlaceView view;
  view.place = record.place;
  if (!MaySeeIdentifying(viewer.role)) return view;
  PeopleDecisions decisions(viewer, facts);
  // People are listed through the records that put them at the place, each judged as one of that person's
  // records: a record the viewer may not see names nobody.
  std::map<int64_t, std::pair<int64_t, std::set<std::string>>> seen;  // person -> visible events, basis
  for (const store::PlaceEventRow& event : record.events) {
    for (int64_t person : {event.subject_person_id, event.associate_person_id}) {
      if (person == 0) continue;
      const RecordAccess a = decisions.Decide(person, event.agency_code, event.record_class);
      if (a == RecordAccess::kHidden) continue;
      auto& entry = seen[person];
      ++entry.first;
      entry.second.insert(std::string(ToString(a)));
    }
  }
  std::map<int64_t, const store::PersonRecord*> people;
  for (const store::PersonRecord& p : record.people) people[p.person.id] = &p;
  for (const auto& [person, entry] : seen) {
    auto it = people.find(person);
    if (it == people.end()) continue;  // no longer active
    const store::PersonRecord& p = *it->second;
    const Person identity = VisibleIdentity(p.person, p.mentions, decisions.Mentions(p));
    view.people.push_back({person, identity.display_name, identity.is_child, identity.person_of_concern, entry.first,
                           std::vector<std::string>(entry.second.begin(), entry.second.end())});
  }
  return view;
}

store::NetworkView FilterNetworkView(const store::NetworkRecord& record, const Viewer& viewer,
                                     const store::ViewerAccessFacts& facts) {
  store::NetworkView view;
  view.summary.id = record.id;
  view.places = record.places;
  PeopleDecisions decisions(viewer, facts);
  std::map<int64_t, const store::PersonRecord*> people;
  for (const store::PersonRecord& p : record.people) people[p.person.id] = &p;
  for (const auto& [kind, id] : record.members) {
    if (kind == "place") {
      ++view.summary.places;
      continue;
    }
    ++(kind == "offender" ? view.summary.offenders : view.summary.children);
    auto it = people.find(id);
    if (it == people.end()) continue;
    const store::PersonRecord& p = *it->second;
    const std::vector<RecordAccess> access = decisions.Mentions(p);
    if (!AnyVisible(access)) continue;
    view.members.push_back({id, VisibleIdentity(p.person, p.mentions, access).display_name, kind});
  }
  return view;
}

bool ReviewItemVisible(const store::ReviewQueueItem& item, const Viewer& viewer,
                       const store::ViewerAccessFacts& facts) {
  PeopleDecisions decisions(viewer, facts);
  return decisions.Decide(item.left.person_id, item.left.agency_code, item.left.record_class) !=
             RecordAccess::kHidden &&
         decisions.Decide(item.right.person_id, item.right.agency_code, item.right.record_class) !=
             RecordAccess::kHidden;
}

}  // namespace riskradar::access
