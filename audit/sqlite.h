// A thin RAII layer over SQLite's C API for the evidence store: a connection, prepared
// statements with typed binds and columns, and errors as Status values naming the
// statement and SQLite's message. No exceptions.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tosguard::audit::sqlite {

class Db {
 public:
  Db() = default;
  Db(Db&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  // Opens `path` with `flags` (SQLITE_OPEN_*), with extended result codes and a busy
  // timeout. IoError naming the file when SQLite cannot open it.
  static Result<Db> Open(const std::string& path, int flags);

  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  // The single text value of a one-row query such as "PRAGMA journal_mode".
  Result<std::string> QueryText(std::string_view sql);
  Result<std::int64_t> QueryInt(std::string_view sql);

  sqlite3* get() const { return db_; }
  // SQLite's message for the last failure, prefixed with `what`.
  Status Error(std::string_view what) const;

 private:
  sqlite3* db_ = nullptr;
};

class Stmt {
 public:
  Stmt() = default;
  Stmt(Stmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Stmt& operator=(Stmt&&) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  static Result<Stmt> Prepare(const Db& db, std::string_view sql);

  // Binds are 1-based, in the order of the statement's `?`s.
  Stmt& Bind(int i, std::string_view text);
  Stmt& Bind(int i, std::int64_t value);
  Stmt& BindBlob(int i, std::span<const std::uint8_t> bytes);
  Stmt& BindNull(int i);

  // true: a row is available; false: done. An error is a Status.
  Result<bool> Step();
  // Runs a statement that returns no rows, then resets it for reuse.
  Status Run();
  void Reset();

  std::string Text(int col) const;
  std::int64_t Int(int col) const;
  std::string Blob(int col) const;
  bool IsNull(int col) const;
  int Columns() const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  int bind_error_ = SQLITE_OK;
};

// Steps `st` to the end, calling `fn(st)` for each row; the first failing step's Status.
template <typename Fn>
Status ForEachRow(Stmt& st, Fn fn) {
  for (;;) {
    auto row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    fn(static_cast<const Stmt&>(st));
  }
}

}  // namespace tosguard::audit::sqlite
