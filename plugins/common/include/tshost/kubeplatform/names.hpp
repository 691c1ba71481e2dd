// Object names and labels, as NNI gives them (reference §3.3, §3.4), so label selectors and
// cleanup tools written for NNI keep working. Shared by every Kubernetes platform.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tshost::kubeplatform {

inline constexpr const char* kAppLabel = "nni-kubernetes-trial";
/// tshost's own label beside NNI's three: which attempt of the trial a job runs.
inline constexpr const char* kAttemptLabel = "tshost.io/attempt";

/// The experiment id as it can appear in a job name ([a-z0-9]+): lower-cased when that is
/// all it takes, else "x" + a hash of the id, so two ids never map to one name.
std::string name_token(std::string_view experiment_id);

/// How a platform spells its job names: `<prefix><exp><middle><trial>` and, for a retry
/// (attempt n > 0), `<retry_separator>r<n>`. FrameworkController: "nniexp", "trial", "";
/// Kubeflow: "nni-exp-", "-trial-", "-".
struct NameStyle {
    const char* prefix;
    const char* middle;
    const char* retry_separator;
    const char* kind;  // for messages: "Framework", "TFJob"
};

/// Trial ids are [a-z0-9]+ of one fixed length within an experiment (the host's rule), so
/// names never collide. Throws std::invalid_argument when the id is unusable or the name
/// exceeds 63 characters.
std::string job_name(const NameStyle& style, std::string_view experiment_id,
                     std::string_view trial_id, int64_t attempt);

/// {app, expId, trialId} (+ attempt) for a trial's job.
std::vector<std::pair<std::string, std::string>> trial_labels(std::string_view experiment_id,
                                                              std::string_view trial_id,
                                                              int64_t attempt);
/// {app, expId}: every object of the experiment (the informer's and the cleanup's selector).
std::vector<std::pair<std::string, std::string>> experiment_labels(std::string_view experiment_id);

/// The experiment's registry Secret for the index-th distinct privateRegistryAuthPath.
std::string registry_secret_name(std::string_view experiment_id, size_t index);

/// The attempt a job's labels name; nullopt-like -1 when absent or not a small integer.
int64_t attempt_of_labels(const std::string& attempt_label);

}  // namespace tshost::kubeplatform
