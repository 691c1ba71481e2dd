#include "status_map.hpp"

#include <set>

namespace fc_platform {

using nlohmann::json;

namespace {

StatusUpdate with_status(const char* status) {
    StatusUpdate u;
    u.status = status;
    return u;
}

std::string str(const json& obj, const char* key) {
    const auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<int64_t> time_of(const json& obj, const char* key) {
    return parse_rfc3339_ms(str(obj, key));
}

}  // namespace

std::optional<StatusUpdate> map_framework_status(const json& fw) {
    const auto st = fw.find("status");
    if (st == fw.end() || !st->is_object()) {
        return with_status("WAITING");  // not reconciled yet
    }
    const std::string state = str(*st, "state");
    static const std::set<std::string> kWaiting = {"AttemptCreationPending",
                                                   "AttemptCreationRequested", "AttemptPreparing"};
    const json attempt = st->value("attemptStatus", json::object());
    // When a task of the attempt entered AttemptRunning, not when the Framework was created
    // (§11.4: NNI's start time counts scheduling and image pulls against maxTrialDuration).
    std::optional<int64_t> run_ms = time_of(attempt, "runTime");
    if (!run_ms) {
        run_ms = time_of(*st, "runTime");
    }
    if (state.empty() || kWaiting.count(state) > 0) {
        return with_status("WAITING");
    }
    if (state == "AttemptRunning") {
        StatusUpdate u = with_status("RUNNING");
        u.start_ms = run_ms;
        return u;
    }
    if (state != "Completed") {
        return std::nullopt;  // deletion states, AttemptCompleted: transitional
    }
    const json cs = attempt.value("completionStatus", json::object());
    const std::string type = cs.value("type", json::object()).value("name", std::string());
    StatusUpdate u;
    if (type == "Succeeded") {
        u.status = "SUCCEEDED";
    } else if (type == "Failed") {
        u.status = "FAILED";
        u.reason = str(cs, "phrase");
        u.message = str(cs, "diagnostics");
        if (u.message.empty()) {
            u.message = u.reason;
        }
    } else {
        return std::nullopt;
    }
    if (const auto code = cs.find("code"); code != cs.end() && code->is_number_integer()) {
        u.exit_code = code->get<int64_t>();
    }
    u.start_ms = run_ms;
    u.end_ms = time_of(*st, "completionTime");
    if (!u.end_ms) {
        u.end_ms = time_of(attempt, "completionTime");
    }
    return u;
}

}  // namespace fc_platform
