// Object names and labels, as NNI gives them (reference §3.3, §3.4), so label selectors and
// cleanup tools written for NNI keep working.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fc_platform {

inline constexpr const char* kAppLabel = "nni-kubernetes-trial";
inline constexpr const char* kGroup = "frameworkcontroller.microsoft.com";
inline constexpr const char* kVersion = "v1";
inline constexpr const char* kPlural = "frameworks";
/// tshost's own label beside NNI's three: which attempt of the trial a Framework runs.
inline constexpr const char* kAttemptLabel = "tshost.io/attempt";

/// The experiment id as it can appear in a Framework name ([a-z0-9]+): lower-cased when that is
/// all it takes, else "x" + a hash of the id, so two ids never map to one name.
std::string name_token(std::string_view experiment_id);

/// NNI's `nniexp<exp>trial<trial>`; a retry (attempt n > 0) appends "r<n>". Trial ids are
/// [a-z0-9]+ of one fixed length within an experiment (the host's rule), so names never collide.
/// Throws std::invalid_argument when the id is unusable or the name exceeds FrameworkController's
/// 63 characters.
std::string framework_name(std::string_view experiment_id, std::string_view trial_id,
                           int64_t attempt);

/// {app, expId, trialId} (+ attempt) for a trial's Framework.
std::vector<std::pair<std::string, std::string>> trial_labels(std::string_view experiment_id,
                                                              std::string_view trial_id,
                                                              int64_t attempt);
/// {app, expId}: every object of the experiment (the informer's and the cleanup's selector).
std::vector<std::pair<std::string, std::string>> experiment_labels(std::string_view experiment_id);

/// The experiment's registry Secret for the index-th distinct privateRegistryAuthPath.
std::string registry_secret_name(std::string_view experiment_id, size_t index);

}  // namespace fc_platform
