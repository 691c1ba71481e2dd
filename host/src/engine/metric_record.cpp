#include "engine/metric_record.hpp"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "text/json_scanner.hpp"

namespace tshost::engine {
namespace {

ParsedMetric reject(std::string reason) {
    return ParsedMetric{std::nullopt, std::move(reason)};
}

// NNI's extract_scalar_reward: a number, or an object whose "default" is a number.
std::optional<double> scalar_of(const nlohmann::json& value) {
    if (value.is_number()) {
        return value.get<double>();
    }
    if (value.is_object()) {
        const auto it = value.find("default");
        if (it != value.end() && it->is_number()) {
            return it->get<double>();
        }
    }
    return std::nullopt;
}

// The user's metric from the text of "value": what the reference makes of it when it is
// accepted, nullopt when it is not.
std::optional<MetricRecord> accepted_value(std::string_view text, MetricRecord out) {
    const auto metric = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    const auto scalar = scalar_of(metric);
    if (metric.is_discarded() || !scalar || !std::isfinite(*scalar)) {
        return std::nullopt;
    }
    out.value_json = metric.dump();
    out.default_value = *scalar;
    return out;
}

}  // namespace

std::optional<ParsedMetric> scan_metric_record(std::string_view data, std::string_view trial_id) {
    if (data.size() > kMaxMetricRecordBytes) {
        return std::nullopt;
    }
    text::JsonScanner in(data);
    if (!in.punct('{') || !in.key("parameter_id")) {
        return std::nullopt;
    }
    if (!in.null() && !in.number(18, std::numeric_limits<int64_t>::max())) {
        return std::nullopt;
    }
    if (!in.punct(',') || !in.key("trial_job_id")) {
        return std::nullopt;
    }
    const auto id = in.name(kMaxMetricRecordBytes);
    if (!id || *id != trial_id || !in.punct(',') || !in.key("type")) {
        return std::nullopt;
    }
    const auto type = in.name(16);
    if (!type || (*type != "PERIODICAL" && *type != "FINAL") || !in.punct(',') ||
        !in.key("sequence")) {
        return std::nullopt;
    }
    MetricRecord out;
    out.type = *type;
    const auto sequence = in.number(18, std::numeric_limits<int64_t>::max());
    if (!sequence || !in.punct(',') || !in.key("value")) {
        return std::nullopt;
    }
    out.sequence = *sequence;
    std::string value;
    value.reserve(in.next_string_bytes());
    if (!in.string_decoded(value, kMaxMetricRecordBytes) || !in.punct('}') || !in.at_end()) {
        return std::nullopt;
    }
    auto record = accepted_value(value, std::move(out));
    if (!record) {
        return std::nullopt;
    }
    return ParsedMetric{std::move(record), {}};
}

ParsedMetric parse_metric_record(std::string_view data, std::string_view trial_id) {
    if (auto scanned = scan_metric_record(data, trial_id)) {
        return std::move(*scanned);
    }
    return parse_metric_record_json(data, trial_id);
}

ParsedMetric parse_metric_record_json(std::string_view data, std::string_view trial_id) {
    if (data.size() > kMaxMetricRecordBytes) {
        return reject("record of " + std::to_string(data.size()) +
                      " bytes exceeds NNI's limit of " + std::to_string(kMaxMetricRecordBytes));
    }
    const auto record = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
    if (!record.is_object()) {
        return reject("not a JSON object");
    }
    const auto id = record.find("trial_job_id");
    if (id == record.end() || !id->is_string() || *id != trial_id) {
        return reject("trial_job_id " + (id != record.end() ? id->dump() : std::string("missing")) +
                      " does not match trial " + std::string(trial_id));
    }
    const auto type = record.find("type");
    if (type == record.end() || !type->is_string()) {
        return reject("no \"type\"");
    }
    MetricRecord out;
    out.type = type->get<std::string>();
    if (out.type == "REQUEST_PARAMETER") {
        return ParsedMetric{std::move(out), {}};
    }
    if (out.type != "PERIODICAL" && out.type != "FINAL") {
        return reject("unknown type \"" + out.type + "\" (PERIODICAL or FINAL)");
    }
    const auto sequence = record.find("sequence");
    if (sequence != record.end() && sequence->is_number_integer()) {
        out.sequence = sequence->get<int64_t>();
    }
    const auto value = record.find("value");
    if (value == record.end()) {
        return reject("no \"value\"");
    }
    // The SDK double-encodes: "value" is a string holding JSON text. Accept an
    // already-decoded value too, as other SDKs send.
    nlohmann::json metric = *value;
    if (value->is_string()) {
        metric = nlohmann::json::parse(value->get<std::string>(), nullptr, false);
        if (metric.is_discarded()) {
            // json_tricks writes NaN/Infinity as bare words.
            const auto& text = value->get_ref<const std::string&>();
            if (text == "NaN" || text == "Infinity" || text == "-Infinity") {
                return reject("value is " + text + ", not a finite number");
            }
            return reject("value is not JSON: " + text.substr(0, 80));
        }
    }
    const auto scalar = scalar_of(metric);
    if (!scalar || !std::isfinite(*scalar)) {
        return reject("value has no finite numeric \"default\": " + metric.dump().substr(0, 80));
    }
    out.value_json = metric.dump();
    out.default_value = *scalar;
    return ParsedMetric{std::move(out), {}};
}

}  // namespace tshost::engine
