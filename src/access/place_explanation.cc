// ExplainPlace: a place of concern's score, time profile, trend and hotspot (see place_explanation.h), and the
// audited read behind `riskradar explain place`.
#include "riskradar/access/place_explanation.h"

#include <fmt/format.h>

#include <algorithm>

#include "riskradar/access/audited_access.h"
#include "riskradar/network/places.h"

#include "audit_event.h"

namespace riskradar::access {
namespace {

using json = nlohmann::json;

network::TimeProfile Profile(const store::PlaceProfile& stored) {
  network::TimeProfile out;
  out.by_weekday = stored.by_weekday;
  out.by_hour = stored.by_hour;
  out.occasions = stored.occasions;
  out.timed = stored.timed;
  return out;
}

}  // namespace

PlaceExplanation ExplainPlace(const store::PlaceView& view, const std::vector<store::PlaceOfConcern>& all) {
  PlaceExplanation out;
  out.view = view;
  const Place& place = view.place.place;
  const network::TimeProfile profile = Profile(view.place.score.profile);
  out.peak_days = network::PeakDays(profile);
  out.peak_hours = network::PeakHours(profile);

  // Rank by score, then place id, as the run ranked them.
  std::vector<const store::PlaceOfConcern*> ranked;
  for (const store::PlaceOfConcern& p : all) ranked.push_back(&p);
  std::sort(ranked.begin(), ranked.end(), [](const store::PlaceOfConcern* a, const store::PlaceOfConcern* b) {
    if (a->score.score != b->score.score) return a->score.score > b->score.score;
    return a->place.id < b->place.id;
  });
  out.of_concern = static_cast<int>(ranked.size());
  PlaceHotspot& hotspot = out.hotspot;
  hotspot.type = std::string(ToString(place.type));
  hotspot.district = place.district;
  network::TimeProfile cell;
  for (size_t i = 0; i < ranked.size(); ++i) {
    const store::PlaceOfConcern& p = *ranked[i];
    if (p.place.id == place.id) out.rank = static_cast<int>(i + 1);
    if (p.place.type != place.type || p.place.district != place.district) continue;
    ++hotspot.places_of_concern;
    hotspot.score += p.score.score;
    if (p.place.id == place.id) hotspot.rank = hotspot.places_of_concern;
    const network::TimeProfile one = Profile(p.score.profile);
    for (size_t d = 0; d < cell.by_weekday.size(); ++d) cell.by_weekday[d] += one.by_weekday[d];
    for (size_t h = 0; h < cell.by_hour.size(); ++h) cell.by_hour[h] += one.by_hour[h];
    cell.occasions += one.occasions;
    cell.timed += one.timed;
  }
  hotspot.peak_days = network::PeakDays(cell);
  hotspot.peak_hours = network::PeakHours(cell);
  return out;
}

json PlaceExplanationJson(const PlaceExplanation& x) {
  const Place& place = x.view.place.place;
  const store::PlaceScore& score = x.view.place.score;
  const store::PlaceProfile& profile = score.profile;
  json people = json::array();
  for (const store::PlacePerson& p : x.view.people) {
    people.push_back({{"person", p.person_id},
                      {"name", p.name},
                      {"child", p.is_child},
                      {"person_of_concern", p.person_of_concern},
                      {"events", p.events},
                      {"access_basis", p.access_basis}});
  }
  return {{"place",
           {{"id", place.id},
            {"name", place.name},
            {"type", ToString(place.type)},
            {"postcode", place.postcode},
            {"district", place.district}}},
          {"score", score.score},
          {"rank", x.rank},
          {"places_of_concern", x.of_concern},
          {"breakdown", score.reasons},
          {"children_at_risk", score.children_at_risk},
          {"persons_of_concern", score.persons_of_concern},
          {"events", score.events},
          {"context_children", profile.context_children},
          {"profile",
           {{"occasions", profile.occasions},
            {"by_weekday", profile.by_weekday},
            {"timed", profile.timed},
            {"by_hour", profile.by_hour},
            {"peak_days", x.peak_days},
            {"peak_hours", x.peak_hours}}},
          {"trend",
           {{"trend", profile.trend},
            {"last_quarter", profile.last_quarter},
            {"previous_quarter", profile.previous_quarter}}},
          {"hotspot",
           {{"type", x.hotspot.type},
            {"district", x.hotspot.district},
            {"places_of_concern", x.hotspot.places_of_concern},
            {"score", x.hotspot.score},
            {"rank", x.hotspot.rank},
            {"peak_days", x.hotspot.peak_days},
            {"peak_hours", x.hotspot.peak_hours}}},
          {"people", people}};
}

std::string PlaceExplanationText(const PlaceExplanation& x) {
  const Place& place = x.view.place.place;
  const store::PlaceScore& score = x.view.place.score;
  const store::PlaceProfile& profile = score.profile;
  std::string out = fmt::format("Place {} {} ({}, {} {})\n", place.id, place.name, ToString(place.type), place.postcode,
                                place.district.empty() ? "district unknown" : place.district);
  out += fmt::format("Score {:g}: place of concern {} of {}\n", score.score, x.rank, x.of_concern);
  for (const std::string& reason : score.reasons) out += "  " + reason + "\n";
  static constexpr const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  out += fmt::format("When: {} occasions counted here;", profile.occasions);
  for (size_t d = 0; d < 7; ++d) out += fmt::format(" {} {}", kDays[d], profile.by_weekday[d]);
  out += "\n";
  if (!x.peak_days.empty()) out += "  busiest days: " + x.peak_days + "\n";
  if (profile.timed > 0) {
    out += fmt::format("  {} of them with a time of day; busiest hours: {}\n", profile.timed, x.peak_hours);
  } else {
    out += "  no record here gives a time of day\n";
  }
  out += fmt::format("Trend: {} ({} occasions in the last quarter, {} in the one before)\n", profile.trend,
                     profile.last_quarter, profile.previous_quarter);
  out += fmt::format("Hotspot: {} {} places of concern of this type in {} (summed score {:g}; this one ranks {})",
                     x.hotspot.places_of_concern, x.hotspot.type,
                     x.hotspot.district.empty() ? "an unknown district" : x.hotspot.district, x.hotspot.score,
                     x.hotspot.rank);
  if (!x.hotspot.peak_days.empty()) out += "; busiest " + x.hotspot.peak_days;
  if (!x.hotspot.peak_hours.empty()) out += ", " + x.hotspot.peak_hours;
  out += "\n";
  out += fmt::format("People its records name that you may see: {}\n", x.view.people.size());
  for (const store::PlacePerson& p : x.view.people) {
    out += fmt::format("  {} {} ({}{}), {} event{}\n", p.person_id, p.name, p.is_child ? "child" : "adult",
                       p.person_of_concern ? ", person of concern" : "", p.events, p.events == 1 ? "" : "s");
  }
  return out;
}

Result<PlaceExplanation> AuditedAccess::ExplainPlaceOfConcern(int64_t place_id, const Viewer& viewer, int64_t now_s,
                                                              const store::Actor& actor) {
  const std::string target = "place:" + std::to_string(place_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const std::optional<store::PlaceRecord> record, store_.ReadPlaceRecord(place_id));
  if (!record) {
    // A place that is not of concern answers like a missing one (as ReadPlaceView).
    RR_RETURN_IF_ERROR(
        unit->AppendAudit(internal::Event(actor, "read_place", target, json{{"explain", true}}, "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no such place of concern");
  }
  RR_ASSIGN_OR_RETURN(const store::PlacesOfConcernList list, store_.ListPlacesOfConcern());
  store::ViewerAccessFacts facts;
  if (MaySeeIdentifying(viewer.role)) {
    RR_ASSIGN_OR_RETURN(facts, store_.ReadViewerAccessFacts(viewer, now_s));
  }
  PlaceExplanation explanation = ExplainPlace(FilterPlaceView(*record, viewer, facts), list.places);
  RR_RETURN_IF_ERROR(unit->AppendAudit(internal::Event(
      actor, "read_place", target,
      {{"network_run", record->network_run}, {"explain", true}, {"people_shown", explanation.view.people.size()}},
      "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return explanation;
}

}  // namespace riskradar::access
