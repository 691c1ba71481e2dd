// The experiment database: one SQLite file (WAL) per experiment holding its
// config, trials, status history and every metric. Single writer: the engine's
// thread. SQLite stays out of this header.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tshost::db {

struct TrialRow {
    std::string id;
    int64_t sequence_id = 0;
    int64_t parameter_id = 0;
    std::string parameters_json;  // NNI's packed parameter (parameter.cfg content)
    std::string status;           // NNI statuses, plus SUBMITTING before the platform accepted it
    int attempt = 0;
    int64_t submit_time_ms = 0;
    int64_t start_time_ms = 0;
    int64_t end_time_ms = 0;
    std::optional<double> final_metric;
    std::string job_name;
    std::string url;
    std::string message;
    int64_t rejected_metrics = 0;
};

struct MetricRow {
    std::string trial_id;
    int attempt = 0;  // a retried trial numbers its records afresh
    std::string replica;
    int64_t seq = 0;  // the platform's stable record number (deduplication key)
    int64_t time_ms = 0;
    std::string type;          // PERIODICAL or FINAL
    int64_t sequence = 0;      // NNI's per-trial metric sequence
    std::string value_json;    // the metric as the trial reported it
    double default_value = 0;  // the number the tuner sees
    /// From the replica whose records reach the tuner (a TF worker-0, a PyTorch master-0);
    /// the other replicas' records are kept for the trial's detail only.
    bool primary = true;
};

struct StatusChange {
    std::string trial_id;
    int64_t time_ms = 0;
    std::string status;
    std::string message;
};

class ExperimentDb {
  public:
    /// Opens (creating if needed) the database at `path`; throws std::runtime_error.
    static ExperimentDb open(const std::filesystem::path& path);
    /// Opens an existing database for reading only (the portal's connection beside the
    /// engine's: WAL lets it read while the engine writes). The write methods then throw.
    static ExperimentDb open_read_only(const std::filesystem::path& path);
    ExperimentDb(ExperimentDb&&) noexcept;
    ExperimentDb& operator=(ExperimentDb&&) noexcept;
    ~ExperimentDb();

    // Experiment-wide values (id, config, status, counters), as text.
    void set_meta(const std::string& key, const std::string& value);
    std::optional<std::string> meta(const std::string& key) const;

    /// Everything between begin() and commit() is one transaction: the engine
    /// writes a batch of events at once, which is what makes ingestion fast.
    void begin();
    void commit();

    void insert_trial(const TrialRow& trial);
    void update_trial(const TrialRow& trial);
    /// Every trial by sequence id (and attempt).
    std::vector<TrialRow> trials() const;
    /// The first `limit` of trials(), through an index: the trial table's first page.
    std::vector<TrialRow> first_trials(int64_t limit) const;
    int64_t trial_count() const;
    std::optional<TrialRow> trial(const std::string& id) const;

    /// The job as the platform created it for the trial's current attempt, secrets redacted
    /// (JSON text); nullopt where the platform reports none (local) or for trials stored
    /// before tshost kept it. Apart from TrialRow: kilobytes that the trial table's 10,000
    /// rows and every status update must not carry.
    void set_manifest(const std::string& trial_id, const std::optional<std::string>& manifest);
    std::optional<std::string> manifest(const std::string& trial_id) const;

    void add_status_change(const StatusChange& change);
    std::vector<StatusChange> status_history(const std::string& trial_id) const;

    /// Stores the metric unless (trial, attempt, replica, seq) is already stored; returns
    /// whether it was new. This is the exactly-once guarantee.
    bool insert_metric(const MetricRow& metric);
    std::vector<MetricRow> metrics(const std::string& trial_id) const;
    int64_t metric_count() const;
    /// Changes whenever another connection (the engine's, for the portal's) commits: what
    /// this connection read is still current while it stays the same.
    int64_t data_version() const;
    /// Every metric of every trial, in the order stored; `type` empty for all types.
    std::vector<MetricRow> all_metrics(const std::string& type = "") const;
    /// What the tuner saw of each trial's current attempt, condensed: its FINAL records and
    /// its newest PERIODICAL one (primary replica only), in the order stored, the newest
    /// PERIODICAL where the attempt's first was (NNI's metric-data-latest). Grouped by SQLite:
    /// a million intermediate results are never read into memory.
    std::vector<MetricRow> latest_metrics() const;

  private:
    struct Impl;
    explicit ExperimentDb(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tshost::db
