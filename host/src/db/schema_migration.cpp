#include "db/schema_migration.hpp"

namespace tshost::db {

bool has_column(Connection& connection, const char* table, const char* column) {
    const std::string sql =
        std::string("SELECT 1 FROM pragma_table_info('") + table + "') WHERE name = ?1";
    Statement query(connection, sql.c_str());
    query.bind(1, column);
    const bool found = query.step();
    query.reset();
    return found;
}

void add_column_if_missing(Connection& connection, const AddedColumn& column) {
    if (has_column(connection, column.table, column.name)) {
        return;
    }
    const std::string sql = std::string("ALTER TABLE ") + column.table + " ADD COLUMN " +
                            column.name + " " + column.declaration;
    connection.exec(sql.c_str());
}

void rebuild_table_if_old(Connection& connection, const RebuiltTable& table) {
    Statement is_old(connection, table.is_old_sql);
    const bool old = is_old.step();
    is_old.reset();
    if (!old) {
        connection.exec(table.create_sql);
        return;
    }
    const std::string old_name = std::string(table.table) + "_before_rebuild";
    connection.exec("BEGIN IMMEDIATE");
    try {
        connection.exec(
            ("ALTER TABLE " + std::string(table.table) + " RENAME TO " + old_name).c_str());
        connection.exec(table.create_sql);
        connection.exec(("INSERT INTO " + std::string(table.table) + "(" + table.copied_columns +
                         ") SELECT " + table.copied_columns + " FROM " + old_name)
                            .c_str());
        connection.exec(("DROP TABLE " + old_name).c_str());
        connection.exec("COMMIT");
    } catch (...) {
        connection.exec("ROLLBACK");
        throw;
    }
}

std::string column_or_stand_in(Connection& connection, const AddedColumn& column) {
    return has_column(connection, column.table, column.name)
               ? std::string(column.name)
               : std::string(column.stand_in) + " AS " + column.name;
}

}  // namespace tshost::db
