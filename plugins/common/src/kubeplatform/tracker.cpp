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
    const PodTrouble* trouble = shown_trouble(*e);
    // A new message alone (why a running job is restarting) is news too; a job saying nothing
    // does not hide a pod's trouble.
    if (!u || (u->status == e->status &&
               (u->message == e->message || (u->message.empty() && trouble != nullptr)))) {
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
    } else if (trouble != nullptr && !is_end(u->status)) {
        payload["reason"] = trouble->reason;
        payload["message"] = trouble->message;
    }
    emit_locked(trial_id, *e, std::move(payload));
    if (e->ended) {
        e->finished_at = clock_();
    }
}

const PodTrouble* JobTracker::shown_trouble(const Entry& e) {
    return e.pod_troubles.empty() ? nullptr : &e.pod_troubles.begin()->second;
}

void JobTracker::pod_changed(const std::string& trial_id, const std::string& name,
                             const std::string& pod, const std::optional<PodTrouble>& trouble) {
    std::lock_guard lock(mutex_);
    const auto it = trials_.find(trial_id);
    if (it == trials_.end() || it->second.name != name || it->second.ended) {
        return;
    }
    Entry& e = it->second;
    const PodTrouble* before = shown_trouble(e);
    const std::string shown_before = before != nullptr ? before->message : std::string();
    if (trouble) {
        e.pod_troubles[pod] = *trouble;
    } else {
        e.pod_troubles.erase(pod);
    }
    const PodTrouble* now = shown_trouble(e);
    if (now == nullptr) {
        e.trouble_since.reset();
    } else if (!e.trouble_since) {
        e.trouble_since = clock_();
    }
    const std::string shown = now != nullptr ? now->message : std::string();
    if (shown == shown_before) {
        return;
    }
    // The same status with the new message: the host records it in the trial's history.
    json payload = {{"status", e.status.empty() ? "WAITING" : e.status}, {"message", shown}};
    if (now != nullptr) {
        payload["reason"] = now->reason;
    }
    emit_locked(trial_id, e, std::move(payload));
}

std::vector<std::string> JobTracker::expire_troubles(int64_t timeout_ms) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> jobs;
    const int64_t now = clock_();
    for (auto& [id, e] : trials_) {
        const PodTrouble* trouble = shown_trouble(e);
        if (e.ended || trouble == nullptr || !e.trouble_since ||
            now - *e.trouble_since < timeout_ms) {
            continue;
        }
        emit_locked(
            id, e,
            {{"status", "FAILED"},
             {"reason", trouble->reason},
             {"message",
              trouble->message + " (for " + std::to_string((now - *e.trouble_since) / 1000) +
                  " s, podPendingTimeout " + std::to_string(timeout_ms / 1000) + " s)"}});
        e.handed_for_deletion = true;
        jobs.push_back(e.name);
    }
    return jobs;
}

std::vector<std::string> JobTracker::finished_jobs_due(int64_t delay_ms) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> jobs;
    const int64_t now = clock_();
    for (auto& [id, e] : trials_) {
        if (e.finished_at && !e.handed_for_deletion && now - *e.finished_at >= delay_ms) {
            e.handed_for_deletion = true;
            jobs.push_back(e.name);
        }
    }
    return jobs;
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
