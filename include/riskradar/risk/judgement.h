// Professional judgement on a screening model's assessment (issue 13 item 1): the level that counts (a
// practitioner's or manager's override, else the model's), when it is next reviewed, which way it moved, whether
// an override may be made, and what a later pipeline re-assessment does with a current override. Pure functions:
// no store, no clock (today is a parameter).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "riskradar/core/access.h"
#include "riskradar/core/date.h"
#include "riskradar/core/domain.h"
#include "riskradar/core/status.h"
#include "riskradar/risk/screening.h"

namespace riskradar::risk {

// The level that counts: the override when there is one, else the model's.
RiskLevel EffectiveLevel(const Assessment& assessment);

// `from` plus the policy's days for `level`.
Date NextReviewDate(RiskLevel level, Date from, const ReviewPolicy& policy);

// Whether the assessment's review date has passed on `today` (an assessment without one is never overdue).
bool ReviewOverdue(const Assessment& assessment, Date today);

// The movement of the effective level from the previous assessment to the current one.
enum class Trend { kNew, kRising, kSteady, kFalling };
std::string_view ToString(Trend trend);  // new | rising | steady | falling
Trend TrendOf(const Assessment* previous, const Assessment& current);

struct OverrideRequest {
  RiskLevel level = RiskLevel::kNoCurrentRisk;
  std::string reason;
  std::optional<Date> next_review;  // none: the policy's date for the override level
};

inline constexpr size_t kOverrideReasonMin = 10, kOverrideReasonMax = 2000;
inline constexpr int kOverrideReviewMaxDays = 366;

// Whether `role` may override `current` as `request` asks on `today`: practitioners and managers only
// (PermissionDenied otherwise); the reason is 10 to 2000 characters of text (InvalidArgument naming "reason");
// the level differs from the current effective level ("level"); a review date, when given, is after today and
// within a year ("next_review").
Status CheckOverride(Role role, const Assessment& current, const OverrideRequest& request, Date today);

// The new assessment an override makes: `current`'s model result (level, score, model version, indicators,
// explanation) on `today`, with the override, who made it, and its review date (asked for, or the policy's for
// the override level); the explanation gains a line saying so.
Assessment ApplyOverride(const Assessment& current, const OverrideRequest& request, const std::string& user, Date today,
                         const ReviewPolicy& policy);

// The rule for a later pipeline re-assessment (`fresh`, from the model, dated fresh.as_of): an override stays
// until its review date or a new override. When `previous` (the child's latest assessment) carries an override
// whose review date is on or after fresh.as_of, `fresh` keeps that override, its reason, author and review date,
// and its explanation says so beside the model's own level (Assessment::level stays the model's). Otherwise
// `fresh` gets the policy's review date for its model level. Returns whether the override was kept.
bool CarryOverride(const Assessment* previous, Assessment& fresh, const ReviewPolicy& policy);

}  // namespace riskradar::risk
