#include "monitor.hpp"

#include <algorithm>
#include <csignal>
#include <filesystem>

#include "file_follower.hpp"

namespace local_platform {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kTick{50};
// Per trial and file, at most this much is read per tick while the trial runs, so
// one chatty trial cannot starve the others; at the end everything is read.
constexpr uint64_t kReadChunk = 4u << 20;
// After SIGKILL a process can still hang in uninterruptible I/O for a while; the
// end is reported after this long even if something of the group remains.
constexpr std::chrono::milliseconds kKillSettle{2000};
// Malformed records are quoted in warnings up to this length.
constexpr size_t kExcerptBytes = 200;

// A followed file and its parser.
template <class Scanner>
struct Stream {
    FileFollower file;
    Scanner scanner;
    MetricSource source;
    const char* name;  // for messages
};

std::string excerpt(std::string_view text) {
    return text.size() <= kExcerptBytes ? std::string(text)
                                        : std::string(text.substr(0, kExcerptBytes)) + "...";
}

const char* reason_name(tshost::CancelReason reason) {
    switch (reason) {
        case tshost::CancelReason::user:
            return "user";
        case tshost::CancelReason::early_stop:
            return "early_stop";
        case tshost::CancelReason::system:
            break;
    }
    return "system";
}

}  // namespace

struct Monitor::Tracked {
    explicit Tracked(WatchSpec s)
        : spec(std::move(s)),
          metrics{FileFollower(spec.paths.metrics_file()),
                  {},
                  MetricSource::metrics_file,
                  ".nni/metrics"},
          out{FileFollower(spec.paths.stdout_file()), {}, MetricSource::stdout_file, "stdout"} {}

    const WatchSpec spec;

    // Guarded by Monitor::mutex_: shared with cancel() and the queries.
    std::string status = "WAITING";
    std::optional<tshost::CancelReason> cancel;
    Clock::time_point kill_at{};
    bool signalled = false;             // SIGTERM went to the group (see begin_cancel)
    std::vector<GroupId> agent_groups;  // agent trials: the tree's groups since the cancel
    bool kill_sent = false;
    bool ended = false;

    // Monitor thread only.
    bool announced = false;
    std::optional<ExitStatus> exit;  // set once the wrapper process is gone
    int64_t end_ms = 0;
    bool error_logged = false;
    Stream<MetricFileScanner> metrics;
    Stream<StdoutScanner> out;
};

Monitor::Monitor(tshost::Host host, std::chrono::milliseconds kill_grace)
    : host_(host), kill_grace_(kill_grace), thread_([this] { run(); }) {}

Monitor::~Monitor() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();  // no host service is called after this returns
}

void Monitor::watch(WatchSpec spec) {
    auto tracked = std::make_shared<Tracked>(std::move(spec));
    std::lock_guard lock(mutex_);
    auto& slot = trials_[tracked->spec.trial_id];
    if (slot && !slot->ended) {
        throw tshost::Error(TSH_ERR_EXISTS,
                            "trial " + tracked->spec.trial_id + " is still running");
    }
    slot = tracked;
    if (slot->spec.cancelled) {
        begin_cancel(*slot, *slot->spec.cancelled);
    }
    woken_ = true;
    wake_.notify_all();
}

Monitor::CancelResult Monitor::cancel(std::string_view trial_id, tshost::CancelReason reason) {
    std::lock_guard lock(mutex_);
    const auto it = trials_.find(trial_id);
    if (it == trials_.end()) {
        return CancelResult::unknown;
    }
    Tracked& t = *it->second;
    if (t.ended) {
        return CancelResult::already_ended;
    }
    if (!t.cancel) {  // a second cancel neither changes the reason nor the deadline
        begin_cancel(t, reason);
        woken_ = true;
        wake_.notify_all();
    }
    return CancelResult::cancelling;
}

void Monitor::begin_cancel(Tracked& t, tshost::CancelReason reason) {
    // On disk first: a host restarted from here on reports the cancel, not the
    // signal's exit code.
    write_file_atomic(t.spec.paths.cancel_file(), std::string(cancel_status(reason)) + "\n");
    t.cancel = reason;
    t.kill_at = Clock::now() + kill_grace_;
    // An unreaped child's pid cannot be recycled; an adopted pid is signalled only
    // while it is provably still the trial's wrapper. From then on the group id
    // stays valid while any member lives, so the SIGKILL later is safe too.
    t.signalled = t.spec.own_child || is_trial_wrapper(t.spec.pid, t.spec.paths.nni_dir());
    if (t.signalled) {
        if (t.spec.agent) {
            // Before the SIGTERM: the agent forwards it to the command's group and may
            // then exit, orphaning whatever of that group ignored it.
            t.agent_groups = trial_tree_groups(t.spec.pid);
        }
        // To the wrapper's group only: in agent mode the agent forwards it, as in a pod.
        signal_group(t.spec.pid, SIGTERM);
    }
}

bool Monitor::tracks(std::string_view trial_id) const {
    std::lock_guard lock(mutex_);
    return trials_.find(trial_id) != trials_.end();
}

std::optional<std::string> Monitor::status(std::string_view trial_id) const {
    std::lock_guard lock(mutex_);
    const auto it = trials_.find(trial_id);
    return it != trials_.end() ? std::optional(it->second->status) : std::nullopt;
}

std::vector<std::string> Monitor::live_trials() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& [id, t] : trials_) {
        if (!t->ended) {
            ids.push_back(id);
        }
    }
    return ids;
}

bool Monitor::wait_all_ended(Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return ended_.wait_until(lock, deadline, [this] {
        for (const auto& [id, t] : trials_) {
            if (!t->ended) {
                return false;
            }
        }
        return true;
    });
}

void Monitor::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        std::vector<std::shared_ptr<Tracked>> live;
        for (const auto& [id, t] : trials_) {
            if (!t->ended) {
                live.push_back(t);
            }
        }
        woken_ = false;
        lock.unlock();
        for (const auto& t : live) {
            poll_safely(*t);
        }
        lock.lock();
        wake_.wait_for(lock, kTick, [this] { return stopping_ || woken_; });
    }
}

void Monitor::poll_safely(Tracked& t) noexcept {
    try {
        poll(t);
    } catch (const std::exception& e) {
        // Most likely the disk or the host refusing an event; the next tick retries.
        // Logged once per trial so a persistent problem cannot flood the log.
        if (!t.error_logged) {
            t.error_logged = true;
            host_.error("trial " + t.spec.trial_id + ": " + e.what());
        }
    }
}

void Monitor::poll(Tracked& t) {
    escalate_cancel(t);
    if (!t.exit) {
        t.exit = probe_exit(t);
    }
    const bool ended = t.exit && tree_done(t);
    if (!t.announced) {
        t.announced = true;
        // A trial adopted after it ended goes straight to its metrics and end.
        if (!ended || t.spec.own_child) {
            StatusReport running;
            running.status = "RUNNING";
            running.start_ms = t.spec.start_ms;
            emit_status(t, running);
        }
    }
    if (!t.spec.agent) {
        follow(t, t.metrics, ended);
        follow(t, t.out, ended);
    }
    if (ended) {
        finish(t);
    }
}

void Monitor::escalate_cancel(Tracked& t) {
    std::lock_guard lock(mutex_);
    if (t.cancel && !t.kill_sent && Clock::now() >= t.kill_at) {
        if (t.signalled && t.spec.agent) {
            t.agent_groups = trial_tree_groups(t.spec.pid, t.agent_groups);
            signal_groups(t.agent_groups, SIGKILL);
        } else if (t.signalled) {
            signal_group(t.spec.pid, SIGKILL);
        }
        t.kill_sent = true;
    }
}

std::optional<ExitStatus> Monitor::probe_exit(Tracked& t) const {
    const TrialPaths& paths = t.spec.paths;
    if (t.spec.own_child) {
        auto exit = try_reap(t.spec.pid);
        if (!exit) {
            return std::nullopt;
        }
        t.end_ms = now_ms();
        if (!exit->code) {
            exit->code = read_exit_code(paths);  // reaped elsewhere: trust the wrapper's record
        } else if (!std::filesystem::exists(paths.exit_code_file())) {
            // The wrapper was killed before it could write: record what waitpid saw, so
            // the files tell a restarted host the same story.
            write_file_atomic(paths.exit_code_file(), std::to_string(*exit->code) + "\n");
        }
        return exit;
    }
    if (const auto code = read_exit_code(paths)) {
        t.end_ms = file_mtime_ms(paths.exit_code_file());
        return ExitStatus{*code, 0};
    }
    if (is_trial_wrapper(t.spec.pid, paths.nni_dir())) {
        return std::nullopt;
    }
    t.end_ms = now_ms();
    return ExitStatus{};  // gone without a record: killed, or the machine rebooted
}

// The wrapper is gone; is the rest of the trial too? After an ordinary end,
// leftover background processes are the user's business. After a cancel the whole
// group must be gone, or SIGKILLed and given a moment to die.
bool Monitor::tree_done(Tracked& t) {
    std::lock_guard lock(mutex_);
    if (!t.cancel || !t.signalled) {
        return true;  // nothing of ours was signalled, so nothing to wait for
    }
    const bool alive = t.spec.agent ? any_group_alive(trial_tree_groups(t.spec.pid, t.agent_groups))
                                    : group_alive(t.spec.pid);
    if (!alive) {
        return true;
    }
    return t.kill_sent && Clock::now() >= t.kill_at + kKillSettle;
}

template <class Stream>
void Monitor::follow(Tracked& t, Stream& stream, bool drain) {
    FileFollower& file = stream.file;
    // While running, one chunk per tick; at the end, up to the size seen now (a
    // leftover background process still writing cannot keep this loop going).
    uint64_t until = drain ? file.size() : file.offset() + kReadChunk;
    until = std::min(until, kMaxFollowedOffset);
    std::vector<ScanItem> items;
    while (file.offset() < until) {
        const std::string bytes = file.read_new(std::min(kReadChunk, until - file.offset()));
        if (bytes.empty()) {
            break;
        }
        stream.scanner.feed(bytes, items);
        emit_items(t, stream.name, stream.source, items);
        items.clear();
    }
    if (drain) {
        stream.scanner.finish(items);
        emit_items(t, stream.name, stream.source, items);
    }
}

void Monitor::emit_items(Tracked& t, const char* file_name, MetricSource source,
                         const std::vector<ScanItem>& items) {
    const std::string& id = t.spec.trial_id;
    for (const ScanItem& item : items) {
        const std::string where =
            std::string(file_name) + " at byte " + std::to_string(item.offset);
        if (!item.problem.empty()) {
            host_.emit(TSH_EVENT_TRIAL_LOG, id, log_payload("warn", where + ": " + item.problem));
            continue;
        }
        switch (classify_record(item.record)) {
            case RecordKind::metric:
                host_.emit(
                    TSH_EVENT_TRIAL_METRIC, id,
                    metric_payload(metric_seq(t.spec.attempt, source, item.offset), item.record));
                break;
            case RecordKind::parameter_request:
                break;  // the SDK found no parameter.cfg; it exists by now (written first)
            case RecordKind::malformed:
                host_.emit(TSH_EVENT_TRIAL_LOG, id,
                           log_payload("warn", where +
                                                   ": skipped a metric record that is not "
                                                   "a JSON object: " +
                                                   excerpt(item.record)));
                break;
        }
    }
}

void Monitor::emit_status(Tracked& t, const StatusReport& report) {
    {
        std::lock_guard lock(mutex_);
        t.status = report.status;
    }
    host_.emit(TSH_EVENT_TRIAL_STATUS, t.spec.trial_id, status_payload(report));
}

void Monitor::finish(Tracked& t) {
    StatusReport report;
    report.start_ms = t.spec.start_ms;
    report.end_ms = t.end_ms != 0 ? t.end_ms : now_ms();
    {
        // Deciding the status, emitting it and marking the trial ended happen under
        // one lock, so a cancel() racing with the end either counts or finds the
        // trial ended, never half of each.
        std::lock_guard lock(mutex_);
        if (t.cancel) {
            // The signal's exit code says nothing about the trial: the cancel decides.
            report.status = cancel_status(*t.cancel);
            report.reason = reason_name(*t.cancel);
            report.message = "cancelled (" + report.reason + ")";
        } else {
            const bool success = t.exit->signal == 0 && t.exit->code == 0;
            report.status = success ? "SUCCEEDED" : "FAILED";
            report.exit_code = t.exit->code;
            report.message = exit_message(*t.exit);
        }
        host_.emit(TSH_EVENT_TRIAL_STATUS, t.spec.trial_id, status_payload(report));
        t.status = report.status;
        t.ended = true;
    }
    ended_.notify_all();
}

}  // namespace local_platform
