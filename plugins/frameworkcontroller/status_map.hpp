// A Framework's status → the trial's status (reference §5.3), with NNI's bugs fixed: the start
// time is when a task really ran (status.runTime, not the Framework's creation), and a failure
// carries FrameworkController's completion code, phrase and diagnostics.
#pragma once

#include <tshost/kubeplatform/status.hpp>

#include <nlohmann/json.hpp>
#include <optional>

namespace fc_platform {

using tshost::kubeplatform::parse_rfc3339_ms;
using tshost::kubeplatform::StatusUpdate;

/// nullopt when the Framework's state says nothing new (FC's deletion states, an unknown
/// completion type): the trial keeps its status.
std::optional<StatusUpdate> map_framework_status(const nlohmann::json& framework);

}  // namespace fc_platform
