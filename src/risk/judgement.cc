// Professional judgement on an assessment: effective level, review dates, trend, overrides (see judgement.h).
#include "riskradar/risk/judgement.h"

#include <fmt/format.h>

#include "riskradar/core/text.h"

namespace riskradar::risk {

RiskLevel EffectiveLevel(const Assessment& assessment) { return assessment.override_level.value_or(assessment.level); }

Date NextReviewDate(RiskLevel level, Date from, const ReviewPolicy& policy) {
  return from.AddDays(policy.DaysFor(level));
}

bool ReviewOverdue(const Assessment& assessment, Date today) {
  return assessment.next_review && *assessment.next_review < today;
}

std::string_view ToString(Trend trend) {
  switch (trend) {
    case Trend::kNew:
      return "new";
    case Trend::kRising:
      return "rising";
    case Trend::kSteady:
      return "steady";
    case Trend::kFalling:
      return "falling";
  }
  return "new";
}

Trend TrendOf(const Assessment* previous, const Assessment& current) {
  if (previous == nullptr) return Trend::kNew;
  const RiskLevel before = EffectiveLevel(*previous), now = EffectiveLevel(current);
  if (now > before) return Trend::kRising;
  if (now < before) return Trend::kFalling;
  return Trend::kSteady;
}

namespace {

size_t TextLength(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return 0;
  const size_t last = text.find_last_not_of(" \t\r\n");
  return last - first + 1;
}

}  // namespace

Status CheckOverride(Role role, const Assessment& current, const OverrideRequest& request, Date today) {
  if (role != Role::kPractitioner && role != Role::kManager) {
    return Status::PermissionDenied("only a practitioner or a manager may override a level");
  }
  const size_t length = TextLength(request.reason);
  if (length < kOverrideReasonMin || request.reason.size() > kOverrideReasonMax) {
    return Status::InvalidArgument(fmt::format("reason: give a reason of {} to {} characters for the override",
                                               kOverrideReasonMin, kOverrideReasonMax));
  }
  if (request.level == EffectiveLevel(current)) {
    return Status::InvalidArgument(
        fmt::format("level: the level is already {}; an override changes it", ToString(request.level)));
  }
  if (request.next_review) {
    const int days = *request.next_review - today;
    if (days < 1 || days > kOverrideReviewMaxDays) {
      return Status::InvalidArgument(fmt::format("next_review: must be after today ({}) and within {} days, got {}",
                                                 today.ToIso(), kOverrideReviewMaxDays, request.next_review->ToIso()));
    }
  }
  return Status::Ok();
}

Assessment ApplyOverride(const Assessment& current, const OverrideRequest& request, const std::string& user, Date today,
                         const ReviewPolicy& policy) {
  Assessment out = current;
  out.id = 0;
  out.as_of = today;
  out.override_level = request.level;
  out.override_reason = request.reason;
  out.override_by = user;
  out.next_review = request.next_review.value_or(NextReviewDate(request.level, today, policy));
  out.explanation.push_back(fmt::format("Override by {} on {}: {} (the model gives {}), review by {}", user,
                                        today.ToIso(), Label(request.level), Label(current.level),
                                        out.next_review->ToIso()));
  return out;
}

bool CarryOverride(const Assessment* previous, Assessment& fresh, const ReviewPolicy& policy) {
  if (previous != nullptr && previous->override_level && previous->next_review &&
      fresh.as_of <= *previous->next_review) {
    fresh.override_level = previous->override_level;
    fresh.override_reason = previous->override_reason;
    fresh.override_by = previous->override_by;
    fresh.next_review = previous->next_review;
    fresh.explanation.push_back(fmt::format("Override by {} kept until its review on {}: {} (the model gives {})",
                                            previous->override_by, previous->next_review->ToIso(),
                                            Label(*previous->override_level), Label(fresh.level)));
    return true;
  }
  fresh.override_level.reset();
  fresh.override_reason.clear();
  fresh.override_by.clear();
  fresh.next_review = NextReviewDate(fresh.level, fresh.as_of, policy);
  return false;
}

}  // namespace riskradar::risk
