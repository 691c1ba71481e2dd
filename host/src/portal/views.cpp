#include "portal/views.hpp"

namespace tshost::portal {

using nlohmann::json;

json time_or_null(int64_t ms) {
    return ms == 0 ? json(nullptr) : json(ms);
}

json unpacked_parameters(const std::string& packed_json) {
    auto packed = json::parse(packed_json, nullptr, false);
    if (packed.is_object() && packed.contains("parameters")) {
        return std::move(packed["parameters"]);
    }
    return json::object();
}

json trial_json(const db::TrialRow& row) {
    return {{"id", row.id},
            {"sequenceId", row.sequence_id},
            {"status", row.status},
            {"attempt", row.attempt},
            {"submitTime", time_or_null(row.submit_time_ms)},
            {"startTime", time_or_null(row.start_time_ms)},
            {"endTime", time_or_null(row.end_time_ms)},
            {"parameters", unpacked_parameters(row.parameters_json)},
            {"finalMetric", row.final_metric ? json(*row.final_metric) : json(nullptr)},
            {"jobName", row.job_name},
            {"url", row.url},
            {"message", row.message}};
}

json metric_point_json(const db::MetricRow& metric) {
    return {{"trialId", metric.trial_id},
            {"time", metric.time_ms},
            {"type", metric.type},
            {"sequence", metric.sequence},
            {"value", metric.default_value}};
}

json nni_metric_json(const db::MetricRow& metric, int64_t parameter_id) {
    return {{"timestamp", metric.time_ms},
            {"trialJobId", metric.trial_id},
            {"parameterId", std::to_string(parameter_id)},
            {"type", metric.type},
            {"sequence", metric.sequence},
            {"data", json(metric.value_json).dump()}};
}

json nni_trial_job_json(const db::TrialRow& row, const std::vector<db::MetricRow>& finals) {
    json job = {{"trialJobId", row.id},
                {"sequenceId", row.sequence_id},
                {"status", row.status == "SUBMITTING" ? "WAITING" : row.status},
                {"startTime", time_or_null(row.start_time_ms)},
                {"endTime", time_or_null(row.end_time_ms)},
                {"hyperParameters", json::array({row.parameters_json})},
                {"logPath", row.url},
                {"message", row.message},
                {"envId", ""}};
    if (row.status == "SUCCEEDED") {
        json data = json::array();
        for (const auto& metric : finals) {
            data.push_back(nni_metric_json(metric, row.parameter_id));
        }
        job["finalMetricData"] = std::move(data);
    }
    if (row.status == "FAILED") {
        job["stderrPath"] = row.url + "/stderr";
    }
    return job;
}

bool is_primary(const db::MetricRow& metric, const db::TrialRow& row) {
    // The engine stores the primary replica's records under the replica the agent names;
    // records of the local platform (no agent) carry "0". Non-primary replicas are kept but
    // never reach the tuner, so the trial's final metric tells which one the tuner saw.
    return metric.attempt == row.attempt;
}

}  // namespace tshost::portal
