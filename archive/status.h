// Status and Result<T>: how errors travel across module borders in Dangan.
// A Status is a value (code, message and, for invalid input, the offending fields); it owns its
// strings and is safe to copy between threads. Exceptions never cross a module's public functions.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace dangan {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,  // the caller's input is wrong; `fields` names what
  kMalformed,        // the input cannot even be parsed (not JSON, broken multipart)
  kUnsupportedMediaType,
  kNotFound,
  kConflict,    // same identity, different content (idempotency)
  kCorruption,  // stored bytes do not match what was recorded
  kIOError,
  kNoSpace,
  kFailedCheck,   // a four-property check refused the record
  kUnavailable,   // busy or shutting down; retrying may succeed
  kTooLarge,      // the input exceeds a size limit
  kUnauthorized,  // missing or wrong credentials
  kForbidden,     // authenticated, but not allowed
  kInternal,
};

const char* ErrorCodeName(ErrorCode code);

struct FieldError {
  std::string field;    // dotted path into the input, e.g. "files[1].sha256"
  std::string message;  // what is wrong, in words a user can act on
};

class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message, std::vector<FieldError> fields = {})
      : code_(code), message_(std::move(message)), fields_(std::move(fields)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg, std::vector<FieldError> fields = {}) {
    return Status(ErrorCode::kInvalidArgument, std::move(msg), std::move(fields));
  }
  static Status NotFound(std::string msg) { return Status(ErrorCode::kNotFound, std::move(msg)); }
  static Status Conflict(std::string msg) { return Status(ErrorCode::kConflict, std::move(msg)); }
  static Status Corruption(std::string msg) {
    return Status(ErrorCode::kCorruption, std::move(msg));
  }
  static Status IOError(std::string msg) { return Status(ErrorCode::kIOError, std::move(msg)); }
  static Status NoSpace(std::string msg) { return Status(ErrorCode::kNoSpace, std::move(msg)); }
  static Status FailedCheck(std::string msg, std::vector<FieldError> fields = {}) {
    return Status(ErrorCode::kFailedCheck, std::move(msg), std::move(fields));
  }
  static Status Internal(std::string msg) { return Status(ErrorCode::kInternal, std::move(msg)); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<FieldError>& fields() const { return fields_; }

  // "invalid argument: message (field: why; field: why)"
  std::string ToString() const;

  // Prefixes the message with context, keeping code and fields.
  Status WithContext(const std::string& context) const {
    return Status(code_, context + ": " + message_, fields_);
  }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::vector<FieldError> fields_;
};

// Either a value or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  // By value: `for (auto& x : F().value())` must not bind to a member of a dead temporary.
  T value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace dangan

#define DANGAN_RETURN_IF_ERROR(expr) \
  do {                               \
    ::dangan::Status _st = (expr);   \
    if (!_st.ok()) return _st;       \
  } while (0)
