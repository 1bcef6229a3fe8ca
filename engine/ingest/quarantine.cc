// Quarantine reasons and the JSONL quarantine file.
#include "engine/ingest/quarantine.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/json_writer.h"

namespace tosguard::engine {

std::string_view QuarantineReasonName(QuarantineReason r) {
  switch (r) {
    case QuarantineReason::kMalformedJson: return "malformed_json";
    case QuarantineReason::kNotAnObject: return "not_an_object";
    case QuarantineReason::kMissingField: return "missing_field";
    case QuarantineReason::kWrongType: return "wrong_type";
    case QuarantineReason::kBadTimestamp: return "bad_timestamp";
    case QuarantineReason::kInvalidUtf8: return "invalid_utf8";
    case QuarantineReason::kLineTooLong: return "line_too_long";
    case QuarantineReason::kDuplicate: return "duplicate";
    case QuarantineReason::kTruncatedLine: return "truncated_line";
    case QuarantineReason::kBlankLine: return "blank_line";
    case QuarantineReason::kCsvColumnCount: return "csv_column_count";
    case QuarantineReason::kCsvQuote: return "csv_quote";
  }
  return "unknown";
}

QuarantineWriter::~QuarantineWriter() {
  if (out_ != nullptr) std::fclose(out_);
}

Status QuarantineWriter::Open(const std::string& path) {
  path_ = path;
  if (path.empty()) return Status::Ok();
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  out_ = std::fopen(path.c_str(), "wb");
  if (out_ == nullptr) {
    return Status::IoError("cannot write quarantine file '" + path + "': " + std::strerror(errno));
  }
  return Status::Ok();
}

Status QuarantineWriter::Write(const QuarantineEntry& e, std::string_view source,
                               std::string_view file) {
  if (out_ == nullptr) return Status::Ok();
  JsonWriter w;
  w.BeginObject()
      .Key("source").String(source)
      .Key("file").String(file)
      .Key("line").Uint(e.ref.line)
      .Key("offset").Uint(e.ref.offset)
      .Key("length").Uint(e.ref.length)
      .Key("reason").String(QuarantineReasonName(e.reason))
      .Key("detail").String(e.detail)
      .Key("excerpt").String(e.excerpt)
      .EndObject();
  std::string line = w.Take();
  line += '\n';
  if (std::fwrite(line.data(), 1, line.size(), out_) != line.size()) {
    return Status::IoError("cannot write quarantine file '" + path_ + "': " + std::strerror(errno));
  }
  return Status::Ok();
}

Status QuarantineWriter::Close() {
  if (out_ == nullptr) return Status::Ok();
  const int rc = std::fclose(out_);
  out_ = nullptr;
  if (rc != 0) {
    return Status::IoError("cannot finish quarantine file '" + path_ + "': " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace tosguard::engine
