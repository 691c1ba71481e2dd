// Thin RAII over the SQLite C API: a connection and prepared statements whose
// errors become exceptions naming the SQL that failed.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tshost::db {

class Connection {
  public:
    /// `read_only`: never writes nor creates (a second connection beside the engine's).
    explicit Connection(const std::string& path, bool read_only = false);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void exec(const char* sql);
    sqlite3* get() const noexcept { return db_; }
    [[noreturn]] void fail(std::string_view what) const;

  private:
    sqlite3* db_ = nullptr;
};

class Statement {
  public:
    Statement(Connection& connection, const char* sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::string_view text);
    /// Binds `text` without SQLite taking a copy: it must stay alive and unchanged until the
    /// statement is reset (run() resets). For the per-metric insert, where the copies of
    /// four strings were a tenth of its cost.
    Statement& bind_borrowed(int index, std::string_view text);
    Statement& bind(int index, int64_t value);
    Statement& bind(int index, std::optional<double> value);
    /// NULL for std::nullopt (a named overload: std::optional<std::string_view> would make
    /// bind(i, "literal") ambiguous).
    Statement& bind_text_or_null(int index, const std::optional<std::string>& text);
    /// Steps once: true while a row is available.
    bool step();
    /// Runs to completion and resets for the next use.
    void run();
    void reset();

    std::string text(int column) const;
    int64_t integer(int column) const;
    std::optional<double> real(int column) const;
    std::optional<std::string> text_or_null(int column) const;

  private:
    Statement& bind_text(int index, std::string_view text, sqlite3_destructor_type copy);

    Connection& connection_;
    sqlite3_stmt* stmt_ = nullptr;
    const char* sql_;
};

}  // namespace tshost::db
