// How the outside (the portal) acts on a running engine and follows it, without the engine
// knowing HTTP: a thread-safe inbox of commands the engine drains once per loop, each with
// a future for its outcome, and an observer the engine tells what changed (on its thread;
// observers must not block).
#pragma once

#include <chrono>
#include <cstdint>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace tshost::db {
struct TrialRow;
struct MetricRow;
}  // namespace tshost::db

namespace tshost::engine {

struct Progress;
struct Limits;

struct CommandOutcome {
    enum class Kind { accepted, invalid, not_found, conflict } kind = Kind::accepted;
    std::string message;  // why, for anything but accepted
};

struct Command {
    enum class Kind { cancel_trial, stop, set_limits } kind = Kind::stop;
    std::string trial_id;  // cancel_trial
    // set_limits: the ones to change
    std::optional<int> trial_concurrency;
    std::optional<int64_t> max_trial_number;
    std::optional<std::chrono::milliseconds> max_experiment_duration;
};

class CommandInbox {
  public:
    /// Any thread. The future is set when the engine has handled the command, or with
    /// `conflict` when the engine has ended and will never handle it.
    std::future<CommandOutcome> push(Command command);
    /// The engine's thread.
    struct Pending {
        Command command;
        std::promise<CommandOutcome> outcome;
    };
    std::vector<Pending> take_all();
    /// The engine ended: pending and later commands are answered `conflict`.
    void close(const std::string& reason);

  private:
    std::mutex mutex_;
    std::vector<Pending> pending_;
    std::optional<std::string> closed_;
};

class EngineObserver {
  public:
    virtual ~EngineObserver() = default;
    virtual void on_progress(const Progress& progress, const Limits& limits) = 0;
    /// A trial row changed (status, times, final metric, job name).
    virtual void on_trial(const db::TrialRow& row) = 0;
    /// A metric of a trial's current attempt and primary replica was stored.
    virtual void on_metric(const db::MetricRow& metric) = 0;
};

}  // namespace tshost::engine
