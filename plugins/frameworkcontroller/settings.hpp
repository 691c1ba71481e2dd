// The plugin's settings: its config section (already validated against kConfigSchema by the
// host) merged with what it needs from the experiment JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fc_platform {

struct Role {
    std::string name;  // ^[a-z0-9]{1,63}$ (schema)
    std::string image;
    int64_t task_number = 1;
    std::string command;
    int64_t gpu_number = 0;
    double cpu_number = 1;
    std::string memory;  // a Kubernetes quantity: "<MB>Mi", or the quantity as written
    int64_t min_failed = 1;
    int64_t min_succeeded = -1;
    std::string registry_auth_path;  // "" when none
};

struct Settings {
    std::string experiment_id;
    std::string namespace_name;  // "" = the kubeconfig context's namespace, else "default"
    std::optional<std::string> service_account;
    std::vector<Role> roles;
    std::optional<std::string> kubeconfig;
    std::string context;
    double qps = 5.0;
    int burst = 10;
    std::string barrier_image = "frameworkcontroller/frameworkbarrier";
    bool reuse_mode_requested = true;  // reuseMode not set to false (NNI v2 default: true)
    std::string api_version;           // as written, "" when absent
};

/// Throws std::invalid_argument with the key at fault for what the schema cannot say (duplicate
/// role names, a missing experiment id).
Settings parse_settings(std::string_view config_json, std::string_view experiment_json);

/// "1", "0.5": what Kubernetes accepts as a cpu quantity, without float noise.
std::string cpu_quantity(double cpus);

}  // namespace fc_platform
