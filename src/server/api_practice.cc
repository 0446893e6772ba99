// The practice workflow (issue 13 items 2, 4, 5, 6): actions and the disruption tracker (updates with If-Match),
// MASE meetings (agenda, minutes, close), and the caller's practitioner alerts. Every read and write goes
// through access::Practice (access/practice.h): need-to-know filtering and the audit event in one unit of work.
#include <charconv>

#include "api.h"
#include "query_params.h"
#include "riskradar/access/practice.h"
#include "riskradar/core/json_text.h"
#include "riskradar/practice/practice.h"

namespace riskradar::server {
namespace {

constexpr const char* kPurpose = "safeguarding practice";

json OptId(int64_t id) { return id == 0 ? json(nullptr) : json(id); }
json OptText(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json ActionJson(const store::ActionRecord& a, Date today) {
  return {{"id", a.id},
          {"version", a.version},
          {"title", a.title},
          {"owner_agency", a.owner_agency},
          {"owner_user", a.owner_user},
          {"due", a.due.ToIso()},
          {"status", a.status},
          {"status_reason", a.status_reason},
          {"overdue", a.status == "open" && a.due < today},
          {"link", {{"kind", a.link_kind}, {"id", a.link_id}}},
          {"created_by", a.created_by},
          {"created_agency", a.created_agency},
          {"created_at", a.created_at},
          {"updated_at", a.updated_at}};
}

json DisruptionJson(const store::DisruptionRecord& d) {
  json breaches = json::array();
  for (const auto& b : d.breaches) {
    breaches.push_back({{"id", b.id},
                        {"date", b.date.ToIso()},
                        {"note", b.note},
                        {"recorded_by", b.recorded_by},
                        {"recorded_at", b.recorded_at}});
  }
  return {{"id", d.id},
          {"version", d.version},
          {"kind", d.kind},
          {"person_id", OptId(d.person_id)},
          {"place_id", OptId(d.place_id)},
          {"issuing_agency", d.issuing_agency},
          {"issued", d.issued.ToIso()},
          {"expires", d.expires ? json(d.expires->ToIso()) : json(nullptr)},
          {"status", d.status},
          {"source_event_id", OptId(d.source_event_id)},
          {"note", d.note},
          {"created_by", d.created_by},
          {"created_at", d.created_at},
          {"updated_at", d.updated_at},
          {"breaches", breaches}};
}

json MeetingJson(const store::MeetingRecord& m, bool with_agenda) {
  json out = {{"id", m.id},
              {"version", m.version},
              {"district", m.district},
              {"date", m.date.ToIso()},
              {"period_end", m.period_end.ToIso()},
              {"chair", m.chair},
              {"chair_agency", m.chair_agency},
              {"panel", m.panel},
              {"status", m.status},
              {"created_by", m.created_by},
              {"created_at", m.created_at}};
  if (!with_agenda) return out;
  json agenda = json::array();
  for (const auto& i : m.agenda) {
    json reasons = json::array();
    size_t start = 0;
    while (start <= i.reasons.size() && !i.reasons.empty()) {
      const size_t comma = i.reasons.find(',', start);
      reasons.push_back(i.reasons.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    agenda.push_back({{"id", i.id},
                      {"person_id", OptId(i.person_id)},
                      {"place_id", OptId(i.place_id)},
                      {"reasons", reasons},
                      {"source", i.source},
                      {"note", i.note},
                      {"removed", i.removed},
                      {"removal_reason", i.removal_reason},
                      {"minutes", i.minutes},
                      {"minutes_by", i.minutes_by},
                      {"minutes_at", OptText(i.minutes_at)},
                      {"added_by", i.added_by},
                      {"added_at", i.added_at}});
  }
  out["agenda"] = agenda;
  return out;
}

// A valid UTF-8 sequence (what nlohmann::json's dump() accepts: no overlong forms, surrogates or code points
// above U+10FFFF).
bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  const auto cont = [&](size_t k, unsigned char lo, unsigned char hi) {
    if (i + k >= s.size()) return false;
    const auto c = static_cast<unsigned char>(s[i + k]);
    return c >= lo && c <= hi;
  };
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    if (c < 0x80) {
      n = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = cont(1, 0x80, 0xBF) ? 2 : 0;
    } else if (c == 0xE0) {
      n = cont(1, 0xA0, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      n = cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
    } else if (c == 0xED) {
      n = cont(1, 0x80, 0x9F) && cont(2, 0x80, 0xBF) ? 3 : 0;
    } else if (c == 0xF0) {
      n = cont(1, 0x90, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
    } else if (c >= 0xF1 && c <= 0xF3) {
      n = cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
    } else if (c == 0xF4) {
      n = cont(1, 0x80, 0x8F) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
    }
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// Appends `s` as a JSON string, byte for byte as nlohmann::json's dump() writes it (core/json_text.h). Text that
// is not valid UTF-8 goes through dump() itself, which refuses it as before.
void AppendJsonText(std::string& out, std::string_view s) {
  if (!ValidUtf8(s)) {
    out += json(std::string(s)).dump();
    return;
  }
  AppendJsonString(out, s);
}

// MeetingJson(m, true).dump(), written directly: the same bytes (keys in nlohmann::json's sorted order), without
// building a tree of every agenda item. The MASE agenda is read by the whole panel at once and can list hundreds
// of children; building and dumping the tree was most of a read's CPU (bench/README.md, issue 13).
std::string MeetingBody(const store::MeetingRecord& m) {
  std::string out;
  out.reserve(512 + m.agenda.size() * 320);
  const auto key = [&](const char* k) {
    out += '"';
    out += k;
    out += "\":";
  };
  const auto text = [&](const char* k, std::string_view v) {
    key(k);
    AppendJsonText(out, v);
    out += ',';
  };
  const auto number = [&](const char* k, int64_t v) {
    key(k);
    out += std::to_string(v);
    out += ',';
  };
  out += "{\"agenda\":[";
  for (size_t n = 0; n < m.agenda.size(); ++n) {
    const store::AgendaItem& i = m.agenda[n];
    if (n) out += ',';
    out += '{';
    text("added_at", i.added_at);
    text("added_by", i.added_by);
    number("id", i.id);
    text("minutes", i.minutes);
    key("minutes_at");
    if (i.minutes_at.empty()) {
      out += "null";
    } else {
      AppendJsonText(out, i.minutes_at);
    }
    out += ',';
    text("minutes_by", i.minutes_by);
    text("note", i.note);
    key("person_id");
    out += i.person_id == 0 ? std::string("null") : std::to_string(i.person_id);
    out += ',';
    key("place_id");
    out += i.place_id == 0 ? std::string("null") : std::to_string(i.place_id);
    out += ',';
    key("reasons");
    out += '[';
    size_t start = 0;
    bool first = true;
    while (start <= i.reasons.size() && !i.reasons.empty()) {
      const size_t comma = i.reasons.find(',', start);
      if (!first) out += ',';
      first = false;
      AppendJsonText(out, std::string_view(i.reasons).substr(
                              start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    out += "],";
    text("removal_reason", i.removal_reason);
    key("removed");
    out += i.removed ? "true," : "false,";
    key("source");
    AppendJsonText(out, i.source);
    out += '}';
  }
  out += "],";
  text("chair", m.chair);
  text("chair_agency", m.chair_agency);
  text("created_at", m.created_at);
  text("created_by", m.created_by);
  text("date", m.date.ToIso());
  text("district", m.district);
  number("id", m.id);
  key("panel");
  out += '[';
  for (size_t n = 0; n < m.panel.size(); ++n) {
    if (n) out += ',';
    AppendJsonText(out, m.panel[n]);
  }
  out += "],";
  text("period_end", m.period_end.ToIso());
  text("status", m.status);
  key("version");
  out += std::to_string(m.version);
  out += '}';
  return out;
}

json AlertJson(const store::AlertRow& a) {
  return {{"id", a.id},
          {"kind", a.kind},
          {"person_id", OptId(a.person_id)},
          {"evidence", {{"kind", a.evidence_kind}, {"ids", a.evidence}}},
          {"detail", a.detail},
          {"raised_at", a.raised_at},
          {"why", a.why},
          {"acknowledged_at", OptText(a.acknowledged_at)},
          {"note", a.note}};
}

// An optional id field of a body: 0 when absent; a 400 naming it when it is not a positive id.
Result<int64_t> OptionalIdField(const std::map<std::string, std::string>& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end()) return int64_t{0};
  return practice::ParseIdField(field, it->second);
}

Result<std::string> RequiredField(const std::map<std::string, std::string>& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end()) return Status::InvalidArgument(std::string(field) + ": required");
  return it->second;
}

std::optional<std::string> OptionalField(const std::map<std::string, std::string>& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end()) return std::nullopt;
  return it->second;
}

}  // namespace

// ---------------------------------------------------------------- actions

void Server::Impl::ActionsList(RouteContext& ctx) {
  access::ActionQuery q;
  q.today = Date::FromUnixSeconds(Now());
  const std::string overdue = QueryText(ctx.req, "overdue");
  if (!overdue.empty() && overdue != "0" && overdue != "1") {
    return SendError(ctx.res, Status::InvalidArgument("overdue: 0 or 1"));
  }
  q.overdue_only = overdue == "1";
  q.link_kind = QueryText(ctx.req, "link_kind");
  const std::string link_id = QueryText(ctx.req, "link_id");
  if (q.link_kind.empty() != link_id.empty()) {
    return SendError(ctx.res, Status::InvalidArgument("link_kind, link_id: give both or neither"));
  }
  if (!q.link_kind.empty()) {
    if (!practice::IsActionLinkKind(q.link_kind)) {
      return SendError(ctx.res, Status::InvalidArgument("link_kind: one of child, person, place, network, meeting"));
    }
    auto id = practice::ParseIdField("link_id", link_id);
    if (!id.ok()) return SendError(ctx.res, id.status());
    q.link_id = *id;
  }
  auto rows = access::Practice(*ctx.store, &person_cache).ListActions(ctx.viewer(), q, Now(), ctx.actor(kPurpose));
  if (!rows.ok()) return SendError(ctx.res, rows.status());
  json items = json::array();
  for (const auto& a : *rows) items.push_back(ActionJson(a, q.today));
  SendJson(ctx.res, 200, {{"actions", items}});
}

void Server::Impl::ActionCreate(RouteContext& ctx) {
  auto body = ParseBody(ctx.req, {"title", "owner_agency", "owner_user", "due", "link_kind", "link_id"});
  if (!body.ok()) return SendError(ctx.res, body.status());
  access::ActionInput in;
  for (auto [field, out] : {std::pair{"title", &in.title}, std::pair{"owner_agency", &in.owner_agency},
                            std::pair{"owner_user", &in.owner_user}, std::pair{"link_kind", &in.link_kind}}) {
    auto v = RequiredField(*body, field);
    if (!v.ok()) return SendError(ctx.res, v.status());
    *out = *v;
  }
  auto due = RequiredField(*body, "due");
  if (!due.ok()) return SendError(ctx.res, due.status());
  auto due_date = practice::ParseDateField("due", *due);
  if (!due_date.ok()) return SendError(ctx.res, due_date.status());
  in.due = *due_date;
  auto link_id = RequiredField(*body, "link_id");
  if (!link_id.ok()) return SendError(ctx.res, link_id.status());
  auto id = practice::ParseIdField("link_id", *link_id);
  if (!id.ok()) return SendError(ctx.res, id.status());
  in.link_id = *id;
  auto a = access::Practice(*ctx.store, &person_cache).CreateAction(ctx.viewer(), in, Now(), ctx.actor(kPurpose));
  if (!a.ok()) return SendError(ctx.res, a.status());
  ctx.res.set_header("ETag", ETag(a->version));
  SendJson(ctx.res, 201, ActionJson(*a, Date::FromUnixSeconds(Now())));
}

void Server::Impl::ActionUpdate(RouteContext& ctx) {
  auto id = ctx.params.Id("id", "action");
  if (!id.ok()) return SendError(ctx.res, id.status());
  auto body = ParseBody(ctx.req, {"owner_agency", "owner_user", "due", "status", "status_reason"});
  if (!body.ok()) return SendError(ctx.res, body.status());
  if (body->empty()) return SendError(ctx.res, Status::InvalidArgument("the body changes nothing"));
  access::ActionChange change;
  change.owner_agency = OptionalField(*body, "owner_agency");
  change.owner_user = OptionalField(*body, "owner_user");
  change.status = OptionalField(*body, "status");
  change.status_reason = OptionalField(*body, "status_reason");
  if (auto due = OptionalField(*body, "due")) {
    auto d = practice::ParseDateField("due", *due);
    if (!d.ok()) return SendError(ctx.res, d.status());
    change.due = *d;
  }
  if (!ctx.req.has_header("If-Match")) {
    return SendHttpError(ctx.res, 428, "send If-Match with the ETag (the action's version) you last read");
  }
  const int64_t expected = VersionFromIfMatch(ctx.req.get_header_value("If-Match")).value_or(0);
  auto w = access::Practice(*ctx.store, &person_cache)
               .UpdateAction(ctx.viewer(), *id, expected, change, Now(), ctx.actor(kPurpose));
  if (!w.ok()) return SendError(ctx.res, w.status());
  ctx.res.set_header("ETag", ETag(w->row.version));
  if (w->outcome == access::WriteOutcome::kStale) {
    return SendHttpError(ctx.res, 412, "the action has changed since you read it; read it again first");
  }
  SendJson(ctx.res, 200, ActionJson(w->row, Date::FromUnixSeconds(Now())));
}

// ---------------------------------------------------------------- disruptions

void Server::Impl::DisruptionsList(RouteContext& ctx) {
  auto rows = access::Practice(*ctx.store, &person_cache).ListDisruptions(ctx.viewer(), Now(), ctx.actor(kPurpose));
  if (!rows.ok()) return SendError(ctx.res, rows.status());
  json items = json::array();
  for (const auto& d : *rows) items.push_back(DisruptionJson(d));
  SendJson(ctx.res, 200, {{"disruptions", items}});
}

void Server::Impl::DisruptionCreate(RouteContext& ctx) {
  auto body = ParseBody(ctx.req, {"kind", "person_id", "place_id", "issuing_agency", "issued", "expires", "note"});
  if (!body.ok()) return SendError(ctx.res, body.status());
  access::DisruptionInput in;
  auto kind = RequiredField(*body, "kind");
  if (!kind.ok()) return SendError(ctx.res, kind.status());
  in.kind = *kind;
  auto agency = RequiredField(*body, "issuing_agency");
  if (!agency.ok()) return SendError(ctx.res, agency.status());
  in.issuing_agency = *agency;
  auto person = OptionalIdField(*body, "person_id");
  if (!person.ok()) return SendError(ctx.res, person.status());
  auto place = OptionalIdField(*body, "place_id");
  if (!place.ok()) return SendError(ctx.res, place.status());
  in.person_id = *person;
  in.place_id = *place;
  auto issued = RequiredField(*body, "issued");
  if (!issued.ok()) return SendError(ctx.res, issued.status());
  auto issued_date = practice::ParseDateField("issued", *issued);
  if (!issued_date.ok()) return SendError(ctx.res, issued_date.status());
  in.issued = *issued_date;
  if (auto expires = OptionalField(*body, "expires")) {
    auto d = practice::ParseDateField("expires", *expires);
    if (!d.ok()) return SendError(ctx.res, d.status());
    in.expires = *d;
  }
  in.note = OptionalField(*body, "note").value_or("");
  auto d = access::Practice(*ctx.store, &person_cache).CreateDisruption(ctx.viewer(), in, Now(), ctx.actor(kPurpose));
  if (!d.ok()) return SendError(ctx.res, d.status());
  ctx.res.set_header("ETag", ETag(d->version));
  SendJson(ctx.res, 201, DisruptionJson(*d));
}

void Server::Impl::DisruptionUpdate(RouteContext& ctx) {
  auto id = ctx.params.Id("id", "disruption");
  if (!id.ok()) return SendError(ctx.res, id.status());
  auto body = ParseBody(ctx.req, {"status", "expires", "note"});
  if (!body.ok()) return SendError(ctx.res, body.status());
  if (body->empty()) return SendError(ctx.res, Status::InvalidArgument("the body changes nothing"));
  access::DisruptionChange change;
  change.status = OptionalField(*body, "status");
  change.note = OptionalField(*body, "note");
  if (auto expires = OptionalField(*body, "expires")) {
    auto d = practice::ParseDateField("expires", *expires);
    if (!d.ok()) return SendError(ctx.res, d.status());
    change.expires = *d;
  }
  if (!ctx.req.has_header("If-Match")) {
    return SendHttpError(ctx.res, 428, "send If-Match with the ETag (the disruption's version) you last read");
  }
  const int64_t expected = VersionFromIfMatch(ctx.req.get_header_value("If-Match")).value_or(0);
  auto w = access::Practice(*ctx.store, &person_cache)
               .UpdateDisruption(ctx.viewer(), *id, expected, change, Now(), ctx.actor(kPurpose));
  if (!w.ok()) return SendError(ctx.res, w.status());
  ctx.res.set_header("ETag", ETag(w->row.version));
  if (w->outcome == access::WriteOutcome::kStale) {
    return SendHttpError(ctx.res, 412, "the disruption has changed since you read it; read it again first");
  }
  SendJson(ctx.res, 200, DisruptionJson(w->row));
}

void Server::Impl::DisruptionBreach(RouteContext& ctx) {
  auto id = ctx.params.Id("id", "disruption");
  if (!id.ok()) return SendError(ctx.res, id.status());
  auto body = ParseBody(ctx.req, {"date", "note"});
  if (!body.ok()) return SendError(ctx.res, body.status());
  auto date = RequiredField(*body, "date");
  if (!date.ok()) return SendError(ctx.res, date.status());
  auto d = practice::ParseDateField("date", *date);
  if (!d.ok()) return SendError(ctx.res, d.status());
  auto note = RequiredField(*body, "note");
  if (!note.ok()) return SendError(ctx.res, note.status());
  auto out = access::Practice(*ctx.store, &person_cache)
                 .RecordBreach(ctx.viewer(), *id, *d, *note, Now(), ctx.actor(kPurpose));
  if (!out.ok()) return SendError(ctx.res, out.status());
  ctx.res.set_header("ETag", ETag(out->version));
  SendJson(ctx.res, 201, DisruptionJson(*out));
}

// ---------------------------------------------------------------- MASE meetings

void Server::Impl::MeetingsList(RouteContext& ctx) {
  auto rows = access::Practice(*ctx.store, &person_cache).ListMeetings(ctx.viewer(), Now(), ctx.actor(kPurpose));
  if (!rows.ok()) return SendError(ctx.res, rows.status());
  json items = json::array();
  for (const auto& m : *rows) items.push_back(MeetingJson(m, false));
  SendJson(ctx.res, 200, {{"meetings", items}});
}

void Server::Impl::MeetingCreate(RouteContext& ctx) {
  auto body = ParseBody(ctx.req, {"district", "date", "chair", "panel", "period_days"});
  if (!body.ok()) return SendError(ctx.res, body.status());
  access::MeetingInput in;
  auto district = RequiredField(*body, "district");
  if (!district.ok()) return SendError(ctx.res, district.status());
  in.district = *district;
  auto chair = RequiredField(*body, "chair");
  if (!chair.ok()) return SendError(ctx.res, chair.status());
  in.chair = *chair;
  auto date = RequiredField(*body, "date");
  if (!date.ok()) return SendError(ctx.res, date.status());
  auto d = practice::ParseDateField("date", *date);
  if (!d.ok()) return SendError(ctx.res, d.status());
  in.date = *d;
  if (auto panel = OptionalField(*body, "panel")) {
    if (panel->size() > 2000) return SendError(ctx.res, Status::InvalidArgument("panel: at most 2000 characters"));
    size_t start = 0;
    while (start <= panel->size()) {
      const size_t comma = panel->find(',', start);
      std::string name = panel->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      while (!name.empty() && name.front() == ' ') name.erase(name.begin());
      while (!name.empty() && name.back() == ' ') name.pop_back();
      if (!name.empty()) in.panel.push_back(name);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  if (auto period = OptionalField(*body, "period_days")) {
    int value = 0;
    const auto [end, ec] = std::from_chars(period->data(), period->data() + period->size(), value);
    if (period->empty() || ec != std::errc() || end != period->data() + period->size()) {
      return SendError(ctx.res, Status::InvalidArgument("period_days: 1 to 365"));
    }
    in.period_days = value;
  }
  auto v = access::Practice(*ctx.store, &person_cache).CreateMeeting(ctx.viewer(), in, Now(), ctx.actor(kPurpose));
  if (!v.ok()) return SendError(ctx.res, v.status());
  json out = MeetingJson(v->meeting, true);
  out["listing_requests"] = v->listing_requests;
  SendJson(ctx.res, 201, out);
}

void Server::Impl::MeetingRead(RouteContext& ctx) {
  auto id = ctx.params.Id("id", "meeting");
  if (!id.ok()) return SendError(ctx.res, id.status());
  auto v = access::Practice(*ctx.store, &person_cache, &meeting_cache)
               .ReadMeeting(ctx.viewer(), *id, Now(), ctx.actor(kPurpose));
  if (!v.ok()) return SendError(ctx.res, v.status());
  ctx.res.status = 200;
  ctx.res.set_content(MeetingBody(v->meeting), "application/json");
}

void Server::Impl::AgendaAdd(RouteContext& ctx) {
  auto id = ctx.params.Id("id", "meeting");
  if (!id.ok()) return SendError(ctx.res, id.status());
  auto body = ParseBody(ctx.req, {"person_id", "place_id", "note"});
  if (!body.ok()) return SendError(ctx.res, body.status());
  auto person = OptionalIdField(*body, "person_id");
  if (!person.ok()) return SendError(ctx.res, person.status());
  auto place = OptionalIdField(*body, "place_id");
  if (!place.ok()) return SendError(ctx.res, place.status());
  auto note = RequiredField(*body, "note");
  if (!note.ok()) return SendError(ctx.res, note.status());
  auto v = access::Practice(*ctx.store, &person_cache)
               .AddAgendaItem(ctx.viewer(), *id, *person, *place, *note, Now(), ctx.actor(kPurpose));
  if (!v.ok()) return SendError(ctx.res, v.status());
  json out = MeetingJson(v->meeting, true);
  out["listing_requests"] = v->listing_requests;
  SendJson(ctx.res, 201, out);
}

void Server::Impl::AgendaEdit(RouteContext& ctx, bool remove) {
  auto id = ctx.params.Id("id", "meeting");
  if (!id.ok()) return SendError(ctx.res, id.status());
  auto item = ctx.params.Id("item", "agenda item");
  if (!item.ok()) return SendError(ctx.res, item.status());
  const char* field = remove ? "reason" : "minutes";
  auto body = ParseBody(ctx.req, {field});
  if (!body.ok()) return SendError(ctx.res, body.status());
  auto text = RequiredField(*body, field);
  if (!text.ok()) return SendError(ctx.res, text.status());
  access::Practice p(*ctx.store);
  auto v = remove ? p.RemoveAgendaItem(ctx.viewer(), *id, *item, *text, Now(), ctx.actor(kPurpose))
                  : p.RecordMinutes(ctx.viewer(), *id, *item, *text, Now(), ctx.actor(kPurpose));
  if (!v.ok()) return SendError(ctx.res, v.status());
  SendJson(ctx.res, 200, MeetingJson(v->meeting, true));
}

void Server::Impl::MeetingClose(RouteContext& ctx) {
  auto id = ctx.params.Id("id", "meeting");
  if (!id.ok()) return SendError(ctx.res, id.status());
  auto body = ParseOptionalBody(ctx.req, {});
  if (!body.ok()) return SendError(ctx.res, body.status());
  auto v = access::Practice(*ctx.store, &person_cache).CloseMeeting(ctx.viewer(), *id, Now(), ctx.actor(kPurpose));
  if (!v.ok()) return SendError(ctx.res, v.status());
  SendJson(ctx.res, 200, MeetingJson(v->meeting, true));
}

// ---------------------------------------------------------------- practitioner alerts

void Server::Impl::MyAlerts(RouteContext& ctx) {
  const std::string all = QueryText(ctx.req, "all");
  if (!all.empty() && all != "0" && all != "1") return SendError(ctx.res, Status::InvalidArgument("all: 0 or 1"));
  auto rows =
      access::Practice(*ctx.store, &person_cache).ListMyAlerts(ctx.viewer(), all != "1", Now(), ctx.actor(kPurpose));
  if (!rows.ok()) return SendError(ctx.res, rows.status());
  json items = json::array();
  for (const auto& a : *rows) items.push_back(AlertJson(a));
  SendJson(ctx.res, 200, {{"alerts", items}});
}

void Server::Impl::AlertAcknowledge(RouteContext& ctx) {
  auto id = ctx.params.Id("id", "alert");
  if (!id.ok()) return SendError(ctx.res, id.status());
  auto body = ParseOptionalBody(ctx.req, {"note"});
  if (!body.ok()) return SendError(ctx.res, body.status());
  const std::string note = OptionalField(*body, "note").value_or("");
  auto a =
      access::Practice(*ctx.store, &person_cache).AcknowledgeAlert(ctx.viewer(), *id, note, Now(), ctx.actor(kPurpose));
  if (!a.ok()) return SendError(ctx.res, a.status());
  SendJson(ctx.res, 200, AlertJson(*a));
}

}  // namespace riskradar::server
