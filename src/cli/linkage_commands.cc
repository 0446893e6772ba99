// Linkage subcommands: link any CSV files, score a clustering against truth,
// work the review queue, explain a pair with the stored model; `explain child` (the evidence behind a child's
// assessment, through the access layer).
#include "linkage_commands.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "cli_support.h"
#include "exit_codes.h"
#include "riskradar/access/audited_access.h"
#include "riskradar/access/child_explanation.h"
#include "riskradar/core/atomic_file.h"
#include "riskradar/eval/linkage_eval.h"
#include "riskradar/linkage/blocking_plan.h"
#include "riskradar/linkage/csv_linkage.h"
#include "riskradar/linkage/link_stage.h"
#include "riskradar/linkage/waterfall.h"
#include "riskradar/store/store.h"

namespace riskradar::cli {
namespace {

namespace fs = std::filesystem;

// Who decides: --user, else the acting operator (--actor, the configuration's `actor`, the login name); never
// "unknown". Review decisions are attributed.
Result<store::Actor> ReviewActor(const std::string& user) {
  store::Actor actor;
  if (!user.empty()) {
    actor.user = user;
  } else {
    RR_ASSIGN_OR_RETURN(actor.user, ActingOperatorName());
  }
  actor.role = "analyst";
  actor.purpose = "linkage review";
  return actor;
}

// `explain child`: the child's assessment as the account `user` may see it, through the access layer (the
// account's agency and role decide what is visible; the read is audited as "read_child" like the API's).
// An unknown or disabled account is refused (audited as forbidden) before anything is read.
Status RunExplainChild(const std::string& db, int64_t child_id, const std::string& user, bool as_json) {
  if (user.empty()) return Status::InvalidArgument("explain child needs --user NAME, an account in the store");
  auto store = OpenConfiguredStore(db);
  if (!store.ok()) return store.status();
  access::AuditedAccess audited(**store);
  const std::string target = "person:" + std::to_string(child_id);
  RR_ASSIGN_OR_RETURN(const std::optional<store::User> account, (*store)->FindUser(user));
  if (!account || account->disabled || account->must_enrol) {
    store::Actor actor{user, "", "", "explain child"};
    RR_RETURN_IF_ERROR(audited.RecordRefusal(actor, "read_child", target));
    return Status::PermissionDenied(fmt::format(
        "--user {}: no enabled account of that name in {}; explain child shows what an account may see", user, db));
  }
  const Viewer viewer{account->id, account->name, account->agency_code, account->role};
  const store::Actor actor{account->name, account->agency_code, std::string(ToString(account->role)),
                           "explain child (command line)"};
  const int64_t now_s = UnixNow();
  RR_ASSIGN_OR_RETURN(const store::ChildView view, audited.ReadChildView(child_id, viewer, now_s, actor));
  if (!view.latest) {
    if (as_json) {
      std::cout << nlohmann::json{{"person", view.person.id}, {"assessment", nullptr}}.dump(2) << "\n";
    } else {
      std::cout << fmt::format("Child {}: no assessment yet (run `riskradar assess`)\n", view.person.id);
    }
    return Status::Ok();
  }
  const access::ChildExplanation x = access::ExplainChild(view, access::ConfiguredScreeningModel());
  if (as_json) {
    std::cout << nlohmann::json{{"person", view.person.id},
                                {"explanation_complete", view.explanation_complete},
                                {"assessment", access::ExplanationJson(x)}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << fmt::format("Child {} {}\n", view.person.id, view.person.display_name) << access::ExplanationText(x);
  }
  return Status::Ok();
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct LinkCsvArgs {
  std::string settings;
  std::vector<std::string> inputs;
  std::string out;
  bool quiet = false;
  bool explain_blocking = false;
  int64_t budget = 0;
};

// Progress of a long run on stderr, one line rewritten in place, only when
// stderr is a terminal (logs and pipes stay clean) and not --quiet.
std::function<void(const std::string&, int64_t, int64_t)> TerminalProgress(bool quiet) {
  if (quiet || isatty(STDERR_FILENO) == 0) return nullptr;
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  return [last](const std::string& phase, int64_t done, int64_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (done < total && now - *last < std::chrono::milliseconds(200)) return;
    *last = now;
    std::cerr << fmt::format("\r  {}: {}{}\033[K", phase, done, total > 0 ? fmt::format(" of {}", total) : "")
              << (done >= total ? "\n" : "") << std::flush;
  };
}

Status RunLinkCsv(const LinkCsvArgs& args) {
  if (args.out.empty() && !args.explain_blocking) {
    return Status::InvalidArgument("link-csv needs --out DIR (or --explain-blocking to plan without linking)");
  }
  const auto start = std::chrono::steady_clock::now();
  RR_ASSIGN_OR_RETURN(linkage::CsvLinkSettings settings, linkage::LoadCsvLinkSettings(args.settings));
  std::vector<fs::path> paths(args.inputs.begin(), args.inputs.end());
  const auto progress = TerminalProgress(args.quiet);
  if (progress) std::cerr << "  reading " << paths.size() << " file(s)...\n";
  RR_ASSIGN_OR_RETURN(linkage::CsvInputs inputs, linkage::ReadCsvInputs(settings, paths));
  const double read_s = SecondsSince(start);
  if (progress)
    progress("rows read", static_cast<int64_t>(inputs.records.size()), static_cast<int64_t>(inputs.records.size()));
  for (const auto& [column, n] : inputs.unparsed) {
    std::cerr << fmt::format(
        "warning: column '{}': {} value(s) did not parse and were treated as missing (first: {})\n", column, n,
        inputs.unparsed_example.at(column));
  }
  linkage::LinkageOptions options = settings.options;
  options.cross_source_only = settings.link_only.value_or(paths.size() > 1);
  if (options.cross_source_only && paths.size() < 2) {
    return Status::InvalidArgument("link_only needs two or more --input files");
  }
  if (args.budget > 0) options.blocking_budget = args.budget;
  if (args.explain_blocking) {
    RR_ASSIGN_OR_RETURN(linkage::BlockingPlan plan, linkage::ExplainBlocking(inputs.records, settings.spec, options));
    std::cout << fmt::format("link-csv: {} records from {} file(s); blocking {} (nothing linked)\n",
                             inputs.records.size(), paths.size(),
                             settings.default_blocking ? "planned from the field kinds" : "as written in the settings");
    std::cout << linkage::RenderBlockingPlan(plan);
    for (const auto& w : plan.warnings) std::cerr << "warning: " << w << "\n";
    return Status::Ok();
  }
  options.progress = progress;
  const auto link_start = std::chrono::steady_clock::now();
  RR_ASSIGN_OR_RETURN(linkage::LinkResult result, linkage::Link(inputs.records, settings.spec, options));
  if (result.plan) {
    for (const auto& w : result.plan->warnings) std::cerr << "warning: " << w << "\n";
  }
  const double link_s = SecondsSince(link_start);
  const auto write_start = std::chrono::steady_clock::now();
  RR_RETURN_IF_ERROR(linkage::WriteCsvLinkOutputs(args.out, inputs, result));
  // The model travels with the results so any pair can be explained later.
  RR_RETURN_IF_ERROR(WriteFileAtomically(fs::path(args.out) / "model.json", linkage::ModelToJson(result.model) + "\n"));
  const double write_s = SecondsSince(write_start);
  if (!args.quiet) {
    std::cout << fmt::format("link-csv: {} records from {} file(s), {} mode{}\n", inputs.records.size(), paths.size(),
                             options.cross_source_only ? "link" : "dedupe",
                             settings.default_blocking ? "; blocking rules planned from the field kinds" : "");
    if (result.plan) std::cout << linkage::RenderBlockingPlan(*result.plan, result.blocking);
    for (const auto& b : result.blocking) {
      std::cout << fmt::format("  blocking {:<44} {:>11} pairs ({} new; estimated {}){}\n", b.rule, b.candidate_pairs,
                               b.new_pairs, b.estimated_pairs,
                               b.oversized_blocks ? fmt::format(", {} oversized blocks skipped ({} pairs)",
                                                                b.oversized_blocks, b.skipped_pairs)
                                                  : "");
    }
    std::cout << fmt::format("  {} candidate pairs; EM {} iterations{}; prior match probability {:.3g}\n",
                             result.candidate_pairs, result.model.em_iterations,
                             result.model.em_converged ? "" : " (not converged)", result.model.lambda);
    std::cout << fmt::format("  {} matches, {} possibles -> {} clusters ({} split to keep contradictions apart)\n",
                             result.matches.size(), result.possibles.size(), result.cluster_count,
                             result.clusters_split);
    std::string phases;
    for (const auto& [phase, seconds] : result.timings)
      phases += fmt::format("{}{} {:.2f}", phases.empty() ? "" : ", ", phase, seconds);
    std::cout << "  link phases (s): " << phases << "\n";
    std::cout << fmt::format(
        "  wrote {}/clusters.csv, pairs.csv, model.json; read {:.2f} s, link {:.2f} s, "
        "write {:.2f} s, total {:.2f} s\n",
        args.out, read_s, link_s, write_s, SecondsSince(start));
  }
  return Status::Ok();
}

struct EvalArgs {
  std::string clusters;
  std::vector<std::string> truth_files;
  std::string id_column = "record_id";
  std::string truth_column;
  std::string truth_regex;
  bool cross_source_only = false;
  std::string db;
  std::string truth_dir;
  bool json = false;
};

nlohmann::json ScoresJson(const eval::ClusterScores& s) {
  return {{"records", s.records},
          {"clusters", s.predicted_clusters},
          {"true_entities", s.true_entities},
          {"true_pairs", s.pairwise.true_pairs},
          {"predicted_pairs", s.pairwise.predicted_pairs},
          {"correct_pairs", s.pairwise.correct_pairs},
          {"precision", s.pairwise.precision()},
          {"recall", s.pairwise.recall()},
          {"f1", s.pairwise.f1()},
          {"bcubed_precision", s.bcubed_precision},
          {"bcubed_recall", s.bcubed_recall},
          {"bcubed_f1", s.bcubed_f1()}};
}

Status RunLinkageEval(const EvalArgs& args) {
  if (!args.truth_dir.empty()) {
    // The synthetic partnership: the people the store resolved vs the generator's truth.
    RR_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(args.db));
    RR_ASSIGN_OR_RETURN(auto labels, eval::LabelStorePeople(*store, args.truth_dir));
    const auto all = eval::ScoreClusters(labels, false);
    const auto by_origin = eval::ScoreClustersByGroup(labels, false);
    std::vector<eval::LabelledRecord> offenders;
    for (const auto& l : labels) {
      if (l.offender) offenders.push_back(l);
    }
    const auto offender_scores = eval::ScoreClusters(offenders, false);
    if (args.json) {
      nlohmann::json j = ScoresJson(all);
      for (const auto& [g, s] : by_origin) j["by_name_origin"][g] = ScoresJson(s);
      j["offenders"] = ScoresJson(offender_scores);
      std::cout << j.dump(2) << "\n";
      return Status::Ok();
    }
    std::cout << eval::RenderClusterScores("people", all);
    double best = 0;
    for (const auto& [g, s] : by_origin) best = std::max(best, s.pairwise.recall());
    for (const auto& [g, s] : by_origin) {
      std::cout << fmt::format("  {:<24} pairwise recall {:.4f} ({:+.2f} points from the best), precision {:.4f}\n", g,
                               s.pairwise.recall(), 100 * (s.pairwise.recall() - best), s.pairwise.precision());
    }
    std::cout << fmt::format("  offenders: {} true offenders in {} resolved persons; pairwise recall {:.4f}\n",
                             offender_scores.true_entities, offender_scores.predicted_clusters,
                             offender_scores.pairwise.recall());
    return Status::Ok();
  }
  if (args.clusters.empty() || args.truth_files.empty() || args.truth_column.empty()) {
    return Status::InvalidArgument(
        "linkage-eval needs --clusters, --truth and --truth-column (or --db and --truth-dir for a partnership)");
  }
  eval::TruthFiles truth;
  for (const auto& f : args.truth_files) truth.files.emplace_back(f);
  truth.id_column = args.id_column;
  truth.truth_column = args.truth_column;
  truth.truth_regex = args.truth_regex;
  RR_ASSIGN_OR_RETURN(auto labels, eval::LabelCsvClusters(args.clusters, truth));
  const auto scores = eval::ScoreClusters(labels.records, args.cross_source_only);
  if (labels.unmatched_clusters_rows || labels.unmatched_truth_rows) {
    std::cerr << fmt::format(
        "warning: {} clusters.csv rows without truth and {} truth rows without a cluster were "
        "left out\n",
        labels.unmatched_clusters_rows, labels.unmatched_truth_rows);
  }
  if (args.json) {
    std::cout << ScoresJson(scores).dump(2) << "\n";
  } else {
    std::cout << eval::RenderClusterScores(args.cross_source_only ? "linkage (cross-source pairs)" : "linkage", scores);
  }
  return Status::Ok();
}

std::string Describe(const store::MentionRow& m) {
  const PersonMention& p = m.mention;
  return fmt::format("{} {} | dob {} | sex {} | postcode {} | NHS {} | UPN {} | {} {} ({})", p.forename, p.surname,
                     p.dob ? p.dob->ToIso() : "-", ToString(p.sex), p.postcode.empty() ? "-" : p.postcode,
                     p.nhs_number.empty() ? "-" : p.nhs_number, p.upn.empty() ? "-" : p.upn, m.agency_code, m.local_id,
                     m.slot);
}

nlohmann::json ExplanationJson(const linkage::MentionPairExplanation& e) {
  nlohmann::json out = {{"left_mention", e.left.mention.id},
                        {"right_mention", e.right.mention.id},
                        {"left_person", e.left_person},
                        {"right_person", e.right_person},
                        {"same_person", e.left_person != 0 && e.left_person == e.right_person},
                        {"review_status", e.review_status},
                        {"review_reason", e.review_reason}};
  if (nlohmann::json waterfall = linkage::WaterfallJson(e.contributions); waterfall.is_object()) {
    out.update(waterfall);
  } else {
    out["steps"] = nlohmann::json::array();
    out["match_weight"] = e.match_weight;
    out["match_probability"] = e.match_probability;
  }
  return out;
}

std::string RenderExplanation(const linkage::MentionPairExplanation& e) {
  std::string out;
  out += fmt::format("left  {}: {}\nright {}: {}\n", e.left.mention.id, Describe(e.left), e.right.mention.id,
                     Describe(e.right));
  out += fmt::format("{:<14} {:<44} {:>8} {:>10}\n", "field", "level", "weight", "cumulative");
  double running = 0;
  for (const auto& c : e.contributions) {
    if (c.field == "total") continue;
    running += c.weight;
    out += fmt::format("{:<14} {:<44} {:>+8.2f} {:>+10.2f}\n", c.field, c.level, c.weight, running);
  }
  out +=
      fmt::format("{:<14} {:<44} {:>+8.2f}   probability {:.4f}\n", "total", "", e.match_weight, e.match_probability);
  out += fmt::format("now: {}{}\n",
                     e.left_person != 0 && e.left_person == e.right_person
                         ? fmt::format("the same person ({})", e.left_person)
                         : fmt::format("different persons ({} and {})", e.left_person, e.right_person),
                     e.review_status.empty() ? "" : fmt::format("; review: {} {}", e.review_status, e.review_reason));
  return out;
}

// Reading two people's details is access to personal data: audited.
Status AuditRead(store::Store& store, const std::string& action, int64_t left, int64_t right,
                 const store::Actor& actor) {
  store::AuditEvent audit;
  audit.actor = actor;
  audit.action = action;
  audit.target = fmt::format("person_mention:{},{}", left, right);
  return store.AppendAudit(audit);
}

struct ReviewArgs {
  std::string status = "pending";
  size_t limit = 50;
  int64_t left = 0;
  int64_t right = 0;
  std::string reason;
  std::string user;
  bool json = false;
};

Status RunReviewDecision(const std::string& db, const ReviewArgs& args, const std::string& status) {
  RR_ASSIGN_OR_RETURN(const store::Actor actor, ReviewActor(args.user));
  RR_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(db));
  store::ReviewDecisionRequest request;
  request.left_mention_id = args.left;
  request.right_mention_id = args.right;
  request.status = status;
  request.reason = args.reason;
  // A pair that was never queued (splitting a linked pair) is stored with its score now.
  if (auto e = linkage::ExplainMentionPair(*store, args.left, args.right); e.ok()) {
    request.match_weight = e->match_weight;
    request.match_probability = e->match_probability;
  } else if (e.status().code() == StatusCode::kNotFound && e.status().message().find("mention") != std::string::npos) {
    return e.status();
  }
  RR_RETURN_IF_ERROR(access::AuditedAccess(*store).DecideReviewPair(request, actor).status());
  std::cout << fmt::format(
      "review: pair {}-{} {}; `riskradar link` applies it ({})\n", std::min(args.left, args.right),
      std::max(args.left, args.right), status,
      status == "confirmed" ? "the two mentions will be one person" : "the two mentions will never be one person");
  return Status::Ok();
}

}  // namespace

void AddLinkageCommands(CLI::App& app, int& exit_code) {
  auto fail_or = [&exit_code](const Status& s) { exit_code = s.ok() ? 0 : Fail(s); };
  auto db = std::make_shared<std::string>(DefaultDbPath());

  // link-csv
  auto link_args = std::make_shared<LinkCsvArgs>();
  auto* link_csv = app.add_subcommand("link-csv", "Link or de-duplicate any CSV files (unsupervised)");
  link_csv->add_option("--settings", link_args->settings, "Settings (TOML): id_column, [[field]] column/kind, ...")
      ->required();
  link_csv->add_option("--input", link_args->inputs, "Input CSV (give two to link one file to another)")->required();
  link_csv->add_option("--out", link_args->out,
                       "Output directory for clusters.csv, pairs.csv, model.json (not with --explain-blocking)");
  link_csv->add_flag("--quiet", link_args->quiet, "Print only warnings and errors (no progress on stderr)");
  link_csv->add_flag("--explain-blocking", link_args->explain_blocking,
                     "Print the blocking plan (rules, estimated pairs, why refined or dropped) without linking");
  link_csv->add_option("--budget", link_args->budget,
                       "Candidate pairs the blocking planner may spend (default: settings [blocking] budget, else 10 "
                       "per record and at least 4 million)");
  link_csv->callback([=] { fail_or(RunLinkCsv(*link_args)); });

  // linkage-eval
  auto eval_args = std::make_shared<EvalArgs>();
  auto* eval_cmd = app.add_subcommand("linkage-eval", "Pairwise and B-cubed precision/recall of a linkage vs truth");
  eval_cmd->add_option("--clusters", eval_args->clusters, "clusters.csv written by link-csv");
  eval_cmd->add_option("--truth", eval_args->truth_files, "CSV(s) holding the truth column (e.g. the link-csv inputs)");
  eval_cmd->add_option("--id-column", eval_args->id_column, "Record id column in the truth files")
      ->capture_default_str();
  eval_cmd->add_option("--truth-column", eval_args->truth_column, "Column naming each record's true entity");
  eval_cmd->add_option("--truth-regex", eval_args->truth_regex,
                       "Entity = first capture group of this regex on the truth column (FEBRL: '^rec-(\\d+)-')");
  eval_cmd->add_flag("--cross-source-only", eval_args->cross_source_only,
                     "Count only pairs across sources (linking two files)");
  eval_cmd->add_option("--db", eval_args->db, "Store to evaluate (with --truth-dir)");
  eval_cmd->add_option("--truth-dir", eval_args->truth_dir, "A synthetic partnership's truth/ directory");
  eval_cmd->add_flag("--json", eval_args->json, "Machine-readable output");
  eval_cmd->callback([=] {
    EvalArgs a = *eval_args;
    if (a.db.empty()) a.db = *db;
    fail_or(RunLinkageEval(a));
  });

  // review
  auto review_args = std::make_shared<ReviewArgs>();
  auto* review = app.add_subcommand("review", "The linkage review queue: pairs the model was unsure about");
  review->require_subcommand(1);
  auto* list = review->add_subcommand("list", "List pairs (default: pending, most uncertain first)");
  list->add_option("--db", *db, "Store (SQLite file)")->capture_default_str();
  list->add_option("--status", review_args->status, "pending | confirmed | rejected | all")->capture_default_str();
  list->add_option("--limit", review_args->limit, "At most this many rows (0: all)")->capture_default_str();
  list->add_option("--user", review_args->user, "Who is looking (default: $USER)");
  list->add_flag("--json", review_args->json, "Machine-readable output");
  list->callback([=] {
    auto actor = ReviewActor(review_args->user);
    if (!actor.ok()) return fail_or(actor.status());
    auto store = OpenConfiguredStore(*db);
    if (!store.ok()) return fail_or(store.status());
    // The pairs name mentions of people: an audited read, like every other.
    auto rows =
        access::AuditedAccess(**store).ListReviewPairs(review_args->status == "all" ? "" : review_args->status, *actor);
    if (!rows.ok()) return fail_or(rows.status());
    std::vector<store::ReviewItem> pairs;
    for (const auto& r : rows->items) pairs.push_back(r.item);
    const std::vector<store::ReviewItem>* items = &pairs;
    const size_t shown = review_args->limit == 0 ? items->size() : std::min(items->size(), review_args->limit);
    if (review_args->json) {
      nlohmann::json j = nlohmann::json::array();
      for (size_t i = 0; i < shown; ++i) {
        const auto& r = (*items)[i];
        j.push_back({{"left_mention", r.left_mention_id},
                     {"right_mention", r.right_mention_id},
                     {"match_weight", r.match_weight},
                     {"match_probability", r.match_probability},
                     {"status", r.status},
                     {"reason", r.reason},
                     {"decided_by", r.decided_by},
                     {"decided_at", r.decided_at}});
      }
      std::cout << j.dump(2) << "\n";
      return;
    }
    std::cout << fmt::format("{:>9} {:>9} {:>8} {:>7}  {:<9}  {}\n", "left", "right", "weight", "p", "status",
                             "decided by / reason");
    for (size_t i = 0; i < shown; ++i) {
      const auto& r = (*items)[i];
      std::cout << fmt::format("{:>9} {:>9} {:>+8.2f} {:>7.4f}  {:<9}  {}\n", r.left_mention_id, r.right_mention_id,
                               r.match_weight, r.match_probability, r.status,
                               r.status == "pending" ? "" : r.decided_by + ": " + r.reason);
    }
    std::cout << fmt::format("{} of {} pairs shown; `riskradar review show --left LEFT --right RIGHT` explains one\n",
                             shown, items->size());
  });
  auto* show = review->add_subcommand("show", "Show both mentions of a pair and why the model scored it so (audited)");
  show->add_option("--db", *db, "Store (SQLite file)")->capture_default_str();
  auto* show_left = show->add_option("--left", review_args->left, "Left mention id");
  auto* show_right = show->add_option("--right", review_args->right, "Right mention id");
  // `review show LEFT RIGHT` (the earlier form) still works.
  auto positional = std::make_shared<std::vector<int64_t>>();
  auto* show_ids = show->add_option("ids", *positional, "LEFT RIGHT: the same as --left LEFT --right RIGHT")
                       ->expected(2)
                       ->excludes(show_left)
                       ->excludes(show_right);
  show_left->needs(show_right);
  show_right->needs(show_left);
  show->add_option("--user", review_args->user, "Who is looking (default: $USER)");
  show->add_flag("--json", review_args->json, "Machine-readable output");
  show->callback([=] {
    if (show_ids->count() > 0) {
      review_args->left = (*positional)[0];
      review_args->right = (*positional)[1];
    } else if (show_left->count() == 0) {
      return fail_or(Status::InvalidArgument("review show needs --left and --right (two mention ids)"));
    }
    auto actor = ReviewActor(review_args->user);
    if (!actor.ok()) return fail_or(actor.status());
    auto store = OpenConfiguredStore(*db);
    if (!store.ok()) return fail_or(store.status());
    auto e = linkage::ExplainMentionPair(**store, review_args->left, review_args->right);
    if (!e.ok()) return fail_or(e.status());
    if (auto s = AuditRead(**store, "read_review_pair", review_args->left, review_args->right, *actor); !s.ok()) {
      return fail_or(s);
    }
    std::cout << (review_args->json ? ExplanationJson(*e).dump(2) + "\n" : RenderExplanation(*e));
  });
  for (const char* verb : {"confirm", "reject"}) {
    const std::string status = std::string(verb) == "confirm" ? "confirmed" : "rejected";
    auto* cmd = review->add_subcommand(
        verb, status == "confirmed" ? "Confirm a pair: the two mentions are one person (kept by later runs)"
                                    : "Reject a pair: the two mentions are never one person (splits a linked pair)");
    cmd->add_option("--db", *db, "Store (SQLite file)")->capture_default_str();
    cmd->add_option("--left", review_args->left, "Left mention id")->required();
    cmd->add_option("--right", review_args->right, "Right mention id")->required();
    cmd->add_option("--reason", review_args->reason, "Why (kept with the decision and in the audit log)")->required();
    cmd->add_option("--user", review_args->user, "Who decides (default: $USER)");
    cmd->callback([=] { fail_or(RunReviewDecision(*db, *review_args, status)); });
  }

  // explain
  auto explain_args = std::make_shared<ReviewArgs>();
  auto* explain =
      app.add_subcommand("explain", "Why two person mentions were (not) linked: the match-weight waterfall");
  explain->add_option("--db", *db, "Store (SQLite file)")->capture_default_str();
  auto* explain_left = explain->add_option("--left", explain_args->left, "Left mention id");
  auto* explain_right = explain->add_option("--right", explain_args->right, "Right mention id");
  explain_left->needs(explain_right);
  explain_right->needs(explain_left);
  explain->add_option("--user", explain_args->user, "Who is looking (default: $USER)");
  explain->add_flag("--json", explain_args->json, "Waterfall as JSON (for the UI)");
  auto child_id = std::make_shared<int64_t>(0);
  auto child_json = std::make_shared<bool>(false);
  auto child_user = std::make_shared<std::string>();
  auto* explain_child = explain->add_subcommand(
      "child", "A child's level, every indicator with the events behind it, and what would change the level");
  explain_child->add_option("id", *child_id, "Child (person) id")->required();
  explain_child->add_option("--db", *db, "Store (SQLite file)")->capture_default_str();
  explain_child->add_option("--user", *child_user, "The account whose need-to-know applies")->required();
  explain_child->add_flag("--json", *child_json, "The same structure as the API's child view assessment");
  explain_child->callback([=] { fail_or(RunExplainChild(*db, *child_id, *child_user, *child_json)); });
  explain->require_subcommand(0, 1);
  explain->callback([=] {
    if (!explain->get_subcommands().empty()) return;  // explain child|person|place (registered in their files)
    if (explain_left->count() == 0) {
      return fail_or(Status::InvalidArgument(
          "explain needs --left ID --right ID (a pair of mentions) or a subcommand: explain child|person|place ID "
          "--user NAME"));
    }
    auto actor = ReviewActor(explain_args->user);
    if (!actor.ok()) return fail_or(actor.status());
    auto store = OpenConfiguredStore(*db);
    if (!store.ok()) return fail_or(store.status());
    auto e = linkage::ExplainMentionPair(**store, explain_args->left, explain_args->right);
    if (!e.ok()) return fail_or(e.status());
    if (auto s = AuditRead(**store, "explain_pair", explain_args->left, explain_args->right, *actor); !s.ok()) {
      return fail_or(s);
    }
    std::cout << (explain_args->json ? ExplanationJson(*e).dump(2) + "\n" : RenderExplanation(*e));
  });
}

}  // namespace riskradar::cli
