// The problem profile on request (profile_run.h): checked, read and audited in one unit, then published as
// the CLI publishes it (report/profile_writer.h).
#include <fmt/format.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit_event.h"
#include "riskradar/access/audited_access.h"
#include "riskradar/core/paths.h"
#include "riskradar/report/profile.h"
#include "riskradar/report/profile_writer.h"

namespace riskradar::access {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using internal::Event;

json CellJson(const report::ShownCell& cell) { return cell.value ? json(*cell.value) : json("c"); }

// A private directory for the workbook (libxlsxwriter writes files), removed on every path out.
class ScratchDir {
 public:
  Status Create() {
    std::string pattern = (fs::temp_directory_path() / "riskradar-profile-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr)
      return Status::IoError("cannot create a scratch directory for the workbook");
    path_ = pattern;
    return Status::Ok();
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

Result<std::string> ReadWhole(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + file.filename().string());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

Status CheckProfileRequest(const ProfileRunRequest& r) {
  if (r.to < r.from) {
    return Status::InvalidArgument(fmt::format("to: {} is before from {}", r.to.ToIso(), r.from.ToIso()));
  }
  if (r.to - r.from + 1 > kMaxProfileDays) {
    return Status::InvalidArgument(
        fmt::format("to: the period is {} days; at most {} at a time", r.to - r.from + 1, kMaxProfileDays));
  }
  if (r.format != "json" && r.format != "html" && r.format != "xlsx") {
    return Status::InvalidArgument(fmt::format("format: json, html or xlsx, got '{}'", r.format));
  }
  return Status::Ok();
}

Result<ProfileRun> AuditedAccess::RunProfile(const ProfileRunRequest& request, const Viewer& viewer,
                                             const store::Actor& actor) {
  RR_RETURN_IF_ERROR(CheckProfileRequest(request));
  const std::string target = fmt::format("period:{}..{}", request.from.ToIso(), request.to.ToIso());
  json details = {{"variant", request.publishable ? "publishable" : "restricted"}, {"format", request.format}};
  if (!request.publishable && !MaySeeIdentifying(viewer.role)) {
    RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "report_profile", target, details, "forbidden")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::PermissionDenied(
        fmt::format("publishable: the role {} may see the publishable profile only (small numbers suppressed)",
                    ToString(viewer.role)));
  }
  report::ProfileWriteOptions options;
  options.variant = request.publishable ? report::ReportVariant::kPublishable : report::ReportVariant::kRestricted;
  RR_ASSIGN_OR_RETURN(options.disclosure, report::LoadDisclosureConfig(ConfigPath("report/disclosure.toml")));
  RR_ASSIGN_OR_RETURN(options.districts, report::LoadDistrictShapes(ReferencePath("geo/wm_lad_boundaries.geojson")));
  options.command = request.command;
  details["min_shown"] = options.disclosure.min_shown;
  details["round_to"] = options.disclosure.round_to;

  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const report::ProfileSource source, report::ReadProfileSource(store_));
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "report_profile", target, details, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());

  const report::ProfileFigures figures =
      report::ComputeProfile(source, request.partnership, {request.from, request.to});
  ProfileRun run;
  if (request.format == "xlsx") {
    ScratchDir scratch;
    RR_RETURN_IF_ERROR(scratch.Create());
    RR_RETURN_IF_ERROR(report::WriteProfile(figures, options, scratch.path()));
    RR_ASSIGN_OR_RETURN(run.file, ReadWhole(scratch.path() / "profile.xlsx"));
    return run;
  }
  const report::PublishedProfile published = report::PublishProfile(figures, options);
  if (request.format == "html") {
    run.file = report::RenderProfileHtml(figures, published, options);
    return run;
  }
  run.tables = json::array();
  run.withheld = published.current.withheld;
  for (const report::PublishedTable& t : published.current.tables) {
    if (t.withheld) continue;
    json rows = json::array();
    for (size_t i = 0; i < t.labels.size() && i < t.cells.size(); ++i) {
      rows.push_back({{"label", t.labels[i]}, {"count", CellJson(t.cells[i])}});
      run.suppressed += t.cells[i].value ? 0 : 1;
    }
    run.tables.push_back({{"name", t.name},
                          {"title", t.title},
                          {"population", t.population},
                          {"group_heading", t.group_heading},
                          {"columns", t.columns},
                          {"rows", rows},
                          {"total", CellJson(t.total)}});
  }
  return run;
}

}  // namespace riskradar::access
