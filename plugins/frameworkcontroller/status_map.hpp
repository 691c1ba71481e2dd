// A Framework's status → the trial's status (reference §5.3), with NNI's bugs fixed: the start
// time is when a task really ran (status.runTime, not the Framework's creation), and a failure
// carries FrameworkController's completion code, phrase and diagnostics.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace fc_platform {

struct StatusUpdate {
    std::string status;  // WAITING | RUNNING | SUCCEEDED | FAILED
    std::optional<int64_t> start_ms;
    std::optional<int64_t> end_ms;
    std::optional<int64_t> exit_code;
    std::string reason;
    std::string message;
};

/// nullopt when the Framework's state says nothing new (FC's deletion states, an unknown
/// completion type): the trial keeps its status.
std::optional<StatusUpdate> map_framework_status(const nlohmann::json& framework);

/// ms since the epoch of an RFC 3339 UTC time ("2026-11-25T14:22:03Z", fractions allowed).
std::optional<int64_t> parse_rfc3339_ms(const std::string& text);

}  // namespace fc_platform
