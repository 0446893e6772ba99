// The practice workflow's pure rules: validation, police disruption events, the MASE agenda, alerts.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

#include "riskradar/practice/practice.h"

namespace riskradar::practice {
namespace {

using nlohmann::json;

// Length of the UTF-8 sequence starting with `c`, or 0 for a byte that cannot start one.
size_t SequenceLength(unsigned char c) {
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return 2;
  if (c >= 0xe0 && c <= 0xef) return 3;
  if (c >= 0xf0 && c <= 0xf4) return 4;
  return 0;
}

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = SequenceLength(c);
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    if (n == 3) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0)) return false;  // overlong, surrogates
    }
    if (n == 4) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90)) return false;
    }
    i += n;
  }
  return true;
}

bool Contains(const std::vector<std::string_view>& set, std::string_view s) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

const std::vector<std::string_view> kActionStatuses = {"open", "done", "cancelled"};
const std::vector<std::string_view> kLinkKinds = {"child", "person", "place", "network", "meeting"};
const std::vector<std::string_view> kDisruptionKinds = {
    "cawn", "sexual_risk_order", "sexual_harm_prevention_order", "hotel_notice", "licensing_review", "closure_order",
    "other"};
const std::vector<std::string_view> kDisruptionStatuses = {"active", "expired", "revoked", "discharged"};

bool OnRadar(const store::RadarFact& f) { return f.is_child && f.level && *f.level >= RiskLevel::kAtRisk; }

std::string LinkKey(const ConcernLink& l) {
  return std::string(l.place ? "l:" : "p:") + std::to_string(l.child_id) + ":" + std::to_string(l.other_id);
}

}  // namespace

// ---------------------------------------------------------------- validation

Status CheckText(std::string_view field, std::string_view value, size_t min, size_t max) {
  const std::string f(field);
  if (value.size() < min || value.size() > max) {
    return Status::InvalidArgument(f + ": give " + std::to_string(min) + " to " + std::to_string(max) +
                                   " characters (got " + std::to_string(value.size()) + ")");
  }
  if (!ValidUtf8(value)) return Status::InvalidArgument(f + ": not valid UTF-8");
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      return Status::InvalidArgument(f + ": control characters are not allowed");
    }
  }
  return Status::Ok();
}

Result<Date> ParseDateField(std::string_view field, std::string_view value) {
  const std::string f(field);
  if (value.size() != 10) return Status::InvalidArgument(f + ": give a date as YYYY-MM-DD");
  auto d = Date::ParseIso(value);
  if (!d.ok()) return Status::InvalidArgument(f + ": not a valid date (YYYY-MM-DD)");
  if (d->year() < 2000 || d->year() > 2100) return Status::InvalidArgument(f + ": a date from 2000 to 2100");
  return *d;
}

Result<int64_t> ParseIdField(std::string_view field, std::string_view value) {
  int64_t out = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (value.empty() || value.size() > 18 || ec != std::errc() || end != value.data() + value.size() || out < 1) {
    return Status::InvalidArgument(std::string(field) + ": give a positive id");
  }
  return out;
}

bool IsActionStatus(std::string_view s) { return Contains(kActionStatuses, s); }
bool IsActionLinkKind(std::string_view s) { return Contains(kLinkKinds, s); }
bool IsDisruptionKind(std::string_view s) { return Contains(kDisruptionKinds, s); }
bool IsDisruptionStatus(std::string_view s) { return Contains(kDisruptionStatuses, s); }
const std::vector<std::string_view>& DisruptionKinds() { return kDisruptionKinds; }

Status CheckActionTransition(std::string_view from, std::string_view to, std::string_view reason) {
  if (!IsActionStatus(to)) return Status::InvalidArgument("status: one of open, done, cancelled");
  if (from == to) return Status::Ok();
  if (to == "cancelled" && reason.empty()) return Status::InvalidArgument("status_reason: say why it is cancelled");
  if (to == "open" && reason.empty()) return Status::InvalidArgument("status_reason: say why it is reopened");
  return Status::Ok();
}

Status CheckDisruptionTransition(std::string_view from, std::string_view to) {
  if (!IsDisruptionStatus(to)) return Status::InvalidArgument("status: one of active, expired, revoked, discharged");
  if (from == to) return Status::Ok();
  if (from != "active") {
    return Status::InvalidArgument("status: a disruption that is " + std::string(from) + " cannot become " +
                                   std::string(to));
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- police disruption events

std::optional<store::DisruptionRecord> DisruptionFromEvent(const store::EventRow& row) {
  if (row.event.kind != EventKind::kDisruption) return std::nullopt;
  store::DisruptionRecord d;
  const std::string& c = row.event.category;
  std::optional<int> valid_days;
  if (c == "cawn") {
    d.kind = "cawn";
    valid_days = 730;
  } else if (c == "sexual_risk_order") {
    d.kind = "sexual_risk_order";
    valid_days = 730;
  } else if (c == "hotel_notice") {
    d.kind = "hotel_notice";
    valid_days = 183;
  } else if (c == "licensing_referral") {
    d.kind = "licensing_review";
  } else {
    return std::nullopt;
  }
  if (row.subject_person_id == 0 && row.place_id == 0) return std::nullopt;
  d.person_id = row.subject_person_id;
  d.place_id = row.place_id;
  d.issuing_agency = row.agency_code;
  d.issued = row.event.date;
  if (valid_days) d.expires = row.event.date.AddDays(*valid_days);
  d.status = "active";
  d.source_event_id = row.event.id;
  d.note = "imported from police record " + row.local_id;
  d.created_by = "import";
  return d;
}

// ---------------------------------------------------------------- the MASE agenda

std::vector<store::AgendaItem> GenerateAgenda(const AgendaInputs& in, std::string_view district, Date date,
                                              const AgendaOptions& options) {
  // Missing episodes per child, counted once per resolved event, up to the meeting date.
  std::map<int64_t, std::set<int64_t>> episodes;
  std::map<int64_t, Date> latest;
  for (const auto& m : in.missing) {
    if (m.date > date) continue;
    episodes[m.person_id].insert(m.resolved_event_id);
    auto [it, fresh] = latest.emplace(m.person_id, m.date);
    if (!fresh && m.date > it->second) it->second = m.date;
  }
  std::vector<store::AgendaItem> out;
  for (const auto& f : in.radar) {
    if (!f.is_child || f.district != district) continue;
    std::vector<std::string> reasons;
    const RiskLevel prev = f.previous_level.value_or(RiskLevel::kNoCurrentRisk);
    if (f.level && *f.level == RiskLevel::kSerious && (!f.previous_level || prev < RiskLevel::kSerious)) {
      reasons.push_back("new_serious");
    } else if (f.level && *f.level == RiskLevel::kSignificant &&
               (!f.previous_level || prev < RiskLevel::kSignificant)) {
      reasons.push_back("new_significant");
    }
    if (f.level && f.previous_level && *f.level > *f.previous_level) reasons.push_back("rising");
    auto ep = episodes.find(f.person_id);
    if (ep != episodes.end() && ep->second.size() >= 2 && date - latest[f.person_id] <= options.lookback_days) {
      reasons.push_back("missing_again");
    }
    // An overdue review tables a child on the radar only (at risk or above): a child with no concerns identified is
    // not a matter for the panel, and tabling every one of them buried the agenda (1,000 of 1,074 items in the demo).
    if (in.review_overdue.count(f.person_id) && f.level && *f.level >= RiskLevel::kAtRisk) {
      reasons.push_back("review_overdue");
    }
    if (reasons.empty()) continue;
    store::AgendaItem item;
    item.person_id = f.person_id;
    item.source = "generated";
    for (size_t i = 0; i < reasons.size(); ++i) item.reasons += (i ? "," : "") + reasons[i];
    out.push_back(std::move(item));
  }
  std::vector<int64_t> places = in.places_of_concern;
  std::sort(places.begin(), places.end());
  places.erase(std::unique(places.begin(), places.end()), places.end());
  for (int64_t place : places) {
    if (in.places_already_tabled.count(place)) continue;
    store::AgendaItem item;
    item.place_id = place;
    item.source = "generated";
    item.reasons = "new_place_of_concern";
    out.push_back(std::move(item));
  }
  return out;
}

// ---------------------------------------------------------------- practitioner alerts

std::string BaselineToJson(const AlertBaseline& b) {
  json levels = json::object();
  for (const auto& [id, level] : b.levels) levels[std::to_string(id)] = std::string(ToString(level));
  return json{{"event_watermark", b.event_watermark}, {"levels", levels}, {"links", b.links}}.dump();
}

Result<AlertBaseline> BaselineFromJson(std::string_view text) {
  AlertBaseline b;
  if (text.empty()) return b;
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("event_watermark") || !j["event_watermark"].is_number_integer() ||
      !j.contains("levels") || !j["levels"].is_object() || !j.contains("links") || !j["links"].is_array()) {
    return Status::Corruption("the alert baseline is not the expected JSON");
  }
  b.set = true;
  b.event_watermark = j["event_watermark"].get<int64_t>();
  for (const auto& [key, value] : j["levels"].items()) {
    int64_t id = 0;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
    if (ec != std::errc() || end != key.data() + key.size() || !value.is_string()) {
      return Status::Corruption("the alert baseline has a bad level entry");
    }
    RR_ASSIGN_OR_RETURN(RiskLevel level, ParseRiskLevel(value.get<std::string>()));
    b.levels[id] = level;
  }
  for (const auto& l : j["links"]) {
    if (!l.is_string()) return Status::Corruption("the alert baseline has a bad link entry");
    b.links.insert(l.get<std::string>());
  }
  return b;
}

std::vector<store::AlertRecipient> RecipientsFor(int64_t person_id, const AlertInputs& in) {
  std::map<std::string, std::string> who;  // name -> why
  std::set<std::string> agencies;
  auto lo = std::lower_bound(in.holders.begin(), in.holders.end(), person_id,
                             [](const store::RelationshipHolder& h, int64_t id) { return h.person_id < id; });
  for (auto it = lo; it != in.holders.end() && it->person_id == person_id; ++it) {
    who.emplace(it->user_name, it->kind);
    agencies.insert(it->agency_code);
  }
  for (const AlertUser& u : in.users) {
    if (u.role == Role::kManager && agencies.count(u.agency_code)) who.emplace(u.name, "manager");
  }
  std::vector<store::AlertRecipient> out;
  for (auto& [name, why] : who) out.push_back({name, why});
  return out;
}

namespace {

void AddRecipient(std::vector<store::AlertRecipient>& to, const std::string& name, const std::string& why) {
  for (const auto& r : to) {
    if (r.user_name == name) return;
  }
  to.push_back({name, why});
  std::sort(to.begin(), to.end(), [](const auto& a, const auto& b) { return a.user_name < b.user_name; });
}

bool KnownUser(const AlertInputs& in, std::string_view name) {
  return std::any_of(in.users.begin(), in.users.end(), [&](const AlertUser& u) { return u.name == name; });
}

}  // namespace

AlertDerivation DeriveAlerts(const AlertBaseline& before, const AlertInputs& in, Date today,
                             const AlertOptions& options) {
  AlertDerivation out;
  AlertBaseline& next = out.baseline;
  next.set = true;
  next.event_watermark = std::max(before.event_watermark, in.max_event_id);

  std::map<int64_t, const store::RadarFact*> on_radar;
  for (const auto& f : in.radar) {
    if (!f.is_child || !f.level) continue;
    next.levels[f.person_id] = *f.level;
    if (OnRadar(f)) on_radar[f.person_id] = &f;
  }
  auto alert_for = [&](std::string key, std::string kind, int64_t person, std::vector<int64_t> evidence,
                       std::string evidence_kind, std::string detail) -> store::NewAlert& {
    store::NewAlert a;
    a.key = std::move(key);
    a.kind = std::move(kind);
    a.person_id = person;
    a.evidence = std::move(evidence);
    a.evidence_kind = std::move(evidence_kind);
    a.detail = std::move(detail);
    if (person != 0) a.recipients = RecipientsFor(person, in);
    out.alerts.push_back(std::move(a));
    return out.alerts.back();
  };

  // Links of children on the radar to adults and places of concern (every one is remembered).
  std::map<std::string, const ConcernLink*> links;
  for (const ConcernLink& l : in.links) {
    if (!on_radar.count(l.child_id)) continue;
    const std::string key = LinkKey(l);
    auto [it, fresh] = links.emplace(key, &l);
    if (!fresh && l.event_id < it->second->event_id) it->second = &l;
    next.links.insert(key);
  }

  if (before.set) {
    // New missing episodes: one alert per resolved event, naming every record of it.
    std::map<std::pair<int64_t, int64_t>, std::vector<int64_t>> episodes;  // (child, resolved) -> events
    for (const auto& m : in.missing) {
      if (m.event_id <= before.event_watermark || !on_radar.count(m.person_id)) continue;
      episodes[{m.person_id, m.resolved_event_id}].push_back(m.event_id);
    }
    for (auto& [k, events] : episodes) {
      std::sort(events.begin(), events.end());
      alert_for("missing:" + std::to_string(k.first) + ":" + std::to_string(k.second), "missing_episode", k.first,
                events, "event", "a new missing episode was recorded");
    }
    for (const auto& [id, f] : on_radar) {
      auto it = before.levels.find(id);
      const RiskLevel was = it == before.levels.end() ? RiskLevel::kNoCurrentRisk : it->second;
      if (*f->level <= was) continue;
      alert_for("level:" + std::to_string(id) + ":" + std::to_string(f->assessment_id) + ":" +
                    std::string(ToString(*f->level)),
                "level_rise", id, {f->assessment_id}, "assessment",
                "level rose from " + std::string(ToString(was)) + " to " + std::string(ToString(*f->level)));
    }
    for (const auto& [key, l] : links) {
      if (before.links.count(key)) continue;
      alert_for("link:" + key, "new_link", l->child_id, {l->event_id}, "event",
                l->place ? "newly linked to place of concern " + std::to_string(l->other_id)
                         : "newly linked to person of concern " + std::to_string(l->other_id));
    }
  }

  // State-based alerts (raised from the first run on; the key keeps them once-only).
  for (const auto& a : in.actions) {
    if (a.status != "open" || !(a.due < today)) continue;
    const int64_t person = (a.link_kind == "child" || a.link_kind == "person") ? a.link_id : 0;
    store::NewAlert& alert =
        alert_for("action_overdue:" + std::to_string(a.id) + ":" + a.due.ToIso(), "action_overdue", person, {a.id},
                  "action", "action " + std::to_string(a.id) + " was due on " + a.due.ToIso());
    if (KnownUser(in, a.owner_user)) AddRecipient(alert.recipients, a.owner_user, "action_owner");
  }
  // The children a disruption protects: its subject if a child, and every child on the radar tied to its
  // subject or place.
  auto children_of = [&](const store::DisruptionRecord& d) {
    std::set<int64_t> out_ids;
    if (d.person_id != 0 && on_radar.count(d.person_id)) out_ids.insert(d.person_id);
    for (const auto& [key, l] : links) {
      if ((!l->place && d.person_id != 0 && l->other_id == d.person_id) ||
          (l->place && d.place_id != 0 && l->other_id == d.place_id)) {
        out_ids.insert(l->child_id);
      }
    }
    return out_ids;
  };
  for (const auto& d : in.disruptions) {
    std::set<int64_t> children;
    bool children_known = false;
    auto children_once = [&]() -> const std::set<int64_t>& {
      if (!children_known) children = children_of(d);
      children_known = true;
      return children;
    };
    if (d.status == "active" && d.expires && !(*d.expires < today) &&
        *d.expires - today <= options.expiry_warning_days) {
      const std::string base = "disruption_expiring:" + std::to_string(d.id) + ":" + d.expires->ToIso();
      const std::string detail = d.kind + " " + std::to_string(d.id) + " expires on " + d.expires->ToIso();
      for (int64_t child : children_once()) {
        alert_for(base + ":" + std::to_string(child), "disruption_expiring", child, {d.id}, "disruption", detail);
      }
      if (children_once().empty() && KnownUser(in, d.created_by)) {
        alert_for(base, "disruption_expiring", 0, {d.id}, "disruption", detail)
            .recipients.push_back({d.created_by, "recorded_by"});
      }
    }
    for (const auto& b : d.breaches) {
      const std::string base = "breach:" + std::to_string(b.id);
      const std::string detail = d.kind + " " + std::to_string(d.id) + " was breached on " + b.date.ToIso();
      for (int64_t child : children_once()) {
        alert_for(base + ":" + std::to_string(child), "disruption_breached", child, {d.id, b.id}, "breach", detail);
      }
      if (children_once().empty() && KnownUser(in, d.created_by)) {
        alert_for(base, "disruption_breached", 0, {d.id, b.id}, "breach", detail)
            .recipients.push_back({d.created_by, "recorded_by"});
      }
    }
  }
  // An alert nobody would receive is not raised.
  out.alerts.erase(std::remove_if(out.alerts.begin(), out.alerts.end(),
                                  [](const store::NewAlert& a) { return a.recipients.empty(); }),
                   out.alerts.end());
  return out;
}

ConcernSets ConcernSetsOf(const std::vector<store::RadarFact>& radar, const store::NetworkOutput& networks) {
  ConcernSets out;
  for (const auto& f : radar) {
    if (OnRadar(f)) out.children.insert(f.person_id);
    if (f.person_of_concern && !f.is_child) out.persons.insert(f.person_id);
  }
  for (const auto& p : networks.persons) {
    if (p.suspected_offender) out.persons.insert(p.person_id);
  }
  for (const auto& p : networks.places) {
    if (p.of_concern) out.places.insert(p.place_id);
  }
  return out;
}

EventFacts EventFactsOf(const std::vector<store::EventRow>& events, int64_t watermark, const ConcernSets& concern) {
  EventFacts out;
  for (const auto& e : events) {
    if (auto d = DisruptionFromEvent(e)) out.disruptions.push_back(std::move(*d));
    out.max_event_id = std::max(out.max_event_id, e.event.id);
    if (e.event.kind == EventKind::kMissingEpisode && e.subject_person_id != 0 && e.event.id > watermark) {
      out.missing.push_back(
          {e.event.id, e.resolved_event_id != 0 ? e.resolved_event_id : e.event.id, e.subject_person_id, e.event.date});
    }
    if (!concern.children.count(e.subject_person_id)) continue;
    if (e.associate_person_id != 0 && concern.persons.count(e.associate_person_id)) {
      out.links.push_back({e.subject_person_id, e.associate_person_id, false, e.event.id});
    }
    if (e.place_id != 0 && concern.places.count(e.place_id)) {
      out.links.push_back({e.subject_person_id, e.place_id, true, e.event.id});
    }
  }
  return out;
}

std::optional<store::NewAlert> ReviewOverdueAlert(int64_t person_id, int64_t assessment_id, Date next_review,
                                                  Date today, const AlertInputs& in) {
  if (!(next_review < today)) return std::nullopt;
  store::NewAlert a;
  a.key = "review_overdue:" + std::to_string(person_id) + ":" + next_review.ToIso();
  a.kind = "review_overdue";
  a.person_id = person_id;
  a.evidence = {assessment_id};
  a.evidence_kind = "assessment";
  a.detail = "the review was due on " + next_review.ToIso();
  a.recipients = RecipientsFor(person_id, in);
  if (a.recipients.empty()) return std::nullopt;
  return a;
}

}  // namespace riskradar::practice
