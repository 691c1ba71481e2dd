// The ABI calls every Kubernetes platform makes the same way: connect, create the experiment's
// Secrets, follow all jobs of the experiment with ONE informer (list + watch, label selector
// app + expId) and their pods with one more by the same selector (a pod's trouble becomes the
// trial's message and, after podPendingTimeout, its failure), submit (validate, write the run
// scripts, create), cancel (the platform's graceful stop, then delete), delete finished jobs
// (keepFinishedJobs), list/adopt after a host restart, end_experiment (every job and Secret by
// label) and render (offline, redacted). A platform derives from KubePlatform and supplies what
// is its own: the job manifest, the run scripts, its status map and its stop.
#pragma once

#include <tshost/kube/config.hpp>
#include <tshost/kube/log.hpp>
#include <tshost/kube/resource.hpp>
#include <tshost/plugin.hpp>

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "names.hpp"
#include "settings.hpp"
#include "ticker.hpp"
#include "tracker.hpp"
#include "trial_input.hpp"

namespace tshost::kube {
class Client;
class Informer;
}  // namespace tshost::kube

namespace tshost::kubeplatform {

/// The job type a platform creates, and how it is checked and followed.
struct JobKind {
    const char* group;     // "kubeflow.org"
    const char* version;   // "v1"
    const char* plural;    // "tfjobs"
    NameStyle names;       // names.kind is the kind ("TFJob")
    const char* platform;  // the plugin's name, for messages
    /// The schema every generated job is checked against with validate_json before it is sent
    /// (a JSON Schema or a CustomResourceDefinition), and whose rules it is ("the TFJob CRD").
    const char* schema;
    const char* rules;
    JobTracker::StatusMap status_map;
};

/// Turns std::invalid_argument from the pure parts into the ABI's INVALID_ARGUMENT.
template <class F>
auto checked(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const std::invalid_argument& e) {
        throw tshost::Error(TSH_ERR_INVALID_ARGUMENT, e.what());
    }
}

class KubePlatform {
  public:
    KubePlatform(const tshost::CreateArgs& args, CommonSettings settings, JobKind kind);
    virtual ~KubePlatform();
    KubePlatform(const KubePlatform&) = delete;
    KubePlatform& operator=(const KubePlatform&) = delete;

    void start();
    std::string submit(const tshost::Trial& trial);
    void cancel(std::string_view trial_id, tshost::CancelReason reason);
    std::string list_trials();
    void adopt(const tshost::Trial& trial);
    void end_experiment();
    std::string render(const tshost::Trial& trial);
    tshost::Preflight preflight(std::string_view options_json);

  protected:
    /// The trial's job; throws std::invalid_argument for what the config cannot express.
    virtual nlohmann::json build_job(const TrialInput& trial, const PodVolume& storage) const = 0;
    /// run_<role>.sh per role: (share-relative path, text).
    virtual std::vector<std::pair<std::string, std::string>> build_scripts(
        const TrialInput& trial, const PodVolume& storage) const = 0;
    /// privateRegistryAuthPath per role ("" for none).
    virtual std::vector<std::string> registry_auth_paths() const = 0;
    /// Rules of the operator that its schema cannot say (webhooks); throws
    /// std::invalid_argument. Default: none.
    virtual void check_rules(const nlohmann::json& job) const;
    /// The graceful part of a cancel, before the delete (FrameworkController: executionType
    /// Stop). Default: nothing, the delete stops the pods.
    virtual void stop_job(kube::Client& client, const std::string& name);

    kube::ResourceRef jobs() const;
    const tshost::Host& host() const { return host_; }
    std::string job_name(std::string_view trial_id, int64_t attempt) const;

  private:
    kube::LoadOptions load_options() const;
    kube::LogFn kube_log() const;
    TrialInput trial_input(const tshost::Trial& trial) const;
    PodVolume pod_volume() const;
    void validate(const nlohmann::json& job) const;
    void wait_for_sync() const;
    bool is_ours(const std::string& name, const TrialInput& input);
    void remove_job(const std::string& name);
    void create_experiment_secrets();
    void emit_status(const std::string& trial_id, const nlohmann::json& payload) const;
    void start_pod_informer(const std::string& selector);
    /// A pod of the experiment changed or vanished (`gone`): its trouble goes to its trial.
    void pod_seen(const nlohmann::json& pod, bool gone);
    /// Housekeeping, once per tick: time-dependent pod trouble, trials whose pods have been in
    /// trouble too long, finished jobs due for deletion.
    void tick();
    void delete_jobs(const std::vector<std::string>& names);

    tshost::Host host_;
    CommonSettings common_;
    JobKind kind_;
    JobTracker tracker_;
    std::string namespace_;  // resolved by start()
    std::unique_ptr<kube::Client> client_;
    std::unique_ptr<kube::Informer> informer_;
    std::unique_ptr<kube::Informer> pod_informer_;
    int64_t ticks_ = 0;               // the ticker's thread only
    std::unique_ptr<Ticker> ticker_;  // last: stopped first
};

}  // namespace tshost::kubeplatform
