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

std::string column_or_stand_in(Connection& connection, const AddedColumn& column) {
    return has_column(connection, column.table, column.name)
               ? std::string(column.name)
               : std::string(column.stand_in) + " AS " + column.name;
}

}  // namespace tshost::db
