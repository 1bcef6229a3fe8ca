// Status and Result<T>: how operational failures (I/O, bad input, store errors) travel.
//
// User mistakes in rules and configurations are diagnostics (collected, with
// locations); Status is for failures of an operation. Exceptions never cross a
// module boundary: functions that can fail return Status or Result<T>.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tosguard {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller (or the user's configuration) asked for something wrong
  kNotFound,         // a named file, record or key does not exist
  kIoError,          // the operating system refused a read or write
  kCorruption,       // data that should be well-formed is not (bad .gz, hash mismatch)
  kFailedPrecondition,
  kResourceExhausted,  // a configured limit was exceeded
  kInternal,
};

// Stable lower-case name of a code, e.g. "io_error".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "io_error: cannot open 'x.jsonl': No such file or directory", or "ok".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "Result built from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace tosguard

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define TOSGUARD_RETURN_IF_ERROR(expr)        \
  do {                                        \
    ::tosguard::Status _st = (expr);          \
    if (!_st.ok()) return _st;                \
  } while (false)
