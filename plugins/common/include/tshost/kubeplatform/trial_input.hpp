// What a platform receives for one trial: the host's trial spec (sdk/ABI.md "Trials on a shared
// store") and the storage plugin's pod volume, parsed and checked.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace tshost::kubeplatform {

/// What the host put into the trial's spec_json.
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

}  // namespace tshost::kubeplatform
