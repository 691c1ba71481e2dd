// The JSON payloads of the events this plugin emits (shapes in sdk/ABI.md), and
// the numbering that lets the host store each metric exactly once.
#pragma once

#include <tshost/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "process.hpp"

namespace local_platform {

/// Where a metric record was read from; part of its seq.
enum class MetricSource : uint64_t { metrics_file = 1, stdout_file = 2 };

/// A metric's seq: attempt·10^13 + source·10^12 + the record's byte offset in its
/// file. The same record gets the same seq whichever process reads it, so a host
/// that re-reads a trial after a restart can drop what it already stored by
/// (trial, replica, seq). Decimal digits keep it readable (1000000000042 = byte 42
/// of .nni/metrics), and it stays below 2^53 (exact in JavaScript) for attempts
/// below 900. Offsets beyond 10^12 (a 1 TB file) are not followed.
inline constexpr uint64_t kMaxFollowedOffset = 1'000'000'000'000;
uint64_t metric_seq(int64_t attempt, MetricSource source, uint64_t offset);

/// The trial's state as trial.status reports it.
struct StatusReport {
    std::string status;  // RUNNING, SUCCEEDED, FAILED, USER_CANCELED, ...
    std::string message;
    std::string reason;  // machine-readable cause of an end, when there is one
    int64_t start_ms = 0;
    int64_t end_ms = 0;
    std::optional<int> exit_code;
};

std::string status_payload(const StatusReport& report);
std::string metric_payload(uint64_t seq, std::string_view record);
std::string log_payload(std::string_view level, std::string_view message);

/// The end status a cancel for `reason` produces (the SDK's mapping).
using tshost::cancel_status;
/// The reason behind a cancel status written to .nni/cancel (nullopt if unknown).
std::optional<tshost::CancelReason> cancel_reason_of(std::string_view status);

/// "exit code 3", "killed by signal 9", "exit code 137 (killed by signal 9)".
std::string exit_message(const ExitStatus& exit);

/// ms since the Unix epoch.
int64_t now_ms();

}  // namespace local_platform
