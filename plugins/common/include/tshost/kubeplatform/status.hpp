// A job's status, as a platform's status map reports it to the tracker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tshost::kubeplatform {

struct StatusUpdate {
    std::string status;  // WAITING | RUNNING | SUCCEEDED | FAILED
    std::optional<int64_t> start_ms;
    std::optional<int64_t> end_ms;
    std::optional<int64_t> exit_code;
    std::string reason;
    std::string message;
};

/// ms since the epoch of an RFC 3339 UTC time ("2026-11-25T14:22:03Z", fractions allowed).
std::optional<int64_t> parse_rfc3339_ms(const std::string& text);

}  // namespace tshost::kubeplatform
