// The plugin's settings: its config section (already validated against kConfigSchema by the
// host) merged with what it needs from the experiment JSON.
#pragma once

#include <tshost/kubeplatform/settings.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fc_platform {

using tshost::kubeplatform::cpu_quantity;

struct Role : tshost::kubeplatform::Role {  // name: ^[a-z0-9]{1,63}$ (schema)
    int64_t task_number = 1;
    int64_t min_failed = 1;
    int64_t min_succeeded = -1;
    std::string container_name = "framework";
    /// false: the container gets no generated `resources` (a template's container brings its
    /// own, or has none, as its author wrote it).
    bool generated_resources = true;
};

struct Settings : tshost::kubeplatform::CommonSettings {
    std::vector<Role> roles;
    std::string barrier_image = "frameworkcontroller/frameworkbarrier";
    /// Template mode (configPath): the user's Framework, which every trial's Framework
    /// completes; null otherwise. Each role's pod_spec_patch is then its template pod spec.
    nlohmann::json framework_template;
    /// Where the template came from (configPath), for messages.
    std::string template_path;
};

/// Throws std::invalid_argument with the key at fault for what the schema cannot say (duplicate
/// role names, a missing experiment id).
Settings parse_settings(std::string_view config_json, std::string_view experiment_json);

}  // namespace fc_platform
