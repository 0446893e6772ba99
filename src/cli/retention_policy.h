// The retention schedule (config/retention.toml) as the CLI reads it: for `retention plan|apply` and for the
// ingest check that every record class it loads has a rule.
#pragma once

#include <string>
#include <string_view>

#include "riskradar/core/status.h"
#include "riskradar/store/retention.h"

namespace riskradar::cli {

// config/retention.toml of the data directory.
std::string DefaultPolicyPath();
// Reads a retention schedule; errors name the file, line and key. A rule gives keep_years or keep_days, or
// keep = "indefinitely" (an explicit decision to keep the class: RetentionPolicy::kept_classes).
Result<store::RetentionPolicy> LoadRetentionPolicy(const std::string& path);
// Ok when the schedule at `policy_path` has a rule for `record_class` (a period or an explicit keep);
// FailedPrecondition naming the class and the file otherwise (ingest refuses such a mapping).
Status RequireRetentionRule(std::string_view record_class, const std::string& policy_path);

}  // namespace riskradar::cli
