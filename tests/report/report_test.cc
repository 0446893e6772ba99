// Report tests: the console summary's shape, the HTML report's escaping,
// self-containment and disclosure control, and atomic writing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "riskradar/report/html_report.h"
#include "riskradar/report/summary.h"

namespace riskradar::report {
namespace report_test {

Summary Example() {
  Summary s;
  s.partnership = "West Midlands partnership (synthetic)";
  s.period_start = *Date::FromYmd(2025, 1, 1);
  s.period_end = *Date::FromYmd(2025, 12, 31);
  s.children_on_radar = 731;
  s.serious = 88;
  s.significant = 201;
  s.at_risk = 442;
  s.radar_by_district = {{"Birmingham", 371}, {"Coventry", 97}, {"Dudley", 61},       {"Sandwell", 80},
                         {"Solihull", 3},     {"Walsall", 52},  {"Wolverhampton", 67}};
  s.radar_by_sex = {{"Female", 512}, {"Male", 214}, {"Other or unknown", 5}};
  s.radar_by_age_band = {{"10 to 12", 41}, {"13 to 15", 390}, {"16 to 17", 300}};
  CountTable grid;
  grid.row_heading = "District";
  grid.rows = {"Birmingham", "Solihull"};
  grid.columns = {"Serious", "Significant", "At risk"};
  grid.cells = {{40, 100, 231}, {1, 0, 2}};
  s.radar_district_by_level = grid;
  s.suspected_offenders = 366;
  s.networks = 41;
  s.lone_offenders = 120;
  s.places_of_concern = 94;
  s.places_by_type = {{"children's homes", 17}, {"hotels", 15}, {"parks", 12}, {"taxi ranks", 2}, {"other places", 48}};
  s.agency_records = 61240;
  s.people_resolved = 24906;
  s.children_known = 9100;
  s.quarantined_rows = 4;
  s.model_version = "west-midlands-2025.1";
  return s;
}

TEST(SummaryTextTest, ExactShape) {
  Summary s = Example();
  s.linkage_precision = 0.9934;
  s.linkage_recall = 0.9812;
  EXPECT_EQ(RenderSummaryText(s),
            "West Midlands partnership (synthetic), 2025-01-01..2025-12-31\n"
            "Children on the risk radar: 731 (serious 88, significant 201, at risk 442)\n"
            "  by district: Birmingham 371, Coventry 97, Dudley 61, Sandwell 80, Solihull 3, Walsall 52, "
            "Wolverhampton 67\n"
            "Suspected offenders: 366 in 41 networks\n"
            "Places of concern: 94 (children's homes 17, hotels 15, parks 12, taxi ranks 2, other places 48)\n"
            "Linkage: 61,240 agency records -> 24,906 people; precision 0.993 recall 0.981 against the generator's "
            "truth\n");
}

TEST(SummaryTextTest, OmitsWhatIsMissing) {
  Summary s;
  s.partnership = "Test";
  s.period_start = *Date::FromYmd(2025, 1, 1);
  s.period_end = *Date::FromYmd(2025, 3, 31);
  s.children_on_radar = 1234567;
  s.serious = 1;
  s.networks = 1;
  s.suspected_offenders = 2;
  s.linkage_precision = 0.5;  // recall missing: no linkage quality part
  std::string text = RenderSummaryText(s);
  EXPECT_NE(text.find("Children on the risk radar: 1,234,567 (serious 1, significant 0, at risk 0)\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("by district"), std::string::npos) << text;
  EXPECT_NE(text.find("Suspected offenders: 2 in 1 network\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Places of concern: 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Linkage: 0 agency records -> 0 people\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("precision"), std::string::npos) << text;
}

TEST(SummaryTextTest, FormatCount) {
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(999), "999");
  EXPECT_EQ(FormatCount(1000), "1,000");
  EXPECT_EQ(FormatCount(61240), "61,240");
  EXPECT_EQ(FormatCount(-1234), "-1,234");
}

ReportOptions Variant(ReportVariant variant) {
  ReportOptions opts;
  opts.variant = variant;
  return opts;
}

TEST(HtmlReportTest, SelfContainedAndAccessible) {
  std::string html = RenderHtmlReport(Example(), Variant(ReportVariant::kRestricted));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<html lang=\"en-GB\">"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // only the SVG namespace
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_NE(html.find("<h1>"), std::string::npos);
  EXPECT_NE(html.find("<main>"), std::string::npos);
  // Two charts, each an image with a title and a description, each followed by a table.
  std::regex svg(R"re(<svg [^>]*role="img" aria-labelledby="(chart-[a-z-]+)-title \1-desc")re");
  auto charts = std::distance(std::sregex_iterator(html.begin(), html.end(), svg), std::sregex_iterator());
  EXPECT_EQ(charts, 2);
  EXPECT_NE(html.find("<title id=\"chart-district-title\">Children on the risk radar by district</title>"),
            std::string::npos);
  EXPECT_NE(html.find("<desc id=\"chart-district-desc\">Bar chart: Children on the risk radar by district. "
                      "Birmingham 371, Coventry 97"),
            std::string::npos);
  EXPECT_NE(html.find("<title id=\"chart-place-type-title\">Places of concern by type</title>"), std::string::npos);
  EXPECT_NE(html.find("<caption>Children on the risk radar by district</caption>"), std::string::npos);
  EXPECT_NE(html.find("<caption>Places of concern by type</caption>"), std::string::npos);
  EXPECT_NE(html.find("<th scope=\"row\">Birmingham</th><td class=\"num\">371</td>"), std::string::npos);
  // Restricted shows exact small numbers and says it is restricted.
  EXPECT_NE(html.find("<th scope=\"row\">Solihull</th><td class=\"num\">3</td>"), std::string::npos);
  EXPECT_NE(html.find("Restricted"), std::string::npos);
  EXPECT_NE(html.find("west-midlands-2025.1"), std::string::npos);
}

TEST(HtmlReportTest, EscapesEverything) {
  Summary s = Example();
  const std::string hostile = "<script>alert('x')</script> & \"quoted\"";
  s.partnership = hostile;
  s.radar_by_district.push_back({hostile, 12});
  s.places_by_type.push_back({hostile, 9});
  s.model_version = hostile;
  s.radar_district_by_level->rows[0] = hostile;
  s.radar_district_by_level->row_heading = hostile;
  for (ReportVariant variant : {ReportVariant::kRestricted, ReportVariant::kPublishable}) {
    ReportOptions opts = Variant(variant);
    opts.title = hostile;
    std::string html = RenderHtmlReport(s, opts);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("alert('x')"), std::string::npos);
    EXPECT_EQ(html.find("\"quoted\""), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"), std::string::npos);
  }
  EXPECT_EQ(HtmlEscape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
}

// Every number in a table cell, a key figure or a chart value of the publishable report.
std::vector<std::string> PublishedNumbers(const std::string& html) {
  std::vector<std::string> out;
  for (const std::regex& pattern :
       {std::regex(R"(<td class="num[^"]*">([^<]*)</td>)"), std::regex(R"(<dd>([^<]*)</dd>)"),
        std::regex(R"(<text [^>]*class="chart-value">([^<]*)</text>)")}) {
    for (std::sregex_iterator it(html.begin(), html.end(), pattern), end; it != end; ++it) out.push_back((*it)[1]);
  }
  return out;
}

TEST(HtmlReportTest, PublishableSuppressesSmallNumbers) {
  std::string html = RenderHtmlReport(Example(), Variant(ReportVariant::kPublishable));
  auto numbers = PublishedNumbers(html);
  ASSERT_GT(numbers.size(), 40u);
  for (const std::string& number : numbers) {
    EXPECT_FALSE(std::regex_match(number, std::regex("[1-5]"))) << "small number visible: " << number;
  }
  EXPECT_NE(html.find("Publishable"), std::string::npos);
  // Solihull 3 is suppressed, and so is the next smallest district (Walsall 52).
  EXPECT_NE(html.find("<th scope=\"row\">Solihull</th><td class=\"num suppressed\">"), std::string::npos);
  EXPECT_NE(html.find("<th scope=\"row\">Walsall</th><td class=\"num suppressed\">"), std::string::npos);
  EXPECT_NE(html.find("<th scope=\"row\">Coventry</th><td class=\"num\">97</td>"), std::string::npos);
  // Totals rounded: 731 children -> 730; 61,240 records stay 61,240.
  EXPECT_NE(html.find("<dd>730</dd>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">61,240</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">24,905</td>"), std::string::npos);
  // Zero stays zero.
  EXPECT_NE(html.find("<th scope=\"row\">Solihull</th><td class=\"num suppressed\"><abbr title=\"suppressed to "
                      "protect privacy\">c</abbr></td><td class=\"num\">0</td>"),
            std::string::npos);
  // The chart has no bar for a suppressed value, and says "c".
  EXPECT_NE(html.find("class=\"chart-label\">Solihull</text><text x=\"196\""), std::string::npos);
  EXPECT_NE(html.find("Solihull suppressed"), std::string::npos);
  // The note explains the rule.
  EXPECT_NE(html.find("Counts from 1 to 5 are shown as &quot;c&quot;"), std::string::npos);
  EXPECT_NE(html.find("rounded to the nearest 5"), std::string::npos);
}

TEST(HtmlReportTest, VariantNames) {
  EXPECT_EQ(*ParseReportVariant("publishable"), ReportVariant::kPublishable);
  EXPECT_EQ(*ParseReportVariant("restricted"), ReportVariant::kRestricted);
  EXPECT_FALSE(ParseReportVariant("public").ok());
}

class WriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("riskradar-report-test-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::vector<std::string> Entries() const {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) out.push_back(entry.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::string Read(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::filesystem::path dir_;
};

TEST_F(WriteTest, WritesAtomicallyAndReplaces) {
  auto out = dir_ / "radar.html";
  { std::ofstream(out) << "old report"; }
  ASSERT_TRUE(WriteHtmlReport(Example(), Variant(ReportVariant::kPublishable), out).ok());
  EXPECT_EQ(Read(out), RenderHtmlReport(Example(), Variant(ReportVariant::kPublishable)));
  EXPECT_EQ(Entries(), (std::vector<std::string>{"radar.html"}));  // no temporary left behind
}

TEST_F(WriteTest, FailureLeavesNothingBehind) {
  // The target is a directory, so the final rename fails after the temp file was written.
  std::filesystem::create_directories(dir_ / "radar.html" / "occupied");
  Status status = WriteHtmlReport(Example(), ReportOptions{}, dir_ / "radar.html");
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.message().find("radar.html"), std::string::npos) << status.message();
  EXPECT_EQ(Entries(), (std::vector<std::string>{"radar.html"}));

  Status missing_dir = WriteHtmlReport(Example(), ReportOptions{}, dir_ / "no-such-dir" / "radar.html");
  EXPECT_EQ(missing_dir.code(), StatusCode::kIoError);
  EXPECT_NE(missing_dir.message().find("no-such-dir"), std::string::npos) << missing_dir.message();
}

}  // namespace report_test
}  // namespace riskradar::report
