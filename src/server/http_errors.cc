// Error kinds -> HTTP status + JSON body (see http_errors.h).
#include "http_errors.h"

namespace riskradar::server {
namespace {

const char* CodeName(int http_status) {
  switch (http_status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthenticated";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 409:
      return "conflict";
    case 412:
      return "precondition_failed";
    case 413:
      return "payload_too_large";
    case 414:
      return "uri_too_long";
    case 415:
      return "unsupported_media_type";
    case 428:
      return "precondition_required";
    case 429:
      return "too_many_requests";
    case 431:
      return "header_fields_too_large";
    case 503:
      return "unavailable";
    default:
      return http_status >= 500 ? "internal" : "error";
  }
}

const char* GenericMessage(int http_status) {
  switch (http_status) {
    case 400:
      return "the request is not valid";
    case 401:
      return "sign in first";
    case 403:
      return "not allowed";
    case 404:
      return "not found";
    case 405:
      return "method not allowed";
    case 409:
      return "the request conflicts with the current state";
    case 412:
      return "the item has changed since you read it";
    case 413:
      return "the request body is too large";
    case 414:
      return "the request target (path and query) is too long";
    case 428:
      return "send If-Match with the item's ETag";
    case 429:
      return "too many attempts; try again later";
    case 431:
      return "the request headers are too large";
    case 503:
      return "the server is busy; try again later";
    default:
      return "internal error";
  }
}

}  // namespace

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kConflict:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kCorruption:
    case StatusCode::kIoError:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

nlohmann::json ErrorBody(const Status& status) {
  const int http = HttpStatusFor(status.code());
  // Only messages written for the client pass through; store conflicts and server faults may carry SQL.
  const bool client_message = status.code() == StatusCode::kInvalidArgument ||
                              status.code() == StatusCode::kUnauthenticated ||
                              status.code() == StatusCode::kPermissionDenied ||
                              status.code() == StatusCode::kNotFound || status.code() == StatusCode::kResourceExhausted;
  return {{"error",
           {{"status", http},
            {"code", CodeName(http)},
            {"message", client_message ? status.message() : std::string(GenericMessage(http))}}}};
}

nlohmann::json ErrorBodyForHttpStatus(int http_status) {
  return {
      {"error", {{"status", http_status}, {"code", CodeName(http_status)}, {"message", GenericMessage(http_status)}}}};
}

nlohmann::json ErrorBodyForHttpStatus(int http_status, const std::string& message) {
  return {{"error", {{"status", http_status}, {"code", CodeName(http_status)}, {"message", message}}}};
}

}  // namespace riskradar::server
