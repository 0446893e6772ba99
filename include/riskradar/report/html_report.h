// The self-contained HTML risk radar report: inline CSS and SVG charts, no
// scripts and no external fetches, a table behind every chart. The
// publishable variant applies disclosure control to every figure.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "riskradar/core/status.h"
#include "riskradar/report/disclosure.h"
#include "riskradar/report/summary.h"

namespace riskradar::report {

enum class ReportVariant {
  kRestricted,   // exact counts, for the partnership only
  kPublishable,  // disclosure control on every table and figure
};
std::string_view ToString(ReportVariant variant);  // "restricted" | "publishable"
Result<ReportVariant> ParseReportVariant(std::string_view text);

struct ReportOptions {
  ReportVariant variant = ReportVariant::kRestricted;
  DisclosureRule disclosure;
  std::string title = "Child sexual exploitation: the risk radar";
  std::optional<Date> generated_on;  // shown in the footer when set
};

// Escapes & < > " ' for HTML text and attribute values (and SVG text).
std::string HtmlEscape(std::string_view text);
// A paragraph of escaped text: "<p>...</p>\n".
std::string HtmlParagraph(std::string_view text);

std::string RenderHtmlReport(const Summary& s, const ReportOptions& opts);
// Writes atomically: a temporary file in the same directory, flushed to disk,
// then renamed over out_file, so readers never see a half-written report.
Status WriteHtmlReport(const Summary& s, const ReportOptions& opts, const std::filesystem::path& out_file);

}  // namespace riskradar::report
