// An experiment.db written before the manifest and primary-replica columns existed: the
// engine's connection adds them (resume of an old experiment), a read-only reader (`tshost
// view`, `tshost trials`) sees stand-ins without changing the file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "db/experiment_db.hpp"
#include "db/schema_migration.hpp"
#include "db/sqlite_handle.hpp"

using namespace tshost::db;

namespace {

// The trials and metrics tables as tshost 0.1 created them (a historical fixture: it must
// not follow later changes of the schema).
constexpr const char* kOldSchema = R"sql(
PRAGMA journal_mode = WAL;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE trials (
    id TEXT PRIMARY KEY, sequence_id INTEGER NOT NULL, parameter_id INTEGER NOT NULL,
    parameters TEXT NOT NULL, status TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 0,
    submit_time INTEGER NOT NULL DEFAULT 0, start_time INTEGER NOT NULL DEFAULT 0,
    end_time INTEGER NOT NULL DEFAULT 0, final_metric REAL, job_name TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '',
    rejected_metrics INTEGER NOT NULL DEFAULT 0);
CREATE TABLE status_history (id INTEGER PRIMARY KEY, trial_id TEXT NOT NULL REFERENCES trials(id),
    time INTEGER NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL);
CREATE TABLE metrics (
    id INTEGER PRIMARY KEY, trial_id TEXT NOT NULL REFERENCES trials(id),
    attempt INTEGER NOT NULL, replica TEXT NOT NULL, seq INTEGER NOT NULL, time INTEGER NOT NULL,
    type TEXT NOT NULL, sequence INTEGER NOT NULL, value TEXT NOT NULL,
    default_value REAL NOT NULL, UNIQUE (trial_id, attempt, replica, seq));
INSERT INTO trials(id, sequence_id, parameter_id, parameters, status, job_name)
    VALUES('old1', 0, 0, '{"parameters":{"x":1}}', 'SUCCEEDED', 'nni-exp-e-trial-old1');
INSERT INTO metrics(trial_id, attempt, replica, seq, time, type, sequence, value, default_value)
    VALUES('old1', 0, 'worker-0', 0, 1000, 'FINAL', 0, '0.5', 0.5);
)sql";

std::filesystem::path old_db(const std::string& name) {
    const auto dir = std::filesystem::path(testing::TempDir()) / ("db-old-" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto path = dir / "experiment.db";
    Connection(path.string()).exec(kOldSchema);
    return path;
}

// The CREATE statement SQLite keeps for `table`.
std::string table_sql(const std::filesystem::path& path, const char* table) {
    Connection connection(path.string(), true);
    Statement query(connection, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1");
    query.bind(1, table);
    return query.step() ? query.text(0) : std::string();
}

bool file_has_column(const std::filesystem::path& path, const char* table, const char* column) {
    Connection connection(path.string(), true);
    return has_column(connection, table, column);
}

}  // namespace

TEST(ExperimentDbMigration, AReadOnlyReaderOfAnOldFileSeesNoManifestAndPrimaryRecords) {
    const auto path = old_db("read-only");
    const auto db = ExperimentDb::open_read_only(path);
    const auto t = db.trial("old1");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->job_name, "nni-exp-e-trial-old1");
    EXPECT_EQ(db.manifest("old1"), std::nullopt);
    const auto metrics = db.metrics("old1");
    ASSERT_EQ(metrics.size(), 1U);
    EXPECT_TRUE(metrics[0].primary) << "tshost 0.1 stored the primary replica's records";
    EXPECT_FALSE(file_has_column(path, "trials", "manifest")) << "a reader never migrates";
    EXPECT_THROW(
        {
            auto writable_looking = ExperimentDb::open_read_only(path);
            writable_looking.update_trial(*t);
        },
        std::runtime_error);
}

TEST(ExperimentDbMigration, TheEnginesConnectionAddsTheColumnsAndKeepsTheOldRows) {
    const auto path = old_db("migrate");
    {
        auto db = ExperimentDb::open(path);
        EXPECT_TRUE(file_has_column(path, "trials", "manifest"));
        EXPECT_TRUE(file_has_column(path, "metrics", "is_primary"));
        auto t = db.trial("old1");
        ASSERT_TRUE(t);
        EXPECT_EQ(db.manifest("old1"), std::nullopt);
        ASSERT_EQ(db.metrics("old1").size(), 1U);
        EXPECT_TRUE(db.metrics("old1")[0].primary);
        db.set_manifest("old1", R"({"kind":"TFJob"})");
        t->status = "FAILED";
        db.update_trial(*t);  // a status update keeps the manifest
        EXPECT_TRUE(
            db.insert_metric(MetricRow{"old1", 0, "ps-0", 0, 1001, "FINAL", 0, "0.9", 0.9, false}));
    }
    // Opening again finds the columns there: the migration runs once.
    auto db = ExperimentDb::open(path);
    EXPECT_EQ(db.manifest("old1"), R"({"kind":"TFJob"})");
    EXPECT_EQ(db.trial("old1")->status, "FAILED");
    const auto metrics = db.metrics("old1");
    ASSERT_EQ(metrics.size(), 2U);
    EXPECT_TRUE(metrics[0].primary);
    EXPECT_EQ(metrics[1].replica, "ps-0");
    EXPECT_FALSE(metrics[1].primary);
    EXPECT_EQ(ExperimentDb::open_read_only(path).manifest("old1"), R"({"kind":"TFJob"})");
}

TEST(ExperimentDbMigration, ANewFileKeepsANullManifestApartFromAnEmptyOne) {
    const auto dir = std::filesystem::path(testing::TempDir()) / "db-new-manifest";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto db = ExperimentDb::open(dir / "experiment.db");
    for (const char* id : {"a", "b"}) {
        TrialRow row;
        row.id = id;
        row.parameters_json = "{}";
        row.status = "WAITING";
        db.insert_trial(row);
    }
    db.set_manifest("b", "");
    EXPECT_EQ(db.manifest("a"), std::nullopt);
    EXPECT_EQ(db.manifest("b"), std::string());
    db.set_manifest("b", std::nullopt);  // a new attempt whose submit reported none
    EXPECT_EQ(db.manifest("b"), std::nullopt);
    EXPECT_EQ(db.manifest("unknown"), std::nullopt);
}

TEST(ExperimentDbMigration, OldMetricsLoseTheForeignKeyAndStayExactlyOnceInTheirOrder) {
    const auto path = old_db("no-foreign-key");
    {
        Connection old(path.string());
        old.exec(
            "INSERT INTO metrics(trial_id, attempt, replica, seq, time, type, sequence, value, "
            "default_value) VALUES('old1', 1, 'worker-0', 0, 1001, 'PERIODICAL', 0, '0.75', "
            "0.75), ('old1', 0, 'worker-0', 1, 1002, 'PERIODICAL', 1, '0.25', 0.25)");
    }
    ASSERT_THAT(table_sql(path, "metrics"), testing::HasSubstr("REFERENCES trials"));
    {
        auto db = ExperimentDb::open(path);
        EXPECT_THAT(table_sql(path, "metrics"), testing::Not(testing::HasSubstr("REFERENCES")));
        EXPECT_EQ(table_sql(path, "metrics_before_rebuild"), "") << "the old table is dropped";
        EXPECT_EQ(db.metric_count(), 3);
        // Every record stored before the migration is still recognised as stored.
        EXPECT_FALSE(
            db.insert_metric(MetricRow{"old1", 0, "worker-0", 0, 9, "FINAL", 0, "0.1", 0.1}));
        EXPECT_FALSE(
            db.insert_metric(MetricRow{"old1", 1, "worker-0", 0, 9, "PERIODICAL", 0, "0.1", 0.1}));
        EXPECT_FALSE(
            db.insert_metric(MetricRow{"old1", 0, "worker-0", 1, 9, "PERIODICAL", 1, "0.1", 0.1}));
        EXPECT_TRUE(
            db.insert_metric(MetricRow{"old1", 1, "worker-0", 1, 9, "PERIODICAL", 1, "0.5", 0.5}));
        const auto metrics = db.metrics("old1");
        ASSERT_EQ(metrics.size(), 4U);
        // In the order stored, the old rows with their values.
        EXPECT_EQ(metrics[0].value_json, "0.5");
        EXPECT_EQ(metrics[0].time_ms, 1000);
        EXPECT_EQ(metrics[0].type, "FINAL");
        EXPECT_EQ(metrics[1].value_json, "0.75");
        EXPECT_EQ(metrics[1].attempt, 1);
        EXPECT_EQ(metrics[2].value_json, "0.25");
        EXPECT_EQ(metrics[3].time_ms, 9);
        EXPECT_EQ(db.all_metrics("FINAL").size(), 1U);
    }
    // Opening the migrated file again changes nothing.
    auto db = ExperimentDb::open(path);
    EXPECT_EQ(db.metric_count(), 4);
    EXPECT_EQ(db.metrics("old1")[3].value_json, "0.5");
}
