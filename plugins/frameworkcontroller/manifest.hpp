// Everything a trial creates, as pure functions of the settings, the trial and the storage's
// pod volume: the Framework (reference §3.5, with §11's bugs fixed), the run scripts, and the
// experiment's registry Secrets. No I/O, so every rule is unit-tested and `render` shows exactly
// what `submit` sends. What all Kubernetes platforms share is in tshost/kubeplatform/.
#pragma once

#include <tshost/kubeplatform/pod_parts.hpp>
#include <tshost/kubeplatform/trial_input.hpp>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "settings.hpp"

namespace fc_platform {

using tshost::kubeplatform::parse_pod_volume;
using tshost::kubeplatform::parse_trial_spec;
using tshost::kubeplatform::PodVolume;
using tshost::kubeplatform::redacted;
using tshost::kubeplatform::TrialInput;
using tshost::kubeplatform::TrialSpec;

/// The replica whose metrics reach the tuner: task 0 of the first role.
std::string primary_replica(const Settings& settings);

/// run_<role>.sh per role: (share-relative path, text).
std::vector<std::pair<std::string, std::string>> run_scripts(const Settings& settings,
                                                             const TrialInput& trial,
                                                             const PodVolume& storage);

/// privateRegistryAuthPath per role ("" for none).
std::vector<std::string> registry_auth_paths(const Settings& settings);

/// The distinct (file, Secret name) pairs of the experiment.
std::vector<std::pair<std::string, std::string>> registry_secrets(const Settings& settings);

/// A kubernetes.io/dockerconfigjson Secret holding `docker_config` (the file's bytes).
nlohmann::json registry_secret(const Settings& settings, std::string_view namespace_name,
                               const std::string& name, std::string_view docker_config);

nlohmann::json build_framework(const Settings& settings, const TrialInput& trial,
                               const PodVolume& storage);

}  // namespace fc_platform
