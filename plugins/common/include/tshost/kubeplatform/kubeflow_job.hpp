// Kubeflow training-operator jobs (kubeflow.org/v1 TFJob, PyTorchJob): what kubeflow-tf and
// kubeflow-pytorch share. A flavor says what differs (kind, replica spec key, container name,
// which NNI roles exist and which replica's metrics reach the tuner); the settings, manifest,
// run scripts, status map and webhook rules are one implementation for both.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "names.hpp"
#include "settings.hpp"
#include "status.hpp"
#include "trial_input.hpp"

namespace tshost::kubeplatform {

/// An NNI role key (config) and the replica type it becomes ("ps" → "PS").
struct KubeflowRoleType {
    const char* key;
    const char* replica_type;
};

struct KubeflowFlavor {
    const char* kind;       // "TFJob"
    const char* plural;     // "tfjobs"
    const char* specs_key;  // "tfReplicaSpecs"
    const char* container;  // "tensorflow": the operator requires a container of this name
    const char* platform;   // the plugin's name, for messages
    std::vector<KubeflowRoleType> roles;     // in manifest order
    std::vector<const char*> replica_types;  // what the operator's webhook accepts
    /// Replica names ("<role>-0") whose metrics reach the tuner, first configured wins.
    std::vector<const char*> primary_candidates;
    bool single_master;  // PyTorch: Master.replicas must be 1
};

/// NNI's `nni-exp-<exp>-trial-<trial>` (a DNS-1035 label); a retry appends "-r<n>".
NameStyle kubeflow_name_style(const KubeflowFlavor& flavor);

struct KubeflowRole : Role {
    std::string replica_type;  // "PS", "Worker", "Master"
    int64_t replicas = 1;
};

struct KubeflowSettings : CommonSettings {
    std::vector<KubeflowRole> roles;  // the configured ones, in the flavor's order
};

/// Throws std::invalid_argument naming the key for what the schema cannot say.
KubeflowSettings parse_kubeflow_settings(const KubeflowFlavor& flavor, std::string_view config_json,
                                         std::string_view experiment_json);

/// "worker-0", "master-0": the replica whose metrics reach the tuner.
std::string kubeflow_primary_replica(const KubeflowFlavor& flavor, const KubeflowSettings& s);

nlohmann::json build_kubeflow_job(const KubeflowFlavor& flavor, const KubeflowSettings& s,
                                  const TrialInput& trial, const PodVolume& storage);

std::vector<std::pair<std::string, std::string>> kubeflow_run_scripts(const KubeflowFlavor& flavor,
                                                                      const KubeflowSettings& s,
                                                                      const TrialInput& trial,
                                                                      const PodVolume& storage);

std::vector<std::string> kubeflow_registry_auth_paths(const KubeflowSettings& s);

/// The training-operator's v1.9 webhook rules the CRD schema cannot say: a DNS-1035 name, known
/// replica types, a container named flavor.container with an image in every replica, at most
/// one Chief/Master, and (PyTorch) Master.replicas == 1. Throws std::invalid_argument with the
/// key path and the rule.
void check_kubeflow_rules(const KubeflowFlavor& flavor, const nlohmann::json& job);

/// A TFJob's or PyTorchJob's conditions → the trial's status (reference §5.2), with NNI's
/// quirks fixed: a condition counts only when its status is "True"; Succeeded/Failed win over
/// the rest, whatever their order; Restarting is RUNNING with the reason as the message, never
/// success; the start time is when the job began Running, not when it was Created.
std::optional<StatusUpdate> map_kubeflow_status(const nlohmann::json& job);

}  // namespace tshost::kubeplatform
