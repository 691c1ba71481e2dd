// Everything a trial creates, as pure functions of the settings, the trial and the storage's
// pod volume: the Framework (reference §3.5, with §11's bugs fixed), the run scripts, and the
// experiment's registry Secrets. No I/O, so every rule is unit-tested and `render` shows exactly
// what `submit` sends.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "settings.hpp"

namespace fc_platform {

/// What the host put into the trial's spec_json (sdk/ABI.md "Trials on a shared store").
struct TrialSpec {
    int64_t attempt = 0;
    std::string trial_dir;  // share-relative
    std::string kit_dir;
    std::string code_manifest;
    std::string cas_dir;
    std::optional<std::string> metrics_url;    // absent with metricsTransport: storage
    std::optional<std::string> metrics_token;  // a secret: environment only, never logged
};

/// Throws std::invalid_argument naming the missing keys (never quoting the spec: it holds a
/// token).
TrialSpec parse_trial_spec(std::string_view spec_json);

/// The storage plugin's pod_volume(): the volume, its mount (named after the volume) and the
/// Secret to create first (null when none).
struct PodVolume {
    nlohmann::json volume;
    nlohmann::json volume_mount;
    std::string mount_path;
    nlohmann::json secret;
};
PodVolume parse_pod_volume(std::string_view pod_volume_json);

struct TrialInput {
    std::string experiment_id;
    std::string namespace_name;
    std::string trial_id;
    int64_t sequence_id = 0;
    TrialSpec spec;
};

/// The replica whose metrics reach the tuner: task 0 of the first role.
std::string primary_replica(const Settings& settings);

/// run_<role>.sh per role: (share-relative path, text).
std::vector<std::pair<std::string, std::string>> run_scripts(const Settings& settings,
                                                             const TrialInput& trial,
                                                             const PodVolume& storage);

/// Registry Secret name per role ("" for a role without privateRegistryAuthPath): one Secret per
/// distinct file per experiment, not NNI's one per trial and role.
std::vector<std::string> registry_secret_per_role(const Settings& settings);

/// The distinct (file, Secret name) pairs of the experiment.
std::vector<std::pair<std::string, std::string>> registry_secrets(const Settings& settings);

/// A kubernetes.io/dockerconfigjson Secret holding `docker_config` (the file's bytes).
nlohmann::json registry_secret(const Settings& settings, std::string_view namespace_name,
                               const std::string& name, std::string_view docker_config);

nlohmann::json build_framework(const Settings& settings, const TrialInput& trial,
                               const PodVolume& storage);

/// A copy safe to print: Secret data and the metrics token replaced by "<redacted>".
nlohmann::json redacted(nlohmann::json object);

}  // namespace fc_platform
