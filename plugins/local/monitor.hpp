// The plugin's one monitor thread. Each tick (or at once when woken by a submit
// or cancel) it visits every live trial: escalates a cancel to SIGKILL when the
// grace period is over, notices the end, follows stdout and .nni/metrics from
// where it stopped, and emits the trial's events. All of a trial's events come
// from this thread, in order: RUNNING, its metrics, then its end status, which is
// emitted only after both files were read to the end.
//
// Why a short tick and not inotify or SIGCHLD: adopted trials are not our
// children, so their pids must be polled anyway; a stat() per file per tick costs
// nothing for the tens of trials one machine runs; and the thread stays a plain
// loop that is easy to reason about. 50 ms is well under NNI's own 0.5-5 s polls.
#pragma once

#include <tshost/plugin.hpp>

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "events.hpp"
#include "metric_scanner.hpp"
#include "process.hpp"
#include "trial_dir.hpp"

namespace local_platform {

/// What the monitor needs to follow one trial attempt.
struct WatchSpec {
    std::string trial_id;
    int64_t attempt = 0;
    TrialPaths paths;
    pid_t pid = 0;           // the wrapper, which leads the trial's process group
    bool own_child = false;  // spawned by this process: reaped with waitpid
    int64_t start_ms = 0;
    /// A cancel an earlier host process began (adopt after a crash): finish it.
    std::optional<tshost::CancelReason> cancelled;
    /// Run through the trial agent: the host gets the metrics from the agent, so
    /// stdout and .nni/metrics are not scanned; the agent runs the command in a group
    /// of its own, so a cancel follows every group of the tree (trial_tree_groups).
    bool agent = false;
};

class Monitor {
  public:
    Monitor(tshost::Host host, std::chrono::milliseconds kill_grace);
    /// Stops and joins the thread. Trials keep running: the host may be restarting.
    ~Monitor();
    Monitor(const Monitor&) = delete;
    Monitor& operator=(const Monitor&) = delete;

    /// Starts following a trial. Throws tshost::Error(TSH_ERR_EXISTS) while an
    /// earlier attempt of the same trial is still live.
    void watch(WatchSpec spec);

    enum class CancelResult { cancelling, already_ended, unknown };
    /// Records the cancel in .nni/cancel and sends SIGTERM to the trial's group
    /// now; the monitor sends SIGKILL after the grace period and then emits the
    /// end status `reason` calls for. Returns without waiting.
    CancelResult cancel(std::string_view trial_id, tshost::CancelReason reason);

    bool tracks(std::string_view trial_id) const;
    /// The status last emitted for the trial; nullopt for a trial never watched.
    std::optional<std::string> status(std::string_view trial_id) const;
    std::vector<std::string> live_trials() const;
    /// Waits until every watched trial has ended or `deadline` passed; true if all ended.
    bool wait_all_ended(std::chrono::steady_clock::time_point deadline);

  private:
    struct Tracked;

    void run();
    void poll(Tracked& t);
    void poll_safely(Tracked& t) noexcept;
    void begin_cancel(Tracked& t, tshost::CancelReason reason);  // mutex_ held
    void escalate_cancel(Tracked& t);
    std::optional<ExitStatus> probe_exit(Tracked& t) const;
    bool tree_done(Tracked& t);
    template <class Stream>
    void follow(Tracked& t, Stream& stream, bool drain);
    void emit_items(Tracked& t, const char* file_name, MetricSource source,
                    const std::vector<ScanItem>& items);
    void emit_status(Tracked& t, const StatusReport& report);
    void finish(Tracked& t);

    tshost::Host host_;
    const std::chrono::milliseconds kill_grace_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;   // work for the monitor: a new trial, a cancel, stop
    std::condition_variable ended_;  // a trial ended (wait_all_ended)
    bool woken_ = false;
    bool stopping_ = false;
    std::map<std::string, std::shared_ptr<Tracked>, std::less<>> trials_;
    std::thread thread_;  // last: starts after every member it uses exists
};

}  // namespace local_platform
