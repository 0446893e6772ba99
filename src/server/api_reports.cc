// The problem profile over HTTP (the /reports page): POST /api/reports/profile {from, to, variant, format}
// answers the tables as JSON or the HTML or Excel file `riskradar report profile` writes. One profile at a time
// (a second request meanwhile is told to retry); the period is bounded (access::kMaxProfileDays); the access
// layer checks the variant against the role and audits the read ("report_profile").
#include <fmt/format.h>

#include "api.h"
#include "riskradar/access/audited_access.h"

namespace riskradar::server {

void Server::Impl::ReportProfile(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto body = ParseBody(ctx.req, {"from", "to", "variant", "format"});
  if (!body.ok()) return SendError(res, body.status());
  access::ProfileRunRequest request;
  for (const char* field : {"from", "to"}) {
    if (!body->contains(field))
      return SendError(res, Status::InvalidArgument(fmt::format("{}: a date YYYY-MM-DD is required", field)));
    auto date = Date::ParseIso(body->at(field));
    if (!date.ok()) return SendError(res, date.status().WithContext(field));
    (std::string_view(field) == "from" ? request.from : request.to) = *date;
  }
  const std::string variant = body->contains("variant") ? body->at("variant") : "publishable";
  if (variant != "publishable" && variant != "restricted") {
    return SendError(
        res, Status::InvalidArgument("variant: publishable or restricted, got '" + variant.substr(0, 40) + "'"));
  }
  request.publishable = variant == "publishable";
  request.format = body->contains("format") ? body->at("format") : "json";
  if (Status s = access::CheckProfileRequest(request); !s.ok()) return SendError(res, s);
  request.command = fmt::format("riskradar report profile --from {} --to {}{} --out DIR", request.from.ToIso(),
                                request.to.ToIso(), request.publishable ? " --publishable" : "");

  std::unique_lock running(profile_running, std::try_to_lock);
  if (!running.owns_lock()) {
    res.set_header("Retry-After", "5");
    return SendError(res, Status::ResourceExhausted("another profile is being made; try again in a few seconds"));
  }
  auto run = ctx.audited().RunProfile(request, ctx.viewer(), ctx.actor());
  if (!run.ok()) return SendError(res, run.status());
  const std::string stem = fmt::format("profile-{}-to-{}-{}", request.from.ToIso(), request.to.ToIso(), variant);
  if (request.format == "json") {
    return SendJson(res, 200,
                    {{"from", request.from.ToIso()},
                     {"to", request.to.ToIso()},
                     {"variant", variant},
                     {"tables", run->tables},
                     {"suppressed", run->suppressed},
                     {"withheld", run->withheld}});
  }
  res.status = 200;
  res.set_header("Content-Disposition", "attachment; filename=\"" + stem + "." + request.format + "\"");
  res.set_content(run->file, request.format == "html"
                                 ? "text/html; charset=utf-8"
                                 : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
}

}  // namespace riskradar::server
