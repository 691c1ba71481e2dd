// Framework names and labels, as NNI gives them (reference §3.3, §3.4); the rules every
// Kubernetes platform shares are in tshost/kubeplatform/names.hpp.
#pragma once

#include <tshost/kubeplatform/names.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace fc_platform {

using tshost::kubeplatform::experiment_labels;
using tshost::kubeplatform::kAppLabel;
using tshost::kubeplatform::kAttemptLabel;
using tshost::kubeplatform::name_token;
using tshost::kubeplatform::registry_secret_name;
using tshost::kubeplatform::trial_labels;

inline constexpr const char* kGroup = "frameworkcontroller.microsoft.com";
inline constexpr const char* kVersion = "v1";
inline constexpr const char* kPlural = "frameworks";

/// NNI's `nniexp<exp>trial<trial>` (no hyphens: FrameworkController wants ^[a-z0-9]{1,63}$);
/// a retry (attempt n > 0) appends "r<n>".
inline constexpr tshost::kubeplatform::NameStyle kNameStyle{"nniexp", "trial", "", "Framework"};

/// Throws std::invalid_argument when the id is unusable or the name exceeds 63 characters.
inline std::string framework_name(std::string_view experiment_id, std::string_view trial_id,
                                  int64_t attempt) {
    return tshost::kubeplatform::job_name(kNameStyle, experiment_id, trial_id, attempt);
}

}  // namespace fc_platform
