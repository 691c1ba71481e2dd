// The pieces every platform puts into its pods and beside its jobs, as pure functions: resources,
// the metrics environment, the run script's spec, the experiment's Secrets, and redaction.
#pragma once

#include <tshost/trial/run_script.hpp>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "settings.hpp"
#include "trial_input.hpp"

namespace tshost::kubeplatform {

/// {"k": "v", ...} from label pairs.
nlohmann::json labels_json(const std::vector<std::pair<std::string, std::string>>& labels);

/// requests == limits == {cpu, memory}, plus nvidia.com/gpu only when > 0 (NNI's shape).
nlohmann::json resources(const Role& role);

/// TSHOST_METRICS_URL/TOKEN for the container's env (empty array when neither is set). The token
/// goes only into the pod's environment: every trial mounts the same share, so a token written
/// there would let one trial report for another.
nlohmann::json metrics_env(const TrialSpec& spec);

/// `sh <mount>/<trialDir>/run_<role>.sh`: the container's command (NNI used `args`, which an
/// image ENTRYPOINT wraps, §11.14).
nlohmann::json run_command(const TrialInput& trial, const PodVolume& storage,
                           const std::string& role);

/// The run script's spec for `role`, everything filled but env and before_command.
tshost::trial::RunScriptSpec run_script_spec(const char* platform, const TrialInput& trial,
                                             const PodVolume& storage, const Role& role,
                                             const std::string& primary_replica);

/// The distinct (file, Secret name) pairs for the roles' privateRegistryAuthPath values, in
/// role order: one Secret per distinct file per experiment, not NNI's one per trial and role.
std::vector<std::pair<std::string, std::string>> registry_secrets(
    std::string_view experiment_id, const std::vector<std::string>& auth_paths);

/// The Secret name for each auth path ("" for none).
std::vector<std::string> registry_secret_per_role(std::string_view experiment_id,
                                                  const std::vector<std::string>& auth_paths);

/// A kubernetes.io/dockerconfigjson Secret holding `docker_config` (the file's bytes), with the
/// experiment's labels so end_experiment finds it.
nlohmann::json registry_secret(std::string_view experiment_id, std::string_view namespace_name,
                               const std::string& name, std::string_view docker_config);

/// The storage's Secret, in `namespace_name` and labelled with the experiment.
nlohmann::json storage_secret(std::string_view experiment_id, const PodVolume& storage,
                              std::string_view namespace_name);

/// A copy safe to print: Secret data and every TSHOST_METRICS_TOKEN env value replaced by
/// "<redacted>", wherever in the object they are.
nlohmann::json redacted(nlohmann::json object);

}  // namespace tshost::kubeplatform
