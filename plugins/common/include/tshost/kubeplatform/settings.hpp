// What every Kubernetes platform reads from its config section: connection (kubeconfig,
// context, qps, burst), namespace, serviceAccountName, NNI's apiVersion/reuseMode, and the
// container part of a role (image, command, resources, privateRegistryAuthPath).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace tshost::kubeplatform {

/// One container role: what NNI's KubeflowRoleConfig and FrameworkControllerRoleConfig share.
struct Role {
    std::string name;
    std::string image;
    std::string command;
    int64_t gpu_number = 0;
    double cpu_number = 1;
    std::string memory;              // a Kubernetes quantity, as the host handed it over
    std::string registry_auth_path;  // "" when none
    nlohmann::json pod_spec_patch;   // podSpecPatch, null when none
};

struct CommonSettings {
    std::string experiment_id;
    std::string namespace_name;  // "" = the kubeconfig context's namespace, else "default"
    std::optional<std::string> service_account;
    std::optional<std::string> kubeconfig;
    std::string context;
    // The client-side rate limit of creates, deletes and patches (status comes by watch, on a
    // budget of its own): controller-runtime's defaults. kubectl's 5/10 capped an experiment at
    // ~2.5 trials started per second (a create and a delete each) and queued every submit.
    double qps = 20.0;
    int burst = 30;
    bool reuse_mode_requested = true;          // reuseMode not set to false (NNI v2 default: true)
    std::string api_version;                   // as written, "" when absent
    int64_t pod_pending_timeout_ms = 600'000;  // 0: pod trouble never fails a trial
    std::optional<int64_t> delete_finished_after_ms = 0;  // nullopt: keep finished jobs
};

/// A duration as NNI writes one ("45s", "10m", "1.5h", "1d", a number of seconds) in ms;
/// throws std::invalid_argument naming `key` otherwise.
int64_t duration_ms(const nlohmann::json& value, const char* key);

/// `text` as a JSON object ("" = {}); throws std::invalid_argument naming `what` otherwise.
nlohmann::json parse_object(std::string_view text, const char* what);

/// The shared keys of `config` (the platform's section) and the experiment id of
/// `experiment`. Throws std::invalid_argument when the experiment id is missing.
CommonSettings parse_common_settings(const nlohmann::json& config,
                                     const nlohmann::json& experiment);

/// The container part of a role section: dockerImage (default msranni/nni:latest), command,
/// gpuNumber (default 0), cpuNumber, memorySize, privateRegistryAuthPath.
Role parse_role(const nlohmann::json& section, std::string name);

/// memorySize as the host hands it over: an exact Kubernetes quantity made from what the user
/// wrote ("4g" → "4Gi"), kept as written; an integer (an older host, a direct caller) is MB.
std::string memory_quantity(const nlohmann::json& value);

/// "1", "0.5": what Kubernetes accepts as a cpu quantity, without float noise.
std::string cpu_quantity(double cpus);

}  // namespace tshost::kubeplatform
