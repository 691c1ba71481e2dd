// What the overview shows, kept current by the engine's observer calls (or read once from the
// database for a read-only portal), and forwarded to the SSE broadcaster as it changes.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "db/experiment_db.hpp"
#include "engine/control.hpp"
#include "portal/broadcaster.hpp"
#include "portal/portal.hpp"

namespace tshost::portal {

class LiveState : public engine::EngineObserver {
  public:
    LiveState(const ExperimentInfo& info, bool read_only, Broadcaster& broadcaster);

    /// Reads the trials, status and times from the database (once, before the engine runs).
    void load(const db::ExperimentDb& db);

    void on_progress(const engine::Progress& progress, const engine::Limits& limits) override;
    void on_trial(const db::TrialRow& row) override;
    void on_metric(const db::MetricRow& metric) override;

    /// GET /overview; without config and searchSpace for the "overview" event.
    nlohmann::json overview(bool with_config) const;
    nlohmann::json limits() const;
    std::string status() const;
    std::vector<std::string> error_messages() const;
    /// How many trials have each NNI status (only statuses some trial has), without reading
    /// the trials again: NNI's job-statistics.
    std::map<std::string, int64_t> counts() const;
    int64_t submitted() const;
    int64_t elapsed_ms() const;
    int64_t start_time() const;
    int64_t end_time() const;

  private:
    struct TrialSummary {
        int64_t sequence_id = 0;
        std::string status;  // NNI's
        std::optional<double> final_metric;
    };
    nlohmann::json overview_locked(bool with_config) const;
    nlohmann::json limits_locked() const;
    void add_error(int64_t time, const std::string& message);
    /// Records the trial's new summary, keeping the counts and the best current without a
    /// pass over every trial; whether what the overview shows changed.
    bool update_trial(const std::string& id, TrialSummary summary);
    bool better(double value, double than) const;
    void find_best();

    const ExperimentInfo& info_;
    const bool read_only_;
    Broadcaster& broadcaster_;
    mutable std::mutex mutex_;
    std::string status_ = "RUNNING";
    int64_t start_time_ = 0;
    int64_t end_time_ = 0;
    int64_t elapsed_ms_ = 0;
    int trial_concurrency_;
    std::optional<int64_t> max_trial_number_;
    std::optional<int64_t> max_experiment_duration_ms_;
    std::map<std::string, TrialSummary> trials_;
    std::map<std::string, int64_t> counts_;  // by NNI status
    std::optional<std::string> best_;        // the trial with the best final metric
    std::vector<std::pair<int64_t, std::string>> errors_;
};

}  // namespace tshost::portal
