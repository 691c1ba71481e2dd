#include "db/experiment_db.hpp"

#include "db/schema_migration.hpp"
#include "db/sqlite_handle.hpp"

#include <optional>
#include <stdexcept>

namespace tshost::db {
namespace {

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS trials (
    id               TEXT PRIMARY KEY,
    sequence_id      INTEGER NOT NULL,
    parameter_id     INTEGER NOT NULL,
    parameters       TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempt          INTEGER NOT NULL DEFAULT 0,
    submit_time      INTEGER NOT NULL DEFAULT 0,
    start_time       INTEGER NOT NULL DEFAULT 0,
    end_time         INTEGER NOT NULL DEFAULT 0,
    final_metric     REAL,
    job_name         TEXT NOT NULL DEFAULT '',
    url              TEXT NOT NULL DEFAULT '',
    message          TEXT NOT NULL DEFAULT '',
    rejected_metrics INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS status_history (
    id       INTEGER PRIMARY KEY,
    trial_id TEXT NOT NULL REFERENCES trials(id),
    time     INTEGER NOT NULL,
    status   TEXT NOT NULL,
    message  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS status_history_trial ON status_history(trial_id);
-- The trial table's first page without sorting every trial.
CREATE INDEX IF NOT EXISTS trials_order ON trials(sequence_id, attempt);
)sql";

constexpr const char* kTrialColumns =
    "id, sequence_id, parameter_id, parameters, status, attempt, submit_time, start_time, "
    "end_time, final_metric, job_name, url, message, rejected_metrics";

// The metrics table without the foreign key to trials it had: checking it cost a B-tree
// lookup per metric. The engine, the only writer, stores a metric only for a trial it has
// found (active, or read from this file: Engine::on_metric rejects unknown trial ids), and
// trials are never deleted. Still a rowid table: rows read in the order stored (NNI's
// metric-data order) by a plain scan. A keyed WITHOUT ROWID table inserted faster still but
// orders rows by key, or needs a second index to keep the stored order.
constexpr RebuiltTable kMetricsWithoutForeignKey{
    "metrics", "SELECT 1 FROM pragma_foreign_key_list('metrics')", R"sql(
CREATE TABLE IF NOT EXISTS metrics (
    id            INTEGER PRIMARY KEY,
    trial_id      TEXT NOT NULL,
    attempt       INTEGER NOT NULL,
    replica       TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    time          INTEGER NOT NULL,
    type          TEXT NOT NULL,
    sequence      INTEGER NOT NULL,
    value         TEXT NOT NULL,
    default_value REAL NOT NULL,
    is_primary    INTEGER NOT NULL DEFAULT 1,
    UNIQUE (trial_id, attempt, replica, seq)
)
)sql",
    "id, trial_id, attempt, replica, seq, time, type, sequence, value, default_value, "
    "is_primary"};

constexpr const char* kMetricColumns =
    "trial_id, attempt, replica, seq, time, type, sequence, value, default_value, ";

// Every column added since the first schema, added the same way to new and old files, so the
// migration path is the one every test and every experiment runs.
void migrate(Connection& connection) {
    add_column_if_missing(connection, kTrialManifest);
    if (has_column(connection, "metrics", "id")) {
        add_column_if_missing(connection, kMetricPrimary);  // the rebuild copies it
    }
    rebuild_table_if_old(connection, kMetricsWithoutForeignKey);
    // After the rebuild, which drops the old table's indexes. Every trial's FINAL records
    // (NNI's trial-jobs and export-data) without reading the other 99 % of a million metrics,
    // in id order. Partial: only FINAL rows (one per trial attempt) pay for an index entry,
    // so ingesting intermediate results costs no second B-tree insert.
    connection.exec("DROP INDEX IF EXISTS metrics_type");  // full index of a development build
    connection.exec("CREATE INDEX IF NOT EXISTS metrics_final ON metrics(id) WHERE type = 'FINAL'");
}

// ExperimentDb::latest_metrics(): the current attempt's primary FINAL records at their own
// place, and of its PERIODICAL ones the newest (the greatest id) at the first one's place.
std::string latest_sql(Connection& connection) {
    const bool primary_column = has_column(connection, "metrics", "is_primary");
    const std::string primary = primary_column ? "m.is_primary" : "1";
    const std::string columns =
        "SELECT m.trial_id, m.attempt, m.replica, m.seq, m.time, m.type, m.sequence, m.value, "
        "m.default_value, " +
        primary;
    return columns +
           ", m.id AS place FROM metrics AS m "
           "JOIN trials ON trials.id = m.trial_id AND trials.attempt = m.attempt "
           "WHERE m.type = 'FINAL' AND " +
           primary + " = 1 UNION ALL " + columns +
           ", latest.first_id AS place FROM "
           "(SELECT trial_id, attempt, MIN(id) AS first_id, MAX(id) AS last_id FROM metrics "
           "WHERE type = 'PERIODICAL' AND " +
           (primary_column ? "is_primary = 1" : "1") +
           " GROUP BY trial_id, attempt) AS latest "
           "JOIN trials ON trials.id = latest.trial_id AND trials.attempt = latest.attempt "
           "JOIN metrics AS m ON m.id = latest.last_id ORDER BY place";
}

TrialRow read_trial(const Statement& s) {
    TrialRow t;
    t.id = s.text(0);
    t.sequence_id = s.integer(1);
    t.parameter_id = s.integer(2);
    t.parameters_json = s.text(3);
    t.status = s.text(4);
    t.attempt = static_cast<int>(s.integer(5));
    t.submit_time_ms = s.integer(6);
    t.start_time_ms = s.integer(7);
    t.end_time_ms = s.integer(8);
    t.final_metric = s.real(9);
    t.job_name = s.text(10);
    t.url = s.text(11);
    t.message = s.text(12);
    t.rejected_metrics = s.integer(13);
    return t;
}

}  // namespace

struct ExperimentDb::Impl {
    Impl(const std::filesystem::path& path, bool read_only)
        : connection(path.string(), read_only), read_only_(read_only) {}

    Connection connection;
    bool read_only_;
    // Members initialise in order: the tables must exist before the statements
    // below are prepared against them.
    bool schema_created =
        (read_only_ ? void() : (connection.exec(kSchema), migrate(connection)), true);
    // A read-only reader of a file an older tshost wrote sees stand-ins for the new columns.
    std::string select_trial = std::string("SELECT ") + kTrialColumns + " FROM trials ";
    std::string manifest_sql =
        "SELECT " + column_or_stand_in(connection, kTrialManifest) + " FROM trials WHERE id = ?1";
    std::string select_metric = std::string("SELECT ") + kMetricColumns +
                                column_or_stand_in(connection, kMetricPrimary) + " FROM metrics ";
    std::string all_trials_sql = select_trial + "ORDER BY sequence_id, attempt";
    std::string first_trials_sql = all_trials_sql + " LIMIT ?1";
    std::string one_trial_sql = select_trial + "WHERE id = ?1";
    std::string trial_metrics_sql = select_metric + "WHERE trial_id = ?1 ORDER BY id";
    // Two statements, not "?1 = '' OR type = ?1": an OR with the empty case hides the index.
    std::string every_metric_sql = select_metric + "ORDER BY id";
    std::string typed_metrics_sql = select_metric + "WHERE type = ?1 ORDER BY id";
    std::string latest_metrics_sql = latest_sql(connection);
    // The literal lets the planner use the partial index metrics_final; a bound ?1 cannot.
    std::string final_metrics_sql = select_metric + "WHERE type = 'FINAL' ORDER BY id";
    Statement set_meta{connection,
                       "INSERT INTO meta(key, value) VALUES(?1, ?2) "
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value"};
    Statement get_meta{connection, "SELECT value FROM meta WHERE key = ?1"};
    // Writes name the columns the migration adds: a reader of an unmigrated file could not
    // prepare them, so a read-only connection has none.
    std::optional<Statement> insert_trial = writer(
        "INSERT INTO trials(id, sequence_id, parameter_id, parameters, status, "
        "attempt, submit_time, start_time, end_time, final_metric, job_name, "
        "url, message, rejected_metrics) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
    std::optional<Statement> update_trial = writer(
        "UPDATE trials SET sequence_id = ?2, parameter_id = ?3, parameters = ?4, "
        "status = ?5, attempt = ?6, submit_time = ?7, start_time = ?8, "
        "end_time = ?9, final_metric = ?10, job_name = ?11, url = ?12, "
        "message = ?13, rejected_metrics = ?14 WHERE id = ?1");
    std::optional<Statement> set_manifest = writer("UPDATE trials SET manifest = ?2 WHERE id = ?1");
    Statement get_manifest{connection, manifest_sql.c_str()};
    Statement all_trials{connection, all_trials_sql.c_str()};
    Statement first_trials{connection, first_trials_sql.c_str()};
    Statement count_trials{connection, "SELECT count(*) FROM trials"};
    Statement one_trial{connection, one_trial_sql.c_str()};
    Statement add_change{connection,
                         "INSERT INTO status_history(trial_id, time, status, message) "
                         "VALUES(?1, ?2, ?3, ?4)"};
    Statement history{connection,
                      "SELECT trial_id, time, status, message FROM status_history "
                      "WHERE trial_id = ?1 ORDER BY id"};
    std::optional<Statement> insert_metric = writer(
        "INSERT OR IGNORE INTO metrics(trial_id, attempt, replica, seq, time, "
        "type, sequence, value, default_value, is_primary) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    Statement trial_metrics{connection, trial_metrics_sql.c_str()};
    Statement count_metrics{connection, "SELECT count(*) FROM metrics"};
    Statement data_version{connection, "PRAGMA data_version"};
    Statement every_metric{connection, every_metric_sql.c_str()};
    Statement typed_metrics{connection, typed_metrics_sql.c_str()};
    Statement final_metrics{connection, final_metrics_sql.c_str()};
    Statement latest_metrics{connection, latest_metrics_sql.c_str()};
    Statement begin{connection, "BEGIN IMMEDIATE"};
    Statement commit{connection, "COMMIT"};

    std::optional<Statement> writer(const char* sql) {
        if (read_only_) {
            return std::nullopt;
        }
        return std::optional<Statement>(std::in_place, connection, sql);
    }

    static Statement& write(std::optional<Statement>& statement) {
        if (!statement) {
            throw std::runtime_error("experiment database: opened read-only, cannot write");
        }
        return *statement;
    }
};

ExperimentDb ExperimentDb::open(const std::filesystem::path& path) {
    return ExperimentDb(std::make_unique<Impl>(path, false));
}

ExperimentDb ExperimentDb::open_read_only(const std::filesystem::path& path) {
    return ExperimentDb(std::make_unique<Impl>(path, true));
}

ExperimentDb::ExperimentDb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ExperimentDb::ExperimentDb(ExperimentDb&&) noexcept = default;
ExperimentDb& ExperimentDb::operator=(ExperimentDb&&) noexcept = default;
ExperimentDb::~ExperimentDb() = default;

void ExperimentDb::set_meta(const std::string& key, const std::string& value) {
    impl_->set_meta.bind(1, key).bind(2, value).run();
}

namespace {
// The first column of the row `key` selects; nullopt without a row or for NULL.
std::optional<std::string> text_of(Statement& s, const std::string& key) {
    s.bind(1, key);
    std::optional<std::string> value;
    if (s.step()) {
        value = s.text_or_null(0);
    }
    s.reset();
    return value;
}
}  // namespace

std::optional<std::string> ExperimentDb::meta(const std::string& key) const {
    return text_of(impl_->get_meta, key);
}

void ExperimentDb::begin() {
    impl_->begin.run();
}
void ExperimentDb::commit() {
    impl_->commit.run();
}

namespace {
void bind_trial(Statement& s, const TrialRow& t) {
    s.bind(1, t.id)
        .bind(2, t.sequence_id)
        .bind(3, t.parameter_id)
        .bind(4, t.parameters_json)
        .bind(5, t.status)
        .bind(6, int64_t{t.attempt})
        .bind(7, t.submit_time_ms)
        .bind(8, t.start_time_ms)
        .bind(9, t.end_time_ms)
        .bind(10, t.final_metric)
        .bind(11, t.job_name)
        .bind(12, t.url)
        .bind(13, t.message)
        .bind(14, t.rejected_metrics);
}
}  // namespace

void ExperimentDb::insert_trial(const TrialRow& trial) {
    Statement& s = Impl::write(impl_->insert_trial);
    bind_trial(s, trial);
    s.run();
}

void ExperimentDb::update_trial(const TrialRow& trial) {
    Statement& s = Impl::write(impl_->update_trial);
    bind_trial(s, trial);
    s.run();
}

namespace {
std::vector<TrialRow> read_trials(Statement& s) {
    std::vector<TrialRow> rows;
    while (s.step()) {
        rows.push_back(read_trial(s));
    }
    s.reset();
    return rows;
}

int64_t count_of(Statement& s) {
    s.step();
    const int64_t n = s.integer(0);
    s.reset();
    return n;
}
}  // namespace

std::vector<TrialRow> ExperimentDb::trials() const {
    return read_trials(impl_->all_trials);
}

std::vector<TrialRow> ExperimentDb::first_trials(int64_t limit) const {
    impl_->first_trials.bind(1, limit);
    return read_trials(impl_->first_trials);
}

int64_t ExperimentDb::trial_count() const {
    return count_of(impl_->count_trials);
}

std::optional<TrialRow> ExperimentDb::trial(const std::string& id) const {
    auto& s = impl_->one_trial;
    s.bind(1, id);
    std::optional<TrialRow> row;
    if (s.step()) {
        row = read_trial(s);
    }
    s.reset();
    return row;
}

void ExperimentDb::set_manifest(const std::string& trial_id,
                                const std::optional<std::string>& manifest) {
    Impl::write(impl_->set_manifest).bind(1, trial_id).bind_text_or_null(2, manifest).run();
}

std::optional<std::string> ExperimentDb::manifest(const std::string& trial_id) const {
    return text_of(impl_->get_manifest, trial_id);
}

void ExperimentDb::add_status_change(const StatusChange& change) {
    impl_->add_change.bind(1, change.trial_id)
        .bind(2, change.time_ms)
        .bind(3, change.status)
        .bind(4, change.message)
        .run();
}

std::vector<StatusChange> ExperimentDb::status_history(const std::string& trial_id) const {
    auto& s = impl_->history;
    s.bind(1, trial_id);
    std::vector<StatusChange> rows;
    while (s.step()) {
        rows.push_back({s.text(0), s.integer(1), s.text(2), s.text(3)});
    }
    s.reset();
    return rows;
}

bool ExperimentDb::insert_metric(const MetricRow& m) {
    Statement& s = Impl::write(impl_->insert_metric);
    // `m` outlives the run() below, which resets the statement.
    s.bind_borrowed(1, m.trial_id)
        .bind(2, int64_t{m.attempt})
        .bind_borrowed(3, m.replica)
        .bind(4, m.seq)
        .bind(5, m.time_ms)
        .bind_borrowed(6, m.type)
        .bind(7, m.sequence)
        .bind_borrowed(8, m.value_json)
        .bind(9, std::optional<double>(m.default_value))
        .bind(10, int64_t{m.primary ? 1 : 0});
    s.run();
    return sqlite3_changes(impl_->connection.get()) == 1;
}

namespace {
std::vector<MetricRow> read_metrics(Statement& s) {
    std::vector<MetricRow> rows;
    while (s.step()) {
        rows.push_back({s.text(0), static_cast<int>(s.integer(1)), s.text(2), s.integer(3),
                        s.integer(4), s.text(5), s.integer(6), s.text(7), s.real(8).value_or(0),
                        s.integer(9) != 0});
    }
    s.reset();
    return rows;
}
}  // namespace

std::vector<MetricRow> ExperimentDb::metrics(const std::string& trial_id) const {
    impl_->trial_metrics.bind(1, trial_id);
    return read_metrics(impl_->trial_metrics);
}

std::vector<MetricRow> ExperimentDb::all_metrics(const std::string& type) const {
    if (type.empty()) {
        return read_metrics(impl_->every_metric);
    }
    if (type == "FINAL") {
        return read_metrics(impl_->final_metrics);
    }
    impl_->typed_metrics.bind(1, type);
    return read_metrics(impl_->typed_metrics);
}

std::vector<MetricRow> ExperimentDb::latest_metrics() const {
    return read_metrics(impl_->latest_metrics);
}

int64_t ExperimentDb::metric_count() const {
    return count_of(impl_->count_metrics);
}

int64_t ExperimentDb::data_version() const {
    return count_of(impl_->data_version);
}

}  // namespace tshost::db
