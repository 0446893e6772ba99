// A trained model as JSON and back, so a stored linkage run can score and explain pairs later.
#include <nlohmann/json.hpp>

#include "riskradar/linkage/engine.h"

namespace riskradar::linkage {

std::string ModelToJson(const Model& model) {
  nlohmann::json fields = nlohmann::json::array();
  for (size_t c = 0; c < model.fields.size(); ++c) {
    const FieldModel& f = model.fields[c];
    nlohmann::json levels = nlohmann::json::array();
    for (const ComparisonLevel& l : f.levels) {
      levels.push_back({{"label", l.label}, {"m", l.m}, {"u", l.u}, {"weight", l.weight}});
    }
    nlohmann::json field = {
        {"field", f.field}, {"kind", ToString(f.kind)}, {"m_estimated", f.m_estimated}, {"levels", levels}};
    if (c < model.spec.fields.size()) {
      const FieldSpec& spec = model.spec.fields[c];
      field["term_frequency"] = spec.term_frequency;
      field["cannot_link_on_mismatch"] = spec.cannot_link_on_mismatch;
      field["swap_with"] = spec.swap_with;
    }
    // Term frequencies make the stored model large but let a pair be scored
    // exactly as the run scored it (rare names weigh more than common ones).
    if (c < model.term_frequencies.size() && !model.term_frequencies[c].empty()) {
      nlohmann::json tf = nlohmann::json::object();
      for (const auto& [value, share] : model.term_frequencies[c]) tf[value] = share;
      field["term_frequencies"] = std::move(tf);
      field["term_frequency_floor"] = model.term_frequency_floor[c];
    }
    fields.push_back(std::move(field));
  }
  nlohmann::json rules = nlohmann::json::array();
  for (const BlockingRule& r : model.spec.blocking_rules) rules.push_back(r.name);
  nlohmann::json j = {{"format", "riskradar-linkage-model-1"},
                      {"lambda", model.lambda},
                      {"prior_weight", model.prior_weight},
                      {"em_iterations", model.em_iterations},
                      {"em_converged", model.em_converged},
                      {"u_pairs_sampled", model.u_pairs_sampled},
                      {"max_tf_adjustment", model.max_tf_adjustment},
                      {"term_frequency_adjustments", model.term_frequency_adjustments},
                      {"blocking_rules", rules},
                      {"fields", fields}};
  return j.dump();
}

Result<Model> ModelFromJson(std::string_view text, const std::string& reference_dir) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption("stored linkage model is not valid JSON");
  if (j.value("format", "") != "riskradar-linkage-model-1") {
    return Status::FailedPrecondition(
        "stored linkage model has no scoring parameters (written by an older version); "
        "run `riskradar link` again");
  }
  Model model;
  try {
    model.lambda = j.at("lambda").get<double>();
    model.prior_weight = j.at("prior_weight").get<double>();
    model.em_iterations = j.value("em_iterations", 0);
    model.em_converged = j.value("em_converged", false);
    model.u_pairs_sampled = j.value("u_pairs_sampled", int64_t{0});
    model.max_tf_adjustment = j.value("max_tf_adjustment", 10.0);
    model.term_frequency_adjustments = j.value("term_frequency_adjustments", true);
    for (const auto& rule : j.at("blocking_rules")) {
      RR_ASSIGN_OR_RETURN(BlockingRule parsed, ParseBlockingRule(rule.get<std::string>()));
      model.spec.blocking_rules.push_back(std::move(parsed));
    }
    for (const auto& f : j.at("fields")) {
      FieldSpec spec;
      spec.name = f.at("field").get<std::string>();
      RR_ASSIGN_OR_RETURN(spec.kind, ParseFieldKind(f.at("kind").get<std::string>()));
      spec.term_frequency = f.value("term_frequency", false);
      spec.cannot_link_on_mismatch = f.value("cannot_link_on_mismatch", false);
      spec.swap_with = f.value("swap_with", "");
      model.spec.fields.push_back(spec);
      FieldModel fm;
      fm.field = spec.name;
      fm.kind = spec.kind;
      fm.m_estimated = f.value("m_estimated", false);
      for (const auto& l : f.at("levels")) {
        fm.levels.push_back({l.at("label").get<std::string>(), l.at("m").get<double>(), l.at("u").get<double>(),
                             l.at("weight").get<double>()});
      }
      model.fields.push_back(std::move(fm));
      std::unordered_map<std::string, double> tf;
      if (const auto it = f.find("term_frequencies"); it != f.end()) {
        for (const auto& [value, share] : it->items()) tf.emplace(value, share.get<double>());
      }
      model.term_frequencies.push_back(std::move(tf));
      model.term_frequency_floor.push_back(f.value("term_frequency_floor", 1e-6));
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("stored linkage model is incomplete: ") + e.what());
  }
  RR_RETURN_IF_ERROR(model.spec.Validate());
  RR_ASSIGN_OR_RETURN(model.names, SharedNameVariants(reference_dir.empty() ? DefaultReferenceDir() : reference_dir));
  return model;
}

}  // namespace riskradar::linkage
