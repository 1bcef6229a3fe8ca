#include "audit/sqlite.h"

#include <utility>

namespace tosguard::audit::sqlite {

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Db::~Db() {
  if (db_ != nullptr) sqlite3_close(db_);
}

Result<Db> Db::Open(const std::string& path, int flags) {
  Db db;
  const int rc = sqlite3_open_v2(path.c_str(), &db.db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db.db_ != nullptr ? sqlite3_errmsg(db.db_) : sqlite3_errstr(rc);
    return Status::IoError("cannot open the store '" + path + "': " + message);
  }
  sqlite3_extended_result_codes(db.db_, 1);
  sqlite3_busy_timeout(db.db_, 10000);
  return db;
}

Status Db::Error(std::string_view what) const {
  return Status::IoError(std::string(what) + ": " + sqlite3_errmsg(db_));
}

Status Db::Exec(std::string_view sql) {
  char* message = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string m = message != nullptr ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    return Status::IoError(m);
  }
  return Status::Ok();
}

Result<std::string> Db::QueryText(std::string_view sql) {
  auto stmt = Stmt::Prepare(*this, sql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::IoError(std::string(sql) + ": no row");
  return stmt->Text(0);
}

Result<std::int64_t> Db::QueryInt(std::string_view sql) {
  auto stmt = Stmt::Prepare(*this, sql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::IoError(std::string(sql) + ": no row");
  return stmt->Int(0);
}

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_error_ = other.bind_error_;
  }
  return *this;
}

Stmt::~Stmt() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Result<Stmt> Stmt::Prepare(const Db& db, std::string_view sql) {
  Stmt s;
  s.db_ = db.get();
  if (sqlite3_prepare_v2(s.db_, sql.data(), static_cast<int>(sql.size()), &s.stmt_, nullptr) !=
      SQLITE_OK) {
    return Status::IoError("cannot prepare '" + std::string(sql.substr(0, 60)) +
                           "': " + sqlite3_errmsg(s.db_));
  }
  return s;
}

Stmt& Stmt::Bind(int i, std::string_view text) {
  const int rc =
      sqlite3_bind_text64(stmt_, i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Stmt& Stmt::Bind(int i, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, i, value);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Stmt& Stmt::BindBlob(int i, std::span<const std::uint8_t> bytes) {
  const int rc = sqlite3_bind_blob64(stmt_, i, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Stmt& Stmt::BindNull(int i) {
  const int rc = sqlite3_bind_null(stmt_, i);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Result<bool> Stmt::Step() {
  if (bind_error_ != SQLITE_OK) {
    return Status::IoError(std::string("cannot bind a value of '") + sqlite3_sql(stmt_) +
                           "': " + sqlite3_errstr(bind_error_));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string sql = sqlite3_sql(stmt_);
  if (sql.size() > 60) sql.resize(60);
  const int code = sqlite3_extended_errcode(db_);
  std::string message = sqlite3_errmsg(db_);
  if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB) {
    return Status::Corruption("the store is damaged (" + message + ")");
  }
  return Status::IoError("'" + sql + "': " + message);
}

Status Stmt::Run() {
  auto row = Step();
  Reset();
  if (!row.ok()) return row.status();
  return Status::Ok();
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = SQLITE_OK;
}

std::string Stmt::Text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Stmt::Blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string()
                      : std::string(static_cast<const char*>(p), static_cast<std::size_t>(n));
}

int Stmt::Columns() const { return sqlite3_column_count(stmt_); }

bool Stmt::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

}  // namespace tosguard::audit::sqlite
