// The trials this instance follows and the status events it owes the host. Fed by the one
// informer of the experiment (any thread) and by cancel/end_experiment (platform calls); one
// lock, so a trial's events leave in order and its end is emitted exactly once.
#pragma once

#include <tshost/plugin.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace fc_platform {

class Tracker {
  public:
    /// How events leave: (trial id, trial.status payload). The platform passes Host::emit.
    using Emit = std::function<void(const std::string& trial_id, const nlohmann::json& payload)>;
    using Clock = std::function<int64_t()>;  // ms since the epoch

    Tracker(Emit emit, Clock clock);

    /// Follow `trial_id`, run by Framework `name` (submit, adopt). Replaces an earlier attempt.
    void follow(const std::string& trial_id, const std::string& name);
    /// The Framework of a followed trial; nullopt for a trial this instance never saw.
    std::optional<std::string> framework_of(const std::string& trial_id) const;
    bool ended(const std::string& trial_id) const;

    /// A Framework appeared or changed (informer).
    void observe(const nlohmann::json& framework);
    /// A Framework vanished (informer): ends a live trial that nobody here cancelled.
    void vanished(const nlohmann::json& framework);
    /// The trial is being stopped on purpose: from now on the failure that follows (executionType
    /// Stop completes the Framework as Failed) or its deletion means the reason's status.
    void stopping(const std::string& trial_id, tshost::CancelReason reason);
    /// The trial was stopped on purpose: ends it with the reason's status (once).
    void cancelled(const std::string& trial_id, tshost::CancelReason reason);
    /// Ends every live trial as SYS_CANCELED (the experiment is over).
    void end_all();

  private:
    struct Entry {
        std::string name;
        std::string status;  // last emitted, "" before the first
        std::optional<int64_t> start_ms;
        bool ended = false;
        std::optional<tshost::CancelReason> cancel;
    };
    void emit_locked(const std::string& trial_id, Entry& e, nlohmann::json payload);
    Entry* entry_of(const nlohmann::json& framework, std::string& trial_id);

    Emit emit_;
    Clock clock_;
    mutable std::mutex mutex_;
    std::map<std::string, Entry> trials_;
};

}  // namespace fc_platform
