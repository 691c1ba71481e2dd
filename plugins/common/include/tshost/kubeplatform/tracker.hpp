// The trials a platform instance follows and the status events it owes the host. Fed by the one
// informer of the experiment (any thread) and by cancel/end_experiment (platform calls); one
// lock, so a trial's events leave in order and its end is emitted exactly once. The platform
// supplies how its job's status maps to a trial status.
#pragma once

#include <tshost/plugin.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pod_trouble.hpp"
#include "status.hpp"

namespace tshost::kubeplatform {

class JobTracker {
  public:
    /// How events leave: (trial id, trial.status payload). The platform passes Host::emit.
    using Emit = std::function<void(const std::string& trial_id, const nlohmann::json& payload)>;
    using Clock = std::function<int64_t()>;  // ms since the epoch
    /// The job's status → the trial's; nullopt when the job's state says nothing new.
    using StatusMap = std::function<std::optional<StatusUpdate>(const nlohmann::json& job)>;

    /// `kind` names the job in messages and in the reason of a deletion ("Framework" →
    /// FrameworkDeleted).
    JobTracker(Emit emit, Clock clock, StatusMap map, std::string kind);

    /// Follow `trial_id`, run by job `name` (submit, adopt). Replaces an earlier attempt.
    void follow(const std::string& trial_id, const std::string& name);
    /// The job of a followed trial; nullopt for a trial this instance never saw.
    std::optional<std::string> job_of(const std::string& trial_id) const;
    bool ended(const std::string& trial_id) const;

    /// A job appeared or changed (informer).
    void observe(const nlohmann::json& job);
    /// A job vanished (informer): ends a live trial that nobody here cancelled.
    void vanished(const nlohmann::json& job);
    /// The trial is being stopped on purpose: from now on a failure that follows (a graceful
    /// stop may complete the job as Failed) or its deletion means the reason's status.
    void stopping(const std::string& trial_id, tshost::CancelReason reason);
    /// The trial was stopped on purpose: ends it with the reason's status (once).
    void cancelled(const std::string& trial_id, tshost::CancelReason reason);
    /// Ends every live trial as SYS_CANCELED (the experiment is over).
    void end_all();

    /// Pod `pod` of job `name` (trial `trial_id`) changed (pod informer): its trouble, or
    /// nullopt once it has none or is gone. A change of what the trial shows is emitted as a
    /// status event with the trial's status and the trouble as reason and message.
    void pod_changed(const std::string& trial_id, const std::string& name, const std::string& pod,
                     const std::optional<PodTrouble>& trouble);
    /// Fails every live trial whose pod trouble has lasted `timeout_ms` or longer, with the
    /// trouble as the reason; returns their jobs, which the caller deletes.
    std::vector<std::string> expire_troubles(int64_t timeout_ms);
    /// The jobs of trials that finished on their own (the job's status said so) `delay_ms` or
    /// longer ago; each is returned once, for the caller to delete.
    std::vector<std::string> finished_jobs_due(int64_t delay_ms);

  private:
    struct Entry {
        std::string name;
        std::string status;   // last emitted, "" before the first
        std::string message;  // of the last emitted
        std::optional<int64_t> start_ms;
        bool ended = false;
        std::optional<tshost::CancelReason> cancel;
        std::map<std::string, PodTrouble> pod_troubles;  // by pod name; the first is shown
        std::optional<int64_t> trouble_since;            // troubled without a break since then
        std::optional<int64_t> finished_at;              // ended by the job's own status
        bool handed_for_deletion = false;
    };
    static const PodTrouble* shown_trouble(const Entry& e);
    void emit_locked(const std::string& trial_id, Entry& e, nlohmann::json payload);
    Entry* entry_of(const nlohmann::json& job, std::string& trial_id);

    Emit emit_;
    Clock clock_;
    StatusMap map_;
    std::string kind_;
    mutable std::mutex mutex_;
    std::map<std::string, Entry> trials_;
};

}  // namespace tshost::kubeplatform
