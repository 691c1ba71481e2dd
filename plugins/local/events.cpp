#include "events.hpp"

#include <chrono>
#include <nlohmann/json.hpp>

namespace local_platform {

using nlohmann::json;

namespace {

// Records are valid UTF-8 (they parsed as JSON), but messages may quote arbitrary
// trial output: replace invalid bytes instead of throwing.
std::string dump(const json& doc) {
    return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

uint64_t metric_seq(int64_t attempt, MetricSource source, uint64_t offset) {
    return static_cast<uint64_t>(attempt) * 10 * kMaxFollowedOffset +
           static_cast<uint64_t>(source) * kMaxFollowedOffset + offset;
}

std::string status_payload(const StatusReport& report) {
    json doc{{"status", report.status}};
    if (!report.message.empty()) {
        doc["message"] = report.message;
    }
    if (!report.reason.empty()) {
        doc["reason"] = report.reason;
    }
    if (report.start_ms != 0) {
        doc["startTime"] = report.start_ms;
    }
    if (report.end_ms != 0) {
        doc["endTime"] = report.end_ms;
    }
    if (report.exit_code) {
        doc["exitCode"] = *report.exit_code;
    }
    return dump(doc);
}

std::string metric_payload(uint64_t seq, std::string_view record) {
    // One replica per trial: a local trial is a single process tree.
    return dump(json{{"replica", "0"}, {"seq", seq}, {"data", record}});
}

std::string log_payload(std::string_view level, std::string_view message) {
    return dump(json{{"level", level}, {"message", message}});
}

std::optional<tshost::CancelReason> cancel_reason_of(std::string_view status) {
    for (const auto reason : {tshost::CancelReason::user, tshost::CancelReason::early_stop,
                              tshost::CancelReason::system}) {
        if (status == cancel_status(reason)) {
            return reason;
        }
    }
    return std::nullopt;
}

std::string exit_message(const ExitStatus& exit) {
    if (exit.signal != 0) {
        return "killed by signal " + std::to_string(exit.signal);
    }
    if (!exit.code) {
        return "the trial's process ended without recording an exit code";
    }
    std::string message = "exit code " + std::to_string(*exit.code);
    if (*exit.code > 128 && *exit.code < 128 + 65) {  // how the shell reports a signal
        message += " (killed by signal " + std::to_string(*exit.code - 128) + ")";
    }
    return message;
}

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace local_platform
