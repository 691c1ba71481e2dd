#include "engine/engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "engine/ids.hpp"
#include "engine/metric_event.hpp"
#include "engine/metric_record.hpp"
#include "engine/packed_parameter.hpp"
#include "engine/trial_status.hpp"

namespace tshost::engine {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr size_t kTrialIdLength = 5;    // NNI's length, in [a-z0-9]
constexpr size_t kMaxBatch = 4096;      // events written per transaction
constexpr int kMaxSubmitFailures = 5;   // consecutive permanent failures before ERROR
constexpr milliseconds kIdleWait{100};  // longest the loop sleeps without an event
constexpr milliseconds kStopGrace{15000};
constexpr milliseconds kProgressInterval{250};
// Intermediate results kept while an earlier one is missing (a trial cannot make the
// host hold an unbounded map by skipping sequence numbers).
constexpr size_t kMaxResultsAhead = 1024;

int64_t now_ms() {
    return std::chrono::duration_cast<milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int64_t int_or(const json& j, const char* key, int64_t fallback) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

std::string string_or(const json& j, const char* key, const std::string& fallback) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

}  // namespace

Engine::Engine(Parts parts, Limits limits) : parts_(parts), limits_(limits) {
    progress_.status = "RUNNING";
    progress_.max_trial_number = limits_.max_trial_number;
    progress_.max_experiment_duration = limits_.max_experiment_duration;
}

void Engine::recover() {
    auto& db = parts_.db;
    elapsed_before_ = milliseconds(std::stoll(db.meta("elapsed_ms").value_or("0")));
    started_ = steady_clock::now();

    const auto rows = db.trials();
    std::vector<tuner::ImportedTrial> finished_results;
    for (const auto& row : rows) {
        known_ids_.insert(row.id);
        next_parameter_id_ = std::max(next_parameter_id_, row.parameter_id + 1);
        next_sequence_id_ = std::max(next_sequence_id_, row.sequence_id + 1);
        tally(progress_, row.status, +1);
        if (is_terminal(row.status) && row.final_metric) {
            finished_results.push_back({unpack_parameters(row.parameters_json), *row.final_metric});
            note_best(row.id, *row.final_metric);
        }
    }
    progress_.submitted = next_sequence_id_;
    if (!finished_results.empty()) {
        const size_t used = parts_.tuner.import_data(finished_results);
        spdlog::info("resume: the tuner learnt from {} of {} finished trials", used,
                     finished_results.size());
    }

    // What the platform still holds decides each unfinished trial's fate.
    std::set<std::string> listed;
    const auto list = json::parse(parts_.platform.list_trials(), nullptr, false);
    for (const auto& item : list.is_array() ? list : json::array()) {
        listed.insert(string_or(item, "trialId", ""));
    }
    for (const auto& row : rows) {
        if (is_terminal(row.status)) {
            continue;
        }
        auto& trial = active_[row.id];
        trial.row = row;
        if (row.status == "SUBMITTING" && listed.count(row.id) == 0) {
            submit(trial);  // the platform never got it: submitting now is not a duplicate
            continue;
        }
        try {
            parts_.platform.adopt(plugin::TrialSpec{row.id, row.sequence_id, row.parameters_json,
                                                    trial_spec(row, false)});
            spdlog::info("resume: re-adopted trial {} ({})", row.id, row.status);
        } catch (const plugin::PluginError& e) {
            record_status(trial.row, "FAILED",
                          "lost while tshost was not running: " + std::string(e.what()), now_ms());
            finish_trial(row.id);
        }
    }
    for (const auto& id : listed) {
        if (known_ids_.count(id) == 0 && !id.empty()) {
            spdlog::warn(
                "the platform runs trial {} that this experiment never created; leaving it", id);
        }
    }
}

std::string Engine::run(const std::atomic<bool>& stop,
                        const std::function<void(const Progress&)>& on_progress) {
    auto last_progress = steady_clock::now() - kProgressInterval;
    auto stop_deadline = steady_clock::time_point::max();
    auto report = [&](bool force) {
        const auto now = steady_clock::now();
        if (force || now - last_progress >= kProgressInterval) {
            progress_.elapsed = elapsed();
            progress_.running = static_cast<int64_t>(active_.size());
            on_progress(progress_);
            if (parts_.observer != nullptr) {
                parts_.observer->on_progress(progress_, limits_);
            }
            last_progress = now;
        }
    };
    try {
        recover();
        parts_.db.set_meta("status", "RUNNING");
        while (true) {
            handle_commands();
            if ((stop.load() || stop_requested_) && !stopping_) {
                begin_stop();
                stop_deadline = steady_clock::now() + kStopGrace;
            }
            if (!stopping_) {
                enforce_trial_durations();
                fill();
                // A raised limit (portal) makes an experiment that reached one run again.
                progress_.status =
                    !more_trials_allowed() || tuner_exhausted_ ? "NO_MORE_TRIAL" : "RUNNING";
            }
            const bool had_events = process_events(kIdleWait);
            if (!had_events) {
                save_elapsed();
            }
            report(had_events && active_.empty());
            if (finished() || steady_clock::now() > stop_deadline) {
                break;
            }
        }
    } catch (const std::exception& e) {
        progress_.status = "ERROR";
        progress_.last_error = e.what();
        spdlog::error("experiment failed: {}", e.what());
        parts_.db.set_meta("status", "ERROR");
        parts_.db.set_meta("error", e.what());
        parts_.db.set_meta("end_time", std::to_string(now_ms()));
        if (parts_.commands != nullptr) {
            parts_.commands->close("the experiment ended with an error");
        }
        report(true);
        return progress_.status;
    }

    progress_.status = stopping_ ? "STOPPED" : "DONE";
    if (!stopping_) {
        try {
            parts_.platform.end_experiment();
        } catch (const std::exception& e) {
            spdlog::warn("cleaning up the platform after the experiment: {}", e.what());
        }
    }
    save_elapsed();
    parts_.db.set_meta("status", progress_.status);
    parts_.db.set_meta("end_time", std::to_string(now_ms()));
    if (parts_.commands != nullptr) {
        parts_.commands->close("the experiment has ended (" + progress_.status + ")");
    }
    report(true);
    return progress_.status;
}

bool Engine::more_trials_allowed() const {
    if (limits_.max_trial_number && next_sequence_id_ >= *limits_.max_trial_number) {
        return false;
    }
    return !limits_.max_experiment_duration || elapsed() < *limits_.max_experiment_duration;
}

bool Engine::finished() const {
    return active_.empty() && (stopping_ || tuner_exhausted_ || !more_trials_allowed());
}

void Engine::fill() {
    if (steady_clock::now() < next_submit_attempt_) {
        return;  // backing off after a transient platform failure
    }
    for (auto& [id, trial] : active_) {
        if (trial.row.status == "SUBMITTING") {
            submit(trial);  // retry of a transient failure
        }
    }
    while (!tuner_exhausted_ && more_trials_allowed() &&
           static_cast<int64_t>(active_.size()) < limits_.trial_concurrency &&
           steady_clock::now() >= next_submit_attempt_) {
        const int64_t parameter_id = next_parameter_id_;
        auto parameters = parts_.tuner.generate_parameters(parameter_id);
        if (!parameters) {
            tuner_exhausted_ = true;
            spdlog::info("the tuner has no more parameters to try");
            break;
        }
        db::TrialRow row;
        row.id = random_id(kTrialIdLength,
                           [&](const std::string& id) { return known_ids_.count(id) > 0; });
        row.sequence_id = next_sequence_id_++;
        row.parameter_id = next_parameter_id_++;
        row.parameters_json = pack_parameters(parameter_id, *parameters);
        row.status = "SUBMITTING";
        row.submit_time_ms = now_ms();
        known_ids_.insert(row.id);
        // The row exists before the platform hears of the trial: after a crash,
        // resume knows every trial that might have reached the platform.
        parts_.db.insert_trial(row);
        parts_.db.add_status_change({row.id, row.submit_time_ms, row.status, ""});
        progress_.submitted = next_sequence_id_;
        auto& trial = active_[row.id];
        trial.row = std::move(row);
        submit(trial);
        // What arrived during the submit (another trial's end, above all) is handled before
        // the next one: a round of submits, each of which may wait for the platform's rate
        // limiter, must not hold up the ends behind it. It may free a slot for this round.
        process_events(milliseconds(0));
    }
}

bool Engine::process_events(milliseconds wait) {
    std::vector<plugin::HostEvent> batch;
    if (parts_.events.pop_many(batch, kMaxBatch, wait) != 0) {
        process(batch);
    }
    return !batch.empty();
}

void Engine::submit(ActiveTrial& trial) {
    auto& row = trial.row;
    try {
        const auto out =
            json::parse(parts_.platform.submit(plugin::TrialSpec{
                            row.id, row.sequence_id, row.parameters_json, trial_spec(row, true)}),
                        nullptr, false);
        if (out.is_object()) {
            row.job_name = string_or(out, "jobName", row.job_name);
            row.url = string_or(out, "url", row.url);
        }
        // The job as created, redacted by the platform (ABI.md), for the trial's page; none
        // replaces an earlier attempt's.
        const auto manifest = out.is_object() ? out.find("manifest") : out.end();
        parts_.db.set_manifest(row.id, manifest != out.end() && manifest->is_object()
                                           ? std::optional<std::string>(manifest->dump())
                                           : std::nullopt);
        consecutive_submit_failures_ = 0;
        record_status(row, "WAITING", "", now_ms());
    } catch (const plugin::PluginError& e) {
        if (e.transient()) {
            spdlog::warn("submitting trial {} failed, will retry: {}", row.id, e.what());
            next_submit_attempt_ = steady_clock::now() + std::chrono::seconds(2);
            return;
        }
        spdlog::error("submitting trial {} failed: {}", row.id, e.what());
        record_status(row, "FAILED", e.what(), now_ms());
        if (++consecutive_submit_failures_ >= kMaxSubmitFailures) {
            throw std::runtime_error(
                std::to_string(kMaxSubmitFailures) +
                " trials in a row could not be submitted; last error: " + e.what());
        }
        // Ending the trial may resubmit it (retries), so defer: it must not
        // modify active_ while the caller iterates it.
        pending_ends_.push_back(row.id);
    }
}

void Engine::enforce_trial_durations() {
    if (!pending_ends_.empty()) {
        auto ended = std::move(pending_ends_);
        pending_ends_.clear();
        for (const auto& id : ended) {
            finish_trial(id);
        }
    }
    if (!limits_.max_trial_duration) {
        return;
    }
    const int64_t now = now_ms();
    for (auto& [id, trial] : active_) {
        const auto& row = trial.row;
        if (row.status == "RUNNING" && row.start_time_ms != 0 && !trial.cancel_requested &&
            now - row.start_time_ms > limits_.max_trial_duration->count()) {
            spdlog::info("trial {} exceeded maxTrialDuration; stopping it", id);
            cancel(trial, TSH_CANCEL_EARLY_STOP);
        }
    }
}

void Engine::begin_stop() {
    stopping_ = true;
    progress_.status = "STOPPING";
    parts_.db.set_meta("status", "STOPPING");
    spdlog::info("stopping: cancelling {} running trials", active_.size());
    std::vector<std::string> never_submitted;
    for (auto& [id, trial] : active_) {
        if (trial.row.status == "SUBMITTING") {
            record_status(trial.row, "SYS_CANCELED", "the experiment stopped", now_ms());
            never_submitted.push_back(id);
        } else {
            cancel(trial, TSH_CANCEL_SYSTEM);
        }
    }
    for (const auto& id : never_submitted) {
        finish_trial(id);
    }
}

void Engine::cancel(ActiveTrial& trial, tsh_cancel_reason reason) {
    try {
        parts_.platform.cancel(trial.row.id, reason);
        trial.cancel_requested = true;
    } catch (const plugin::PluginError& e) {
        spdlog::warn("cancelling trial {}: {}", trial.row.id, e.what());
    }
}

void Engine::process(std::vector<plugin::HostEvent>& batch) {
    std::vector<db::MetricRow> stored;
    std::vector<std::string> ended;
    parts_.db.begin();
    try {
        for (const auto& event : batch) {
            if (event.type == TSH_EVENT_TRIAL_STATUS) {
                on_status(event, ended, stored);
            } else if (event.type == TSH_EVENT_TRIAL_METRIC) {
                on_metric(event, stored);
            } else if (event.type == TSH_EVENT_TRIAL_LOG) {
                const auto payload = json::parse(event.payload_json, nullptr, false);
                spdlog::warn("trial {}: {}", event.trial_id, string_or(payload, "message", ""));
            }
        }
        save_elapsed();
        parts_.db.commit();
    } catch (...) {
        parts_.db.commit();  // keep what was stored; the error is reported by run()
        throw;
    }
    // Only now, with every metric durable, do the tuner and assessor see them.
    for (const auto& metric : stored) {
        deliver(metric);
    }
    for (const auto& id : ended) {
        finish_trial(id);
    }
}

void Engine::on_status(const plugin::HostEvent& event, std::vector<std::string>& ended,
                       std::vector<db::MetricRow>& stored) {
    const auto payload = json::parse(event.payload_json, nullptr, false);
    const std::string status = string_or(payload, "status", "");
    if (!is_known_status(status)) {
        spdlog::warn("trial {}: ignoring unknown status '{}'", event.trial_id, status);
        return;
    }
    const auto it = active_.find(event.trial_id);
    if (it == active_.end() || is_terminal(it->second.row.status)) {
        return;  // already ended (a repeat after adoption, or a late event)
    }
    auto& row = it->second.row;
    row.job_name = string_or(payload, "jobName", row.job_name);
    std::string message = string_or(payload, "message", "");
    const std::string reason = string_or(payload, "reason", "");
    if (!reason.empty()) {
        message = message.empty() ? reason : reason + ": " + message;
    }
    if (status == "RUNNING" && row.start_time_ms == 0) {
        row.start_time_ms = int_or(payload, "startTime", event.time_ms);
    }
    if (is_terminal(status)) {
        // Metrics a lost push left only in the trial's journal go in before the end,
        // as NNI's final result arrives before the trial's end event.
        collect_journal(row, stored);
        row.end_time_ms = int_or(payload, "endTime", event.time_ms);
        if (row.start_time_ms == 0) {
            row.start_time_ms = int_or(payload, "startTime", 0);
        }
        ended.push_back(row.id);
    }
    if (status != row.status || message != row.message) {
        record_status(row, status, message, event.time_ms);
    } else {
        parts_.db.update_trial(row);
        publish(row);
    }
}

void Engine::on_metric(const plugin::HostEvent& event, std::vector<db::MetricRow>& stored) {
    MetricEvent payload = decode_metric_event(event.payload_json);
    const auto it = active_.find(event.trial_id);
    std::optional<db::TrialRow> ended_row;
    if (it == active_.end()) {
        ended_row = parts_.db.trial(event.trial_id);
        if (!ended_row) {
            spdlog::warn("rejected a metric for unknown trial {}", event.trial_id);
            return;
        }
    }
    db::TrialRow& row = it != active_.end() ? it->second.row : *ended_row;
    auto parsed = parse_metric_record(payload.data ? std::string_view(*payload.data) : "", row.id);
    if (!parsed.record) {
        ++row.rejected_metrics;
        parts_.db.update_trial(row);
        spdlog::warn("trial {}: rejected a metric: {}", row.id, parsed.rejection);
        return;
    }
    if (parsed.record->type == "REQUEST_PARAMETER") {
        return;  // multi-phase requests are not supported by tshost's platforms
    }
    // A metric of an earlier attempt (its agent still flushing) is kept, under that
    // attempt, but only the current attempt's primary replica reaches the tuner:
    // with several replicas (TF workers, PyTorch ranks) the tuner sees one result.
    const int attempt = static_cast<int>(payload.attempt.value_or(row.attempt));
    const bool for_tuner = attempt == row.attempt && payload.primary.value_or(true);
    db::MetricRow metric{row.id,
                         attempt,
                         payload.replica ? std::move(*payload.replica) : "0",
                         payload.seq.value_or(parsed.record->sequence),
                         event.time_ms,
                         std::move(parsed.record->type),
                         parsed.record->sequence,
                         std::move(parsed.record->value_json),
                         parsed.record->default_value,
                         payload.primary.value_or(true)};
    if (for_tuner && metric.type == "FINAL" && it != active_.end() &&
        attempt < limits_.max_trial_retries && !stopping_) {
        if (!it->second.held_final) {
            it->second.held_final = std::move(metric);
        }
        return;
    }
    if (!parts_.db.insert_metric(metric) || !for_tuner) {
        return;  // already stored (a replay after restart, a retried push), or kept only
    }
    if (parts_.observer != nullptr) {
        parts_.observer->on_metric(metric);
    }
    if (metric.type == "FINAL" && !row.final_metric) {
        row.final_metric = metric.default_value;
        parts_.db.update_trial(row);
        publish(row);
        stored.push_back(std::move(metric));
    } else if (metric.type == "PERIODICAL") {
        stored.push_back(std::move(metric));
    }
}

void Engine::deliver(const db::MetricRow& metric) {
    const auto it = active_.find(metric.trial_id);
    if (metric.type == "FINAL") {
        const auto row =
            it != active_.end() ? std::optional(it->second.row) : parts_.db.trial(metric.trial_id);
        try {
            parts_.tuner.receive_trial_result(
                row->parameter_id, unpack_parameters(row->parameters_json), metric.default_value);
        } catch (const std::exception& e) {
            spdlog::warn("the tuner refused trial {}'s result: {}", metric.trial_id, e.what());
        }
        note_best(metric.trial_id, metric.default_value);
        return;
    }
    if (parts_.assessor == nullptr || it == active_.end() || it->second.cancel_requested) {
        return;
    }
    auto& trial = it->second;
    trial.had_history = true;
    // NNI's dispatcher assesses the longest gap-free prefix from sequence 0. The prefix
    // is kept as a flat vector (8 bytes a result: 1,000 live trials with 1,000 results
    // each stay at 8 MB); results that arrive ahead of a gap wait in a bounded map.
    auto& history = trial.history;
    const auto seq = metric.sequence;
    if (seq < 0) {
        return;
    }
    if (seq < static_cast<int64_t>(history.size())) {
        history[static_cast<size_t>(seq)] = metric.default_value;  // a re-report
    } else if (seq == static_cast<int64_t>(history.size())) {
        history.push_back(metric.default_value);
        for (auto next = trial.ahead.begin();
             next != trial.ahead.end() && next->first == static_cast<int64_t>(history.size());
             next = trial.ahead.erase(next)) {
            history.push_back(next->second);
        }
    } else {
        if (trial.ahead.size() < kMaxResultsAhead) {
            trial.ahead.emplace(seq, metric.default_value);
        }
        return;  // waiting for an earlier intermediate result
    }
    if (parts_.assessor->assess_trial(trial.row.id, history) == tuner::AssessResult::Bad) {
        spdlog::info("the assessor stops trial {} after {} intermediate results", trial.row.id,
                     history.size());
        cancel(trial, TSH_CANCEL_EARLY_STOP);
    }
}

void Engine::finish_trial(const std::string& trial_id) {
    const auto it = active_.find(trial_id);
    if (it == active_.end()) {
        return;
    }
    auto& trial = it->second;
    auto& row = trial.row;
    const bool retry =
        row.status == "FAILED" && row.attempt < limits_.max_trial_retries && !stopping_;
    if (auto held = std::exchange(trial.held_final, std::nullopt)) {
        // Stored either way; the tuner (and the portal, like any result it sees) gets it only
        // when no retry replaces this attempt.
        if (parts_.db.insert_metric(*held) && !retry && !row.final_metric) {
            if (parts_.observer != nullptr) {
                parts_.observer->on_metric(*held);
            }
            row.final_metric = held->default_value;
            parts_.db.update_trial(row);
            publish(row);
            deliver(*held);
        }
    }
    if (retry) {
        ++row.attempt;
        row.final_metric.reset();
        row.start_time_ms = row.end_time_ms = 0;
        trial.history.clear();
        trial.ahead.clear();
        trial.cancel_requested = false;
        record_status(row, "SUBMITTING",
                      "retry " + std::to_string(row.attempt) + " of " +
                          std::to_string(limits_.max_trial_retries),
                      now_ms());
        submit(trial);
        return;
    }
    const bool succeeded = row.status == "SUCCEEDED";
    parts_.tuner.trial_end(row.parameter_id, succeeded);
    // For fc_experiment_bench's breakdown of job end -> tuner (a debug line, parsed there).
    spdlog::debug("trial {} ended {}: the tuner knew at {} ms", row.id, row.status, now_ms());
    if (parts_.assessor != nullptr && trial.had_history) {
        parts_.assessor->trial_end(row.id, succeeded);
    }
    active_.erase(it);
}

void Engine::record_status(db::TrialRow& row, const std::string& status, const std::string& message,
                           int64_t time_ms) {
    tally(progress_, row.status, -1);
    tally(progress_, status, +1);
    row.status = status;
    row.message = message;
    parts_.db.update_trial(row);
    parts_.db.add_status_change({row.id, time_ms, status, message});
    publish(row);
    if (status == "FAILED" && !message.empty()) {
        progress_.last_error = "trial " + row.id + ": " + message;
    }
}

void Engine::publish(const db::TrialRow& row) {
    if (parts_.observer != nullptr) {
        parts_.observer->on_trial(row);
    }
}

void Engine::handle_commands() {
    if (parts_.commands == nullptr) {
        return;
    }
    for (auto& pending : parts_.commands->take_all()) {
        CommandOutcome outcome;
        try {
            outcome = handle(pending.command);
        } catch (const std::exception& e) {
            outcome = {CommandOutcome::Kind::conflict, e.what()};
        }
        pending.outcome.set_value(std::move(outcome));
    }
}

CommandOutcome Engine::handle(const Command& command) {
    if (stopping_) {
        return {CommandOutcome::Kind::conflict, "the experiment is stopping"};
    }
    switch (command.kind) {
        case Command::Kind::stop:
            stop_requested_ = true;
            spdlog::info("stop requested through the portal");
            return {};
        case Command::Kind::cancel_trial:
            return cancel_by_user(command.trial_id);
        case Command::Kind::set_limits:
            return set_limits(command);
    }
    return {CommandOutcome::Kind::invalid, "unknown command"};
}

CommandOutcome Engine::cancel_by_user(const std::string& trial_id) {
    const auto it = active_.find(trial_id);
    if (it == active_.end()) {
        const auto row = parts_.db.trial(trial_id);
        if (!row) {
            return {CommandOutcome::Kind::not_found, "no trial " + trial_id};
        }
        return {CommandOutcome::Kind::conflict,
                "trial " + trial_id + " has already ended (" + row->status + ")"};
    }
    auto& trial = it->second;
    spdlog::info("trial {}: cancel requested through the portal", trial_id);
    if (trial.row.status == "SUBMITTING") {
        // The platform never accepted it: nothing to cancel there.
        record_status(trial.row, "USER_CANCELED", "canceled by the user", now_ms());
        finish_trial(trial_id);
        return {};
    }
    parts_.platform.cancel(trial_id, TSH_CANCEL_USER);  // a PluginError is the outcome
    trial.cancel_requested = true;
    return {};
}

CommandOutcome Engine::set_limits(const Command& command) {
    if (command.trial_concurrency && *command.trial_concurrency < 1) {
        return {CommandOutcome::Kind::invalid, "trialConcurrency must be an integer >= 1"};
    }
    if (command.max_trial_number && *command.max_trial_number < next_sequence_id_) {
        return {CommandOutcome::Kind::invalid, "maxTrialNumber must be at least the " +
                                                   std::to_string(next_sequence_id_) +
                                                   " trials already submitted"};
    }
    if (command.max_experiment_duration && command.max_experiment_duration->count() <= 0) {
        return {CommandOutcome::Kind::invalid, "maxExperimentDuration must be positive"};
    }
    if (command.trial_concurrency) {
        limits_.trial_concurrency = *command.trial_concurrency;
    }
    if (command.max_trial_number) {
        limits_.max_trial_number = *command.max_trial_number;
        progress_.max_trial_number = limits_.max_trial_number;
    }
    if (command.max_experiment_duration) {
        limits_.max_experiment_duration = *command.max_experiment_duration;
        progress_.max_experiment_duration = limits_.max_experiment_duration;
    }
    // Kept for resume and for `tshost view`.
    parts_.db.set_meta("trial_concurrency", std::to_string(limits_.trial_concurrency));
    if (limits_.max_trial_number) {
        parts_.db.set_meta("max_trial_number", std::to_string(*limits_.max_trial_number));
    }
    if (limits_.max_experiment_duration) {
        parts_.db.set_meta("max_experiment_duration_ms",
                           std::to_string(limits_.max_experiment_duration->count()));
    }
    spdlog::info("limits changed through the portal: trialConcurrency {}",
                 limits_.trial_concurrency);
    if (parts_.observer != nullptr) {
        parts_.observer->on_progress(progress_, limits_);  // before the caller hears back
    }
    return {};
}

void Engine::note_best(const std::string& trial_id, double value) {
    const bool better =
        !progress_.best_metric ||
        (parts_.optimize_mode == tuner::OptimizeMode::Maximize ? value > *progress_.best_metric
                                                               : value < *progress_.best_metric);
    if (better) {
        progress_.best_metric = value;
        progress_.best_trial = trial_id;
    }
}

void Engine::save_elapsed() {
    parts_.db.set_meta("elapsed_ms", std::to_string(elapsed().count()));
}

std::chrono::milliseconds Engine::elapsed() const {
    return elapsed_before_ +
           std::chrono::duration_cast<milliseconds>(steady_clock::now() - started_);
}

std::string Engine::trial_spec(const db::TrialRow& row, bool submitting) const {
    json spec = json::object();
    if (parts_.hooks != nullptr) {
        spec = json::parse(parts_.hooks->prepare(row, submitting));
    }
    spec["attempt"] = row.attempt;
    return spec.dump();
}

void Engine::collect_journal(const db::TrialRow& row, std::vector<db::MetricRow>& stored) {
    if (parts_.hooks == nullptr) {
        return;
    }
    std::vector<plugin::HostEvent> events;
    try {
        events = parts_.hooks->collect(row);
    } catch (const std::exception& e) {
        // The journal stays on the store; resume reads it again.
        spdlog::warn("trial {}: reading its metric journal: {}", row.id, e.what());
        return;
    }
    for (const auto& event : events) {
        on_metric(event, stored);
    }
}

}  // namespace tshost::engine
