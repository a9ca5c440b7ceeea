#include "archive/status.h"

namespace dangan {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kMalformed:
      return "malformed";
    case ErrorCode::kUnsupportedMediaType:
      return "unsupported media type";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kCorruption:
      return "corruption";
    case ErrorCode::kIOError:
      return "I/O error";
    case ErrorCode::kNoSpace:
      return "no space left";
    case ErrorCode::kFailedCheck:
      return "check failed";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kTooLarge:
      return "too large";
    case ErrorCode::kUnauthorized:
      return "unauthorized";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kInternal:
      return "internal error";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out = ErrorCodeName(code_);
  out += ": ";
  out += message_;
  if (!fields_.empty()) {
    out += " (";
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (i) out += "; ";
      out += fields_[i].field + ": " + fields_[i].message;
    }
    out += ")";
  }
  return out;
}

}  // namespace dangan
