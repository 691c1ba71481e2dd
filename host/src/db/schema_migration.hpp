// Columns added after the first release of the experiment database: an experiment.db written
// by an older tshost gains them when the engine opens it (resume), and a read-only reader of
// such a file selects a stand-in value instead.
#pragma once

#include <string>

#include "db/sqlite_handle.hpp"

namespace tshost::db {

struct AddedColumn {
    const char* table;
    const char* name;
    const char* declaration;  // type and constraints, as in ALTER TABLE ... ADD COLUMN
    const char* stand_in;     // what a reader of an unmigrated file selects in its place
};

/// The trial's job as submitted (redacted), null where the platform reports none.
inline constexpr AddedColumn kTrialManifest{"trials", "manifest", "TEXT", "NULL"};
/// Whether the record came from the replica whose records reach the tuner; records stored
/// before the column existed came from the only replica tshost then stored metrics of.
inline constexpr AddedColumn kMetricPrimary{"metrics", "is_primary", "INTEGER NOT NULL DEFAULT 1",
                                            "1"};

/// A table whose new definition ALTER TABLE cannot reach (another primary key, a dropped
/// constraint). An older file's table, recognised by a query, is renamed, the new one
/// created, its rows copied over and the old one dropped, in one transaction.
struct RebuiltTable {
    const char* table;
    const char* is_old_sql;      // returns a row when the file holds the old definition
    const char* create_sql;      // CREATE TABLE IF NOT EXISTS <table> (the new definition)
    const char* copied_columns;  // what both definitions have, copied as they are
};

bool has_column(Connection& connection, const char* table, const char* column);

/// ALTER TABLE ADD COLUMN unless the column already exists (an idempotent migration).
void add_column_if_missing(Connection& connection, const AddedColumn& column);

/// Rebuilds `table` when the file holds its old definition; creates it when it is missing.
void rebuild_table_if_old(Connection& connection, const RebuiltTable& table);

/// The column's name where it exists, else its stand-in expression (AS the column's name).
std::string column_or_stand_in(Connection& connection, const AddedColumn& column);

}  // namespace tshost::db
