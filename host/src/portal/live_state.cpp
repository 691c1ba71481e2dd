#include "portal/live_state.hpp"

#include <chrono>

#include "engine/engine.hpp"
#include "portal/views.hpp"
#include "version.hpp"

namespace tshost::portal {
namespace {

using nlohmann::json;

constexpr size_t kMaxErrors = 100;

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t meta_int(const db::ExperimentDb& db, const char* key, int64_t fallback) {
    try {
        return std::stoll(db.meta(key).value_or(std::to_string(fallback)));
    } catch (const std::exception&) {
        return fallback;
    }
}

}  // namespace

LiveState::LiveState(const ExperimentInfo& info, bool read_only, Broadcaster& broadcaster)
    : info_(info),
      read_only_(read_only),
      broadcaster_(broadcaster),
      trial_concurrency_(info.trial_concurrency),
      max_trial_number_(info.max_trial_number),
      max_experiment_duration_ms_(info.max_experiment_duration_ms) {}

void LiveState::load(const db::ExperimentDb& db) {
    std::lock_guard lock(mutex_);
    status_ = read_only_ ? "VIEWED" : "RUNNING";
    start_time_ = meta_int(db, "start_time", 0);
    end_time_ = read_only_ ? meta_int(db, "end_time", 0) : 0;
    elapsed_ms_ = meta_int(db, "elapsed_ms", 0);
    // Limits changed through the portal outlive the run that changed them.
    trial_concurrency_ = static_cast<int>(meta_int(db, "trial_concurrency", trial_concurrency_));
    if (const auto v = db.meta("max_trial_number")) {
        max_trial_number_ = meta_int(db, "max_trial_number", 0);
    }
    if (const auto v = db.meta("max_experiment_duration_ms")) {
        max_experiment_duration_ms_ = meta_int(db, "max_experiment_duration_ms", 0);
    }
    for (const auto& row : db.trials()) {
        update_trial(row.id, {row.sequence_id, nni_status(row.status), row.final_metric});
        if (row.status == "FAILED" && !row.message.empty()) {
            add_error(row.end_time_ms, "trial " + row.id + ": " + row.message);
        }
    }
    if (const auto error = db.meta("error")) {
        add_error(end_time_, *error);
    }
}

void LiveState::add_error(int64_t time, const std::string& message) {
    if (!errors_.empty() && errors_.back().second == message) {
        return;
    }
    if (errors_.size() >= kMaxErrors) {
        errors_.erase(errors_.begin());
    }
    errors_.emplace_back(time, message);
}

void LiveState::on_progress(const engine::Progress& progress, const engine::Limits& limits) {
    std::string text;
    {
        std::lock_guard lock(mutex_);
        status_ = progress.status;
        elapsed_ms_ = progress.elapsed.count();
        trial_concurrency_ = limits.trial_concurrency;
        max_trial_number_ = limits.max_trial_number;
        max_experiment_duration_ms_ =
            limits.max_experiment_duration
                ? std::optional<int64_t>(limits.max_experiment_duration->count())
                : std::nullopt;
        if (!progress.last_error.empty()) {
            add_error(now_ms(), progress.last_error);
        }
        if ((status_ == "DONE" || status_ == "STOPPED" || status_ == "ERROR") && end_time_ == 0) {
            end_time_ = now_ms();
        }
        text = overview_locked(false).dump();
    }
    broadcaster_.publish_overview(std::move(text));
}

void LiveState::on_trial(const db::TrialRow& row) {
    std::string overview;
    {
        std::lock_guard lock(mutex_);
        // A status or final metric that changed changes the counts or the best: the open
        // overviews hear it now, not at the engine's next progress report.
        if (update_trial(row.id, {row.sequence_id, nni_status(row.status), row.final_metric})) {
            overview = overview_locked(false).dump();
        }
    }
    broadcaster_.publish_trial(row.id, trial_json(row).dump());
    if (!overview.empty()) {
        broadcaster_.publish_overview(std::move(overview));
    }
}

bool LiveState::update_trial(const std::string& id, TrialSummary summary) {
    auto [it, added] = trials_.try_emplace(id, summary);
    TrialSummary& held = it->second;
    // The value it had, as a plain double: GCC 12 sees an optional copied here as maybe unset.
    const bool had_value = !added && held.final_metric.has_value();
    const double before = had_value ? *held.final_metric : 0.0;
    if (!added) {
        if (held.status == summary.status && held.final_metric == summary.final_metric &&
            held.sequence_id == summary.sequence_id) {
            return false;
        }
        --counts_[held.status];
        held = std::move(summary);
    }
    ++counts_[held.status];
    const auto& value = held.final_metric;
    if (best_ == id) {
        if (!value || (had_value && better(before, *value))) {
            find_best();  // the best trial lost its value or got a worse one (a retry)
        }
    } else if (value && (!best_ || better(*value, *trials_.at(*best_).final_metric))) {
        best_ = id;
    }
    return true;
}

bool LiveState::better(double value, double than) const {
    return info_.minimize ? value < than : value > than;
}

void LiveState::find_best() {
    best_.reset();
    for (const auto& [id, trial] : trials_) {
        if (trial.final_metric &&
            (!best_ || better(*trial.final_metric, *trials_.at(*best_).final_metric))) {
            best_ = id;
        }
    }
}

void LiveState::on_metric(const db::MetricRow& metric) {
    broadcaster_.publish_metric(metric_point_json(metric).dump());
}

json LiveState::limits() const {
    std::lock_guard lock(mutex_);
    return limits_locked();
}

json LiveState::limits_locked() const {
    return json{{"trialConcurrency", trial_concurrency_},
                {"maxTrialNumber", max_trial_number_ ? json(*max_trial_number_) : json(nullptr)},
                {"maxExperimentDurationMs",
                 max_experiment_duration_ms_ ? json(*max_experiment_duration_ms_) : json(nullptr)},
                {"maxTrialDurationMs",
                 info_.max_trial_duration_ms ? json(*info_.max_trial_duration_ms) : json(nullptr)}};
}

json LiveState::overview(bool with_config) const {
    std::lock_guard lock(mutex_);
    return overview_locked(with_config);
}

json LiveState::overview_locked(bool with_config) const {
    json counts = json::object();
    for (const char* status : {"WAITING", "RUNNING", "SUCCEEDED", "FAILED", "USER_CANCELED",
                               "SYS_CANCELED", "EARLY_STOPPED"}) {
        const auto it = counts_.find(status);
        counts[status] = it == counts_.end() ? 0 : it->second;
    }
    json best = nullptr;
    if (best_) {
        const auto& trial = trials_.at(*best_);
        best = {
            {"trialId", *best_}, {"sequenceId", trial.sequence_id}, {"value", *trial.final_metric}};
    }
    json errors = json::array();
    for (const auto& [time, message] : errors_) {
        errors.push_back({{"time", time_or_null(time)}, {"message", message}});
    }
    json limits = limits_locked();
    json out = {{"id", info_.id},
                {"status", status_},
                {"platform", info_.platform},
                {"storage", info_.storage.empty() ? json(nullptr) : json(info_.storage)},
                {"startTime", time_or_null(start_time_)},
                {"endTime", time_or_null(end_time_)},
                {"elapsedMs", elapsed_ms_},
                {"optimizeMode", info_.minimize ? "minimize" : "maximize"},
                {"limits", std::move(limits)},
                {"submitted", static_cast<int64_t>(trials_.size())},
                {"counts", std::move(counts)},
                {"best", std::move(best)},
                {"errors", std::move(errors)},
                {"portalVersion", kHostVersion}};
    if (with_config) {
        out["config"] = json::parse(info_.config_json, nullptr, false);
        out["searchSpace"] = json::parse(info_.search_space_json, nullptr, false);
    }
    return out;
}

std::string LiveState::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

std::vector<std::string> LiveState::error_messages() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [time, message] : errors_) {
        out.push_back(message);
    }
    return out;
}

std::map<std::string, int64_t> LiveState::counts() const {
    std::lock_guard lock(mutex_);
    std::map<std::string, int64_t> out;
    for (const auto& [status, n] : counts_) {
        if (n > 0) {
            out.emplace(status, n);
        }
    }
    return out;
}

int64_t LiveState::submitted() const {
    std::lock_guard lock(mutex_);
    return static_cast<int64_t>(trials_.size());
}

int64_t LiveState::elapsed_ms() const {
    std::lock_guard lock(mutex_);
    return elapsed_ms_;
}

int64_t LiveState::start_time() const {
    std::lock_guard lock(mutex_);
    return start_time_;
}

int64_t LiveState::end_time() const {
    std::lock_guard lock(mutex_);
    return end_time_;
}

}  // namespace tshost::portal
