#include "status_map.hpp"

#include <ctime>
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

std::optional<int64_t> parse_rfc3339_ms(const std::string& text) {
    std::tm tm{};
    int consumed = 0;
    if (text.size() < 20 ||
        std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
        return std::nullopt;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    int64_t ms = 0;
    size_t pos = static_cast<size_t>(consumed);
    if (pos < text.size() && text[pos] == '.') {
        int64_t scale = 100;
        for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
            ms += (text[pos] - '0') * scale;
            scale /= 10;
        }
    }
    if (pos >= text.size() || text[pos] != 'Z') {
        return std::nullopt;  // the API server always writes UTC
    }
    return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

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
