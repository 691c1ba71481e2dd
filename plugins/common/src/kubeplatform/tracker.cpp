#include "tshost/kubeplatform/tracker.hpp"

namespace tshost::kubeplatform {

using nlohmann::json;
using tshost::cancel_status;

namespace {

bool is_end(const std::string& status) {
    return status == "SUCCEEDED" || status == "FAILED" || status == "USER_CANCELED" ||
           status == "EARLY_STOPPED" || status == "SYS_CANCELED";
}

}  // namespace

JobTracker::JobTracker(Emit emit, Clock clock, StatusMap map, std::string kind)
    : emit_(std::move(emit)),
      clock_(std::move(clock)),
      map_(std::move(map)),
      kind_(std::move(kind)) {}

void JobTracker::follow(const std::string& trial_id, const std::string& name) {
    std::lock_guard lock(mutex_);
    Entry e;
    e.name = name;
    trials_[trial_id] = std::move(e);
}

std::optional<std::string> JobTracker::job_of(const std::string& trial_id) const {
    std::lock_guard lock(mutex_);
    const auto it = trials_.find(trial_id);
    if (it == trials_.end()) {
        return std::nullopt;
    }
    return it->second.name;
}

bool JobTracker::ended(const std::string& trial_id) const {
    std::lock_guard lock(mutex_);
    const auto it = trials_.find(trial_id);
    return it != trials_.end() && it->second.ended;
}

JobTracker::Entry* JobTracker::entry_of(const json& job, std::string& trial_id) {
    const json meta = job.value("metadata", json::object());
    trial_id = meta.value("labels", json::object()).value("trialId", std::string());
    const auto it = trials_.find(trial_id);
    // An earlier attempt's job, or a trial nobody asked this instance to follow.
    if (it == trials_.end() || it->second.name != meta.value("name", std::string())) {
        return nullptr;
    }
    return &it->second;
}

void JobTracker::emit_locked(const std::string& trial_id, Entry& e, json payload) {
    const std::string status = payload.at("status").get<std::string>();
    if (status == "RUNNING" && !payload.contains("startTime")) {
        payload["startTime"] = e.start_ms.value_or(clock_());
    }
    if (payload.contains("startTime")) {
        e.start_ms = payload["startTime"].get<int64_t>();
    } else if (e.start_ms && is_end(status)) {
        payload["startTime"] = *e.start_ms;
    }
    if (is_end(status) && !payload.contains("endTime")) {
        payload["endTime"] = clock_();
    }
    payload["jobName"] = e.name;
    e.status = status;
    e.message = payload.value("message", std::string());
    e.ended = is_end(status);
    emit_(trial_id, payload);
}

void JobTracker::observe(const json& job) {
    std::lock_guard lock(mutex_);
    std::string trial_id;
    Entry* e = entry_of(job, trial_id);
    if (e == nullptr || e->ended) {
        return;
    }
    const std::optional<StatusUpdate> u = map_(job);
    // A new message alone (why a running job is restarting) is news too.
    if (!u || (u->status == e->status && u->message == e->message)) {
        return;
    }
    if (e->cancel && u->status == "FAILED") {
        emit_locked(trial_id, *e, {{"status", cancel_status(*e->cancel)}});
        return;
    }
    json payload = {{"status", u->status}};
    if (u->start_ms) {
        payload["startTime"] = *u->start_ms;
    }
    if (u->end_ms) {
        payload["endTime"] = *u->end_ms;
    }
    if (u->exit_code) {
        payload["exitCode"] = *u->exit_code;
    }
    if (!u->reason.empty()) {
        payload["reason"] = u->reason;
    }
    if (!u->message.empty()) {
        payload["message"] = u->message;
    }
    emit_locked(trial_id, *e, std::move(payload));
}

void JobTracker::vanished(const json& job) {
    std::lock_guard lock(mutex_);
    std::string trial_id;
    Entry* e = entry_of(job, trial_id);
    if (e == nullptr || e->ended) {
        return;
    }
    if (e->cancel) {
        emit_locked(trial_id, *e, {{"status", cancel_status(*e->cancel)}});
        return;
    }
    // NNI ignores the 404 and shows RUNNING forever (§11.3).
    emit_locked(
        trial_id, *e,
        {{"status", "FAILED"},
         {"reason", kind_ + "Deleted"},
         {"message", kind_ + " " + e->name + " was deleted outside tshost before it completed"}});
}

void JobTracker::stopping(const std::string& trial_id, tshost::CancelReason reason) {
    std::lock_guard lock(mutex_);
    if (const auto it = trials_.find(trial_id); it != trials_.end()) {
        it->second.cancel = reason;
    }
}

void JobTracker::cancelled(const std::string& trial_id, tshost::CancelReason reason) {
    std::lock_guard lock(mutex_);
    const auto it = trials_.find(trial_id);
    if (it == trials_.end() || it->second.ended) {
        return;
    }
    emit_locked(trial_id, it->second, {{"status", cancel_status(reason)}});
}

void JobTracker::end_all() {
    std::lock_guard lock(mutex_);
    for (auto& [id, e] : trials_) {
        if (!e.ended) {
            emit_locked(id, e, {{"status", "SYS_CANCELED"}, {"message", "the experiment ended"}});
        }
    }
}

}  // namespace tshost::kubeplatform
