#include "portal/views.hpp"

#include "engine/packed_parameter.hpp"

namespace tshost::portal {

using nlohmann::json;

json time_or_null(int64_t ms) {
    return ms == 0 ? json(nullptr) : json(ms);
}

std::string packed_parameters_text(const std::string& packed_json) {
    // pack_parameters() writes the keys sorted, so "parameters" is the last one and its value
    // runs to the closing brace; the keys before it hold numbers and a plain word
    // (parameter_source). Anything else (a hand-written row) takes the parser.
    static constexpr std::string_view kKey = ",\"parameters\":";
    const auto at = packed_json.find(kKey);
    if (packed_json.starts_with("{\"parameter_id\":") && at != std::string::npos &&
        packed_json.ends_with('}') && packed_json.find('\\') > at) {
        const size_t start = at + kKey.size();
        return packed_json.substr(start, packed_json.size() - 1 - start);
    }
    return engine::unpack_parameters(packed_json).dump();
}

namespace {

std::string quoted(const std::string& text) {
    return json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string time_text(int64_t ms) {
    return ms == 0 ? "null" : std::to_string(ms);
}

// Appends one JSON object's members as text: the big lists are written without a DOM.
class ObjectText {
  public:
    explicit ObjectText(std::string& out) : out_(out) {}
    ~ObjectText() { out_ += first_ ? "{}" : "}"; }
    ObjectText(const ObjectText&) = delete;
    ObjectText& operator=(const ObjectText&) = delete;

    /// `value` is JSON text already.
    ObjectText& raw(std::string_view key, std::string_view value) {
        out_ += first_ ? "{\"" : ",\"";
        first_ = false;
        out_ += key;
        out_ += "\":";
        out_ += value;
        return *this;
    }
    ObjectText& text(std::string_view key, const std::string& value) {
        return raw(key, quoted(value));
    }
    ObjectText& number(std::string_view key, int64_t value) {
        return raw(key, std::to_string(value));
    }

  private:
    std::string& out_;
    bool first_ = true;
};

}  // namespace

void append_trial_json(std::string& out, const db::TrialRow& row) {
    ObjectText(out)
        .text("id", row.id)
        .number("sequenceId", row.sequence_id)
        .text("status", row.status)
        .number("attempt", row.attempt)
        .raw("submitTime", time_text(row.submit_time_ms))
        .raw("startTime", time_text(row.start_time_ms))
        .raw("endTime", time_text(row.end_time_ms))
        .raw("parameters", packed_parameters_text(row.parameters_json))
        .raw("finalMetric", row.final_metric ? json(*row.final_metric).dump() : "null")
        .text("jobName", row.job_name)
        .text("url", row.url)
        .text("message", row.message);
}

json trial_json(const db::TrialRow& row) {
    std::string text;
    append_trial_json(text, row);
    return json::parse(text);
}

json metric_point_json(const db::MetricRow& metric) {
    return {{"trialId", metric.trial_id},
            {"time", metric.time_ms},
            {"type", metric.type},
            {"sequence", metric.sequence},
            {"value", metric.default_value}};
}

void append_nni_metric(std::string& out, const db::MetricRow& metric, int64_t parameter_id) {
    ObjectText(out)
        .number("timestamp", metric.time_ms)
        .text("trialJobId", metric.trial_id)
        .text("parameterId", std::to_string(parameter_id))
        .text("type", metric.type)
        .number("sequence", metric.sequence)
        .text("data", json(metric.value_json).dump());  // double-encoded, as NNI stores it
}

void append_nni_trial_job(std::string& out, const db::TrialRow& row,
                          const std::vector<db::MetricRow>& finals) {
    ObjectText job(out);
    job.text("trialJobId", row.id)
        .number("sequenceId", row.sequence_id)
        .text("status", nni_status(row.status))
        .raw("startTime", time_text(row.start_time_ms))
        .raw("endTime", time_text(row.end_time_ms))
        .raw("hyperParameters", "[" + quoted(row.parameters_json) + "]")
        .text("logPath", row.url)
        .text("message", row.message)
        .text("envId", "");
    if (row.status == "SUCCEEDED") {
        std::string data = "[";
        for (const auto& metric : finals) {
            data += data.size() == 1 ? "" : ",";
            append_nni_metric(data, metric, row.parameter_id);
        }
        job.raw("finalMetricData", data + "]");
    }
    if (row.status == "FAILED") {
        job.text("stderrPath", row.url + "/stderr");
    }
}

std::string nni_status(const std::string& status) {
    // SUBMITTING is tshost's step before the platform accepted the trial: NNI's WAITING.
    return status == "SUBMITTING" ? "WAITING" : status;
}

bool is_primary(const db::MetricRow& metric, int current_attempt) {
    // Other replicas' records and earlier attempts' are kept (the trial detail lists them)
    // but never reached the tuner.
    return metric.primary && metric.attempt == current_attempt;
}

bool is_primary(const db::MetricRow& metric, const db::TrialRow& row) {
    return is_primary(metric, row.attempt);
}

std::vector<db::MetricRow> tuners_finals(std::vector<db::MetricRow> metrics,
                                         const db::TrialRow& row) {
    std::erase_if(metrics, [&row](const db::MetricRow& m) {
        return m.type != "FINAL" || !is_primary(m, row);
    });
    return metrics;
}

}  // namespace tshost::portal
