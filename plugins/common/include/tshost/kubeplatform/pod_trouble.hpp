// Why a trial's pod is not getting anywhere, read from the pod's status: an image that cannot be
// pulled, no node to schedule on, a container whose config is broken, an init container (the
// FrameworkController barrier) that does not finish. The job's own status says only "pending"
// for all of these; this is what the user needs to see (issue 8, item 5).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace tshost::kubeplatform {

struct PodTrouble {
    std::string reason;   // ErrImagePull, Unschedulable, InitContainerStuck, ...
    std::string message;  // names the pod and container, and what Kubernetes said
};

/// An init container still running after this long counts as stuck.
inline constexpr int64_t kInitStuckAfterMs = 60'000;

/// The pod's trouble, nullopt when it is fine (or already running or done). `now_ms` (ms since
/// the epoch) dates how long an init container has been running.
std::optional<PodTrouble> pod_trouble(const nlohmann::json& pod, int64_t now_ms);

}  // namespace tshost::kubeplatform
