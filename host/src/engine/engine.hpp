// The experiment engine: keeps trialConcurrency trials running, asks the tuner
// for parameters, routes metrics to the tuner and assessor, enforces the limits,
// and survives restarts. It talks to the platform only through the plugin ABI
// and knows nothing of Kubernetes. Single-threaded: plugins' events reach it
// through the EventQueue.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/experiment_db.hpp"
#include "engine/control.hpp"
#include "plugin/event_queue.hpp"
#include "plugin/instance.hpp"
#include "tuner/assessor.hpp"
#include "tuner/tuner.hpp"

namespace tshost::engine {

struct Limits {
    int trial_concurrency = 1;
    std::optional<int64_t> max_trial_number;
    std::optional<std::chrono::milliseconds> max_experiment_duration;
    std::optional<std::chrono::milliseconds> max_trial_duration;
    int max_trial_retries = 0;
};

/// What `tshost run` shows and the portal reads.
struct Progress {
    std::string status;  // RUNNING, NO_MORE_TRIAL, DONE, STOPPING, STOPPED, ERROR
    int64_t submitted = 0;
    int64_t running = 0;  // WAITING or RUNNING on the platform
    int64_t succeeded = 0;
    int64_t failed = 0;
    int64_t stopped = 0;  // canceled or early-stopped
    std::optional<double> best_metric;
    std::string best_trial;
    std::chrono::milliseconds elapsed{0};
    std::optional<int64_t> max_trial_number;
    std::optional<std::chrono::milliseconds> max_experiment_duration;
    std::string last_error;
};

/// What the host does around the platform for each trial: files on the shared
/// store, metrics credentials, reading the trial's metric journal. The engine stays
/// ignorant of storage and of how metrics travel.
class TrialHooks {
  public:
    virtual ~TrialHooks() = default;
    /// Extra keys (a JSON object's text) for the trial's tsh_trial.spec_json. With
    /// `submitting`, first put the trial's files in place (parameter.cfg); without,
    /// the trial is being re-adopted and its files exist. Throws
    /// plugin::PluginError (transient ones are retried like a failed submit).
    virtual std::string prepare(const db::TrialRow& row, bool submitting) = 0;
    /// The trial reached an end state: the metrics it recorded that may not have
    /// arrived yet. The engine stores them (once) before it acts on the end.
    virtual std::vector<plugin::HostEvent> collect(const db::TrialRow& row) = 0;
};

class Engine {
  public:
    struct Parts {
        db::ExperimentDb& db;
        plugin::PlatformInstance& platform;
        plugin::EventQueue& events;
        tuner::Tuner& tuner;
        tuner::Assessor* assessor = nullptr;  // optional
        tuner::OptimizeMode optimize_mode = tuner::OptimizeMode::Maximize;
        TrialHooks* hooks = nullptr;         // optional
        CommandInbox* commands = nullptr;    // optional: actions from the portal
        EngineObserver* observer = nullptr;  // optional: changes for the portal
    };

    Engine(Parts parts, Limits limits);

    /// Runs until the experiment is done, fails, or `stop` becomes true (then it
    /// cancels running trials and ends STOPPED, resumable). `on_progress` is
    /// called whenever something visible changed. Returns the final status.
    std::string run(const std::atomic<bool>& stop,
                    const std::function<void(const Progress&)>& on_progress);

    const Progress& progress() const noexcept { return progress_; }

  private:
    struct ActiveTrial {
        db::TrialRow row;
        std::vector<double> history;      // gap-free prefix of intermediate results
        std::map<int64_t, double> ahead;  // results past a gap: NNI sequence -> value
        bool cancel_requested = false;
        bool had_history = false;
        /// This attempt's final result while a failure would still retry the trial: the
        /// tuner must see one result per trial, so it waits for the attempt's end (stored
        /// then; until then the journal on the store keeps it across a host restart).
        std::optional<db::MetricRow> held_final;
    };

    /// Before the first loop (fresh or resumed): rebuilds tuner state from the
    /// database and re-adopts the trials the platform still holds. Nothing is
    /// submitted twice.
    void recover();
    void fill();
    bool more_trials_allowed() const;
    void submit(ActiveTrial& trial);
    void enforce_trial_durations();
    void begin_stop();
    bool finished() const;
    /// Takes what the queue holds (waiting up to `wait` for a first event) and processes it as
    /// one batch; false when nothing came.
    bool process_events(std::chrono::milliseconds wait);
    void process(std::vector<plugin::HostEvent>& batch);
    void on_status(const plugin::HostEvent& event, std::vector<std::string>& ended,
                   std::vector<db::MetricRow>& stored);
    void on_metric(const plugin::HostEvent& event, std::vector<db::MetricRow>& stored);
    void deliver(const db::MetricRow& metric);
    void finish_trial(const std::string& trial_id);
    void cancel(ActiveTrial& trial, tsh_cancel_reason reason);
    void handle_commands();
    CommandOutcome handle(const Command& command);
    CommandOutcome cancel_by_user(const std::string& trial_id);
    CommandOutcome set_limits(const Command& command);
    void publish(const db::TrialRow& row);
    void record_status(db::TrialRow& row, const std::string& status, const std::string& message,
                       int64_t time_ms);
    void note_best(const std::string& trial_id, double value);
    void save_elapsed();
    std::chrono::milliseconds elapsed() const;
    std::string trial_spec(const db::TrialRow& row, bool submitting) const;
    void collect_journal(const db::TrialRow& row, std::vector<db::MetricRow>& stored);

    Parts parts_;
    Limits limits_;
    Progress progress_;
    std::map<std::string, ActiveTrial> active_;
    std::set<std::string> known_ids_;
    int64_t next_parameter_id_ = 0;
    int64_t next_sequence_id_ = 0;
    bool tuner_exhausted_ = false;
    bool stopping_ = false;
    bool stop_requested_ = false;  // by a command
    int consecutive_submit_failures_ = 0;
    std::vector<std::string> pending_ends_;  // failed submits, ended on the next loop
    std::chrono::milliseconds elapsed_before_{0};
    std::chrono::steady_clock::time_point started_{std::chrono::steady_clock::now()};
    std::chrono::steady_clock::time_point next_submit_attempt_{};
};

}  // namespace tshost::engine
