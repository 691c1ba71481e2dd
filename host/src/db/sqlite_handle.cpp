#include "db/sqlite_handle.hpp"

#include <stdexcept>

namespace tshost::db {

Connection::Connection(const std::string& path, bool read_only) {
    const int flags =
        (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
        SQLITE_OPEN_FULLMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw std::runtime_error("cannot open experiment database " + path + ": " + message);
    }
    // Another process (a reader such as `tshost trials`) may hold a lock briefly.
    sqlite3_busy_timeout(db_, 5000);
}

Connection::~Connection() {
    sqlite3_close(db_);
}

void Connection::exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string text = message != nullptr ? message : "unknown error";
        sqlite3_free(message);
        throw std::runtime_error("experiment database: " + text + " (in: " + sql + ")");
    }
}

void Connection::fail(std::string_view what) const {
    throw std::runtime_error("experiment database: " + std::string(sqlite3_errmsg(db_)) +
                             " (in: " + std::string(what) + ")");
}

Statement::Statement(Connection& connection, const char* sql) : connection_(connection), sql_(sql) {
    if (sqlite3_prepare_v3(connection.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) !=
        SQLITE_OK) {
        connection.fail(sql);
    }
}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

Statement& Statement::bind_text(int index, std::string_view text, sqlite3_destructor_type copy) {
    if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), copy) !=
        SQLITE_OK) {
        connection_.fail(sql_);
    }
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    return bind_text(index, text, SQLITE_TRANSIENT);
}

Statement& Statement::bind_borrowed(int index, std::string_view text) {
    return bind_text(index, text, SQLITE_STATIC);
}

Statement& Statement::bind(int index, int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) {
        connection_.fail(sql_);
    }
    return *this;
}

Statement& Statement::bind(int index, std::optional<double> value) {
    const int rc =
        value ? sqlite3_bind_double(stmt_, index, *value) : sqlite3_bind_null(stmt_, index);
    if (rc != SQLITE_OK) {
        connection_.fail(sql_);
    }
    return *this;
}

Statement& Statement::bind_text_or_null(int index, const std::optional<std::string>& text) {
    if (text) {
        return bind(index, std::string_view(*text));
    }
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) {
        connection_.fail(sql_);
    }
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc != SQLITE_DONE) {
        const std::string sql = sql_;
        sqlite3_reset(stmt_);
        connection_.fail(sql);
    }
    return false;
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::string Statement::text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p != nullptr ? std::string(reinterpret_cast<const char*>(p),
                                      static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
                        : std::string();
}

int64_t Statement::integer(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

std::optional<double> Statement::real(int column) const {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) {
        return std::nullopt;
    }
    return sqlite3_column_double(stmt_, column);
}

std::optional<std::string> Statement::text_or_null(int column) const {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) {
        return std::nullopt;
    }
    return text(column);
}

}  // namespace tshost::db
