// `screening record|override|history`: a practitioner's screening, an override of a child's level and the
// child's assessment trajectory, as the account --user, through the access layer (access/judgement.h: the same
// need-to-know rule and audit events as the HTTP API).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "cli_support.h"
#include "exit_codes.h"
#include "riskradar/access/audited_access.h"
#include "riskradar/access/judgement.h"
#include "riskradar/risk/judgement.h"
#include "riskradar/risk/screening.h"
#include "riskradar/store/store.h"

namespace riskradar::cli {
namespace {

struct Common {
  std::string db = DefaultDbPath();
  std::string user;
  int64_t child = 0;
  std::string model_path;
  bool as_json = false;
};

Result<risk::ScreeningModel> Model(const std::string& path) {
  if (path.empty()) return risk::ScreeningModel::Default();
  return risk::ScreeningModel::FromFile(path);
}

// The account --user as a viewer, or a refusal (audited) for an unknown, disabled or enrolling one.
Result<std::pair<Viewer, store::Actor>> Account(store::Store& store, const Common& c, const std::string& command,
                                                const std::string& action) {
  RR_ASSIGN_OR_RETURN(const std::optional<store::User> account, store.FindUser(c.user));
  if (!account || account->disabled || account->must_enrol) {
    RR_RETURN_IF_ERROR(access::AuditedAccess(store).RecordRefusal(store::Actor{c.user, "", "", command}, action,
                                                                  "person:" + std::to_string(c.child)));
    return Status::PermissionDenied(fmt::format("--user {}: no enabled account of that name in {}", c.user, c.db));
  }
  return std::pair(Viewer{account->id, account->name, account->agency_code, account->role},
                   store::Actor{account->name, account->agency_code, std::string(ToString(account->role)),
                                command + " (command line)"});
}

// "INDICATOR,YYYY-MM-DD,SOURCE" (the source may itself contain commas).
Result<store::ScreeningObservation> ParseObservation(const std::string& text, size_t index) {
  const std::string where = fmt::format("--observe #{}", index + 1);
  const size_t a = text.find(',');
  const size_t b = a == std::string::npos ? std::string::npos : text.find(',', a + 1);
  if (b == std::string::npos) return Status::InvalidArgument(where + ": give INDICATOR,YYYY-MM-DD,SOURCE");
  store::ScreeningObservation o;
  o.indicator = text.substr(0, a);
  auto date = Date::ParseIso(text.substr(a + 1, b - a - 1));
  if (!date.ok()) return Status::InvalidArgument(where + ": the date is YYYY-MM-DD");
  o.date = *date;
  o.source = text.substr(b + 1);
  return o;
}

nlohmann::json EntryJson(const store::AssessmentEntry& e) {
  const Assessment& a = e.assessment;
  nlohmann::json over = nullptr;
  if (a.override_level) {
    over = {{"level", ToString(*a.override_level)}, {"reason", a.override_reason}, {"by", a.override_by}};
  }
  return {{"id", a.id},
          {"date", a.as_of.ToIso()},
          {"kind", e.kind},
          {"model_version", a.model_version},
          {"level", ToString(risk::EffectiveLevel(a))},
          {"model_level", ToString(a.level)},
          {"score", a.score},
          {"override", over},
          {"made_by", e.created_by},
          {"next_review", a.next_review ? nlohmann::json(a.next_review->ToIso()) : nlohmann::json(nullptr)}};
}

std::string EntryLine(const store::AssessmentEntry& e) {
  const Assessment& a = e.assessment;
  std::string line = fmt::format("  #{} {} {:<9} {:<11} score {:g} ({}) by {}", a.id, a.as_of.ToIso(), e.kind,
                                 ToString(risk::EffectiveLevel(a)), a.score, a.model_version,
                                 e.created_by.empty() ? "-" : e.created_by);
  if (a.override_level) {
    line += fmt::format("; override by {} (model: {}): {}", a.override_by, ToString(a.level), a.override_reason);
  }
  if (a.next_review) line += fmt::format("; review by {}", a.next_review->ToIso());
  return line + "\n";
}

Status RunRecord(const Common& c, const std::vector<std::string>& observe) {
  RR_ASSIGN_OR_RETURN(const risk::ScreeningModel model, Model(c.model_path));
  std::vector<store::ScreeningObservation> observations;
  for (size_t i = 0; i < observe.size(); ++i) {
    RR_ASSIGN_OR_RETURN(store::ScreeningObservation o, ParseObservation(observe[i], i));
    observations.push_back(std::move(o));
  }
  RR_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(c.db));
  RR_ASSIGN_OR_RETURN(const auto account, Account(*store, c, "screening record", "record_screening"));
  RR_ASSIGN_OR_RETURN(const store::AssessmentEntry entry,
                      access::JudgementAccess(*store, model)
                          .RecordScreening(c.child, observations, account.first, UnixNow(), account.second));
  if (c.as_json) {
    nlohmann::json out = EntryJson(entry);
    out["explanation"] = entry.assessment.explanation;
    std::cout << out.dump(2) << "\n";
    return Status::Ok();
  }
  std::cout << fmt::format("Screening recorded for child {}: assessment {}\n", c.child, entry.assessment.id)
            << EntryLine(entry);
  for (const std::string& line : entry.assessment.explanation) std::cout << "    " << line << "\n";
  return Status::Ok();
}

Status RunOverride(const Common& c, const std::string& level_text, const std::string& reason,
                   const std::string& review_text, int64_t expect) {
  RR_ASSIGN_OR_RETURN(const risk::ScreeningModel model, Model(c.model_path));
  access::OverrideInput input;
  auto level = ParseRiskLevel(level_text);
  if (!level.ok()) return Status::InvalidArgument("--level: one of none, at_risk, significant, serious");
  input.level = *level;
  input.reason = reason;
  if (!review_text.empty()) {
    auto review = Date::ParseIso(review_text);
    if (!review.ok()) return Status::InvalidArgument("--next-review: a date YYYY-MM-DD");
    input.next_review = *review;
  }
  input.expected_assessment_id = expect;
  RR_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(c.db));
  RR_ASSIGN_OR_RETURN(const auto account, Account(*store, c, "screening override", "override_level"));
  RR_ASSIGN_OR_RETURN(
      const access::OverrideResult result,
      access::JudgementAccess(*store, model).OverrideLevel(c.child, input, account.first, UnixNow(), account.second));
  switch (result.outcome) {
    case access::OverrideOutcome::kNotFound:
      return Status::NotFound(fmt::format("no child {} that {} may see", c.child, c.user));
    case access::OverrideOutcome::kStale:
      return Status::Conflict(fmt::format("the child's latest assessment is now {}, not {}: read the history again",
                                          result.current_assessment_id, expect));
    case access::OverrideOutcome::kOverridden:
      break;
  }
  if (c.as_json) {
    std::cout << EntryJson(*result.entry).dump(2) << "\n";
  } else {
    std::cout << fmt::format("Level of child {} overridden: assessment {}\n", c.child, result.current_assessment_id)
              << EntryLine(*result.entry);
  }
  return Status::Ok();
}

Status RunHistory(const Common& c) {
  RR_ASSIGN_OR_RETURN(const risk::ScreeningModel model, Model(c.model_path));
  RR_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(c.db));
  RR_ASSIGN_OR_RETURN(const auto account, Account(*store, c, "screening history", "read_assessments"));
  auto t = access::JudgementAccess(*store, model).ReadTrajectory(c.child, account.first, UnixNow(), account.second);
  if (!t.ok()) {
    if (t.status().code() == StatusCode::kNotFound) {
      return Status::NotFound(fmt::format("no child {} that {} may see", c.child, c.user));
    }
    return t.status();
  }
  if (c.as_json) {
    nlohmann::json entries = nlohmann::json::array();
    for (const store::AssessmentEntry& e : t->entries) entries.push_back(EntryJson(e));
    std::cout << nlohmann::json{{"child_id", c.child}, {"assessments", entries}}.dump(2) << "\n";
    return Status::Ok();
  }
  std::cout << fmt::format("Child {}: {} assessment{}, oldest first\n", c.child, t->entries.size(),
                           t->entries.size() == 1 ? "" : "s");
  for (const store::AssessmentEntry& e : t->entries) std::cout << EntryLine(e);
  return Status::Ok();
}

void AddCommon(CLI::App* cmd, Common& c) {
  cmd->add_option("--db", c.db, "Store (SQLite file)")->capture_default_str();
  cmd->add_option("--user", c.user, "The account acting (need-to-know and the audit log)")->required();
  cmd->add_option("--child", c.child, "The child's person id")->required();
  cmd->add_option("--model", c.model_path, "Screening model TOML (default: config/screening/west-midlands.toml)");
  cmd->add_flag("--json", c.as_json, "As JSON");
}

}  // namespace

// Registers `screening record|override|history` on the application.
void RegisterScreeningCommands(CLI::App& app, int& exit_code) {
  auto fail_or = [&exit_code](const Status& s) { exit_code = s.ok() ? 0 : Fail(s); };
  auto* screening = app.add_subcommand("screening", "A practitioner's screening, an override, a child's trajectory");
  screening->require_subcommand(1);

  auto rc = std::make_shared<Common>();
  auto observe = std::make_shared<std::vector<std::string>>();
  auto* record = screening->add_subcommand("record", "Record the indicators you observed; the model scores them");
  AddCommon(record, *rc);
  record->add_option("--observe", *observe, "INDICATOR,YYYY-MM-DD,SOURCE (repeat for each observed indicator)")
      ->required();
  record->callback([=] { fail_or(RunRecord(*rc, *observe)); });

  auto oc = std::make_shared<Common>();
  auto level = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>();
  auto review = std::make_shared<std::string>();
  auto expect = std::make_shared<int64_t>(0);
  auto* over = screening->add_subcommand("override", "Override the child's level, up or down, with a reason");
  AddCommon(over, *oc);
  over->add_option("--level", *level, "none | at_risk | significant | serious")->required();
  over->add_option("--reason", *reason, "Why (10 to 2000 characters)")->required();
  over->add_option("--next-review", *review, "Review date YYYY-MM-DD (default: the model's for the level)");
  over->add_option("--expect", *expect, "The latest assessment id you read (refused if it has changed)");
  over->callback([=] { fail_or(RunOverride(*oc, *level, *reason, *review, *expect)); });

  auto hc = std::make_shared<Common>();
  auto* history = screening->add_subcommand("history", "Every assessment of the child: level, override, review");
  AddCommon(history, *hc);
  history->callback([=] { fail_or(RunHistory(*hc)); });
}

}  // namespace riskradar::cli
