// CLI subcommands for retention: `retention plan|apply` and `hold add|release|list`.
#include <fmt/format.h>
#include <toml++/toml.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli_support.h"
#include "exit_codes.h"
#include "retention_policy.h"
#include "riskradar/core/paths.h"
#include "riskradar/core/toml_text.h"
#include "riskradar/store/store.h"

namespace riskradar::cli {

std::string DefaultPolicyPath() { return ConfigPath("retention.toml").string(); }

Status RequireRetentionRule(std::string_view record_class, const std::string& policy_path) {
  RR_ASSIGN_OR_RETURN(const store::RetentionPolicy policy, LoadRetentionPolicy(policy_path));
  for (const store::RetentionRule& rule : policy.rules) {
    if (rule.record_class == record_class) return Status::Ok();
  }
  for (const std::string& kept : policy.kept_classes) {
    if (kept == record_class) return Status::Ok();
  }
  return Status::FailedPrecondition(fmt::format(
      "record class '{}' has no retention rule in {}: add a [[rule]] with record_class = \"{}\" and keep_years "
      "(or keep_days), or, to keep such records until deleted by hand, keep = \"indefinitely\"; nothing was "
      "imported",
      record_class, policy_path, record_class));
}

// Reads a retention schedule (config/retention.toml); errors name the file, line and key.
Result<store::RetentionPolicy> LoadRetentionPolicy(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read retention policy " + path);
  std::stringstream text;
  text << in.rdbuf();
  RR_ASSIGN_OR_RETURN(toml::table root, ParseTomlText(text.str(), path));
  auto where = [&path](const toml::node* node) {
    return node && node->source().begin.line > 0 ? fmt::format("{}:{}", path, node->source().begin.line) : path;
  };
  for (auto&& [key, value] : root) {
    if (key != "version" && key != "quarantine_keep_days" && key != "rule") {
      return Status::InvalidArgument(fmt::format("{}: unknown key '{}'", where(&value), key.str()));
    }
  }
  store::RetentionPolicy policy;
  auto version = root["version"].value<std::string>();
  if (!version) return Status::InvalidArgument(path + ": 'version' (a string) is required");
  policy.version = *version;
  if (const toml::node* q = root.get("quarantine_keep_days")) {
    auto days = q->value<int64_t>();
    if (!days || *days < 1) {
      return Status::InvalidArgument(where(q) + ": quarantine_keep_days must be a whole number of days >= 1");
    }
    policy.quarantine_keep_days = *days;
  }
  const toml::array* rules = root["rule"].as_array();
  if (root.get("rule") && !rules) return Status::InvalidArgument(where(root.get("rule")) + ": use [[rule]] tables");
  if (rules) {
    for (const toml::node& node : *rules) {
      const toml::table* t = node.as_table();
      if (!t) return Status::InvalidArgument(where(&node) + ": a rule must be a table");
      store::RetentionRule rule;
      for (auto&& [key, value] : *t) {
        if (key != "record_class" && key != "keep_years" && key != "keep_days" && key != "keep") {
          return Status::InvalidArgument(fmt::format("{}: unknown rule key '{}'", where(&value), key.str()));
        }
      }
      auto cls = (*t)["record_class"].value<std::string>();
      if (!cls || cls->empty()) return Status::InvalidArgument(where(t) + ": a rule needs record_class");
      rule.record_class = *cls;
      for (const auto& r : policy.rules) {
        if (r.record_class == *cls) return Status::InvalidArgument(where(t) + ": a second rule for '" + *cls + "'");
      }
      for (const auto& k : policy.kept_classes) {
        if (k == *cls) return Status::InvalidArgument(where(t) + ": a second rule for '" + *cls + "'");
      }
      auto years = (*t)["keep_years"].value<double>();
      auto days = (*t)["keep_days"].value<int64_t>();
      // An explicit keep rule: records of the class are kept until deleted by hand (never by `retention apply`).
      if (const toml::node* keep = t->get("keep")) {
        if (keep->value<std::string>() != std::optional<std::string>("indefinitely")) {
          return Status::InvalidArgument(where(keep) + ": keep may only be \"indefinitely\" (or give keep_years)");
        }
        if (years || days) {
          return Status::InvalidArgument(where(t) + ": give keep = \"indefinitely\" or a period for '" + *cls +
                                         "', not both");
        }
        policy.kept_classes.push_back(*cls);
        continue;
      }
      if (years.has_value() == days.has_value()) {
        return Status::InvalidArgument(where(t) + ": give exactly one of keep_years or keep_days for '" + *cls + "'");
      }
      rule.keep_days = days ? *days : static_cast<int64_t>(std::llround(*years * 365.25));
      if (rule.keep_days < 1) return Status::InvalidArgument(where(t) + ": the period must be at least one day");
      policy.rules.push_back(rule);
    }
  }
  return policy;
}

namespace {

Date Today() {
  const auto now = std::chrono::system_clock::now();
  const auto days = std::chrono::duration_cast<std::chrono::days>(now.time_since_epoch()).count();
  return Date::FromDays(static_cast<int32_t>(days));
}

void PrintOutcome(const store::RetentionPolicy& policy, Date as_of, const store::RetentionOutcome& out) {
  std::cout << fmt::format("retention policy {} as of {}{}\n", policy.version, as_of.ToIso(),
                           out.applied ? "" : " (plan only: nothing deleted)");
  std::cout << fmt::format("  {:<22} {:>12} {:>8} {:>10}\n", "record class", "keep (days)", "held",
                           out.applied ? "deleted" : "due");
  int64_t total = 0;
  for (const store::RetentionRule& rule : policy.rules) {
    int64_t due = 0, held = 0;
    for (const auto& c : out.classes) {
      if (c.record_class == rule.record_class) {
        due = c.due;
        held = c.held;
      }
    }
    total += due;
    std::cout << fmt::format("  {:<22} {:>12} {:>8} {:>10}\n", rule.record_class, rule.keep_days, held, due);
  }
  for (const std::string& kept : policy.kept_classes) {
    std::cout << fmt::format("  {:<22} {:>12} {:>8} {:>10}\n", kept, "indefinitely", "-", "-");
  }
  // A class with no rule (and no explicit "keep") is never deleted: say so, with how many records it holds.
  for (const auto& [record_class, records] : out.unruled) {
    if (std::find(policy.kept_classes.begin(), policy.kept_classes.end(), record_class) != policy.kept_classes.end()) {
      continue;
    }
    std::cout << fmt::format("  {:<22} {:>12} {:>8} {:>10}   no rule: kept ({} records; add a [[rule]] for it)\n",
                             record_class, "-", "-", 0, records);
  }
  std::cout << fmt::format(
      "  records {}: {}; quarantined rows: {}; people left with no record (name and date of "
      "birth cleared): {}\n",
      out.applied ? "deleted" : "due", total, out.quarantine_due, out.persons_erased);
  if (out.applied && total > 0) std::cout << "  now re-run: riskradar link, assess, network\n";
}

}  // namespace

void RegisterRetentionCommands(CLI::App& app, int& exit_code) {
  auto fail_or = [&exit_code](const Status& s) { exit_code = s.ok() ? 0 : Fail(s); };
  struct Options {
    std::string db = DefaultDbPath(), policy = DefaultPolicyPath(), as_of, scope, target, reason;
    bool confirm = false, all = false;
    int64_t id = 0;
  };
  static Options o;

  auto* retention =
      app.add_subcommand("retention", "Delete records past their retention period (legal holds respected)");
  retention->require_subcommand(1);
  auto run = [fail_or](bool apply) {
    Status st = [&]() -> Status {
      RR_ASSIGN_OR_RETURN(auto policy, LoadRetentionPolicy(o.policy));
      Date as_of = Today();
      if (!o.as_of.empty()) {
        auto parsed = Date::ParseIso(o.as_of);
        if (!parsed.ok()) return Status::InvalidArgument("--as-of must be a date YYYY-MM-DD, got '" + o.as_of + "'");
        as_of = *parsed;
      }
      if (apply && !o.confirm) {
        return Status::InvalidArgument(
            "retention apply deletes records for good: run `retention plan` first, then "
            "add --confirm");
      }
      store::Actor actor;
      if (apply) {
        RR_ASSIGN_OR_RETURN(actor, OperatorActor("retention"));
      }
      RR_ASSIGN_OR_RETURN(auto s, OpenConfiguredStore(o.db));
      store::RetentionOutcome out;
      if (apply) {
        RR_ASSIGN_OR_RETURN(out, s->ApplyRetention(policy, as_of, actor));
      } else {
        RR_ASSIGN_OR_RETURN(out, s->PlanRetention(policy, as_of));
      }
      PrintOutcome(policy, as_of, out);
      return Status::Ok();
    }();
    fail_or(st);
  };
  for (bool apply : {false, true}) {
    auto* cmd =
        retention->add_subcommand(apply ? "apply" : "plan", apply ? "Delete what is due (needs --confirm), audited"
                                                                  : "Show what is due for deletion; changes nothing");
    cmd->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
    cmd->add_option("--policy", o.policy, "Retention schedule (TOML)")->capture_default_str();
    cmd->add_option("--as-of", o.as_of, "Date to apply the schedule at (default: today)");
    if (apply) cmd->add_flag("--confirm", o.confirm, "Really delete");
    cmd->callback([run, apply] { run(apply); });
  }

  auto* hold = app.add_subcommand("hold", "Legal holds: records under a hold are never deleted by retention");
  hold->require_subcommand(1);
  auto* add = hold->add_subcommand("add", "Place a legal hold on a person, an agency or an import batch");
  add->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
  add->add_option("--scope", o.scope, "person, agency or batch")
      ->required()
      ->check(CLI::IsMember({"person", "agency", "batch"}));
  add->add_option("--target", o.target, "Person id, agency code or batch id")->required();
  add->add_option("--reason", o.reason, "Why (10 to 2000 characters), e.g. the case or inquiry reference")->required();
  add->callback([fail_or] {
    fail_or([&]() -> Status {
      RR_ASSIGN_OR_RETURN(const store::Actor actor, OperatorActor("legal hold"));
      RR_ASSIGN_OR_RETURN(auto s, OpenConfiguredStore(o.db));
      store::LegalHold h;
      h.scope = o.scope;
      h.target = o.target;
      h.reason = o.reason;
      RR_ASSIGN_OR_RETURN(int64_t id, s->AddLegalHold(h, actor));
      std::cout << fmt::format("legal hold {} placed on {} {}\n", id, o.scope, o.target);
      return Status::Ok();
    }());
  });
  auto* release = hold->add_subcommand("release", "Release a legal hold");
  release->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
  release->add_option("--id", o.id, "Hold id (from hold list)")->required();
  release->callback([fail_or] {
    fail_or([&]() -> Status {
      RR_ASSIGN_OR_RETURN(const store::Actor actor, OperatorActor("legal hold"));
      RR_ASSIGN_OR_RETURN(auto s, OpenConfiguredStore(o.db));
      RR_RETURN_IF_ERROR(s->ReleaseLegalHold(o.id, actor));
      std::cout << fmt::format("legal hold {} released\n", o.id);
      return Status::Ok();
    }());
  });
  auto* list = hold->add_subcommand("list", "List active legal holds (--all: released ones too)");
  list->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
  list->add_flag("--all", o.all, "Include released holds");
  list->callback([fail_or] {
    fail_or([&]() -> Status {
      RR_ASSIGN_OR_RETURN(auto s, OpenConfiguredStore(o.db));
      RR_ASSIGN_OR_RETURN(auto holds, s->ListLegalHolds(!o.all));
      for (const auto& h : holds) {
        std::cout << fmt::format("{:>5}  {:<7} {:<12} placed {} by {}{}  {}\n", h.id, h.scope, h.target, h.placed_at,
                                 h.placed_by, h.released_at.empty() ? "" : "; released " + h.released_at, h.reason);
      }
      std::cout << holds.size() << (o.all ? " legal holds\n" : " active legal holds\n");
      return Status::Ok();
    }());
  });
}

}  // namespace riskradar::cli
