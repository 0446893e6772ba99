// The one place where error kinds become CLI exit codes and messages.
#pragma once

#include <iostream>

#include "riskradar/core/status.h"

namespace riskradar::cli {

inline int ExitCodeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kInvalidArgument:
      return 2;
    case StatusCode::kNotFound:
      return 3;
    case StatusCode::kFailedPrecondition:
      return 4;
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnauthenticated:
      return 5;
    case StatusCode::kConflict:
    case StatusCode::kAlreadyExists:
      return 6;
    case StatusCode::kCorruption:
      return 7;
    case StatusCode::kIoError:
      return 8;
    case StatusCode::kResourceExhausted:
      return 9;
    case StatusCode::kInternal:
      return 70;
  }
  return 70;
}

inline int Fail(const Status& status) {
  std::cerr << "riskradar: " << status.ToString() << "\n";
  return ExitCodeFor(status.code());
}

}  // namespace riskradar::cli
