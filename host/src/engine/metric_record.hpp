// NNI metric records as trials produce them. A bad record is rejected with a
// reason; it never stops the experiment (NNI puts the whole experiment into
// ERROR on one malformed line).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tshost::engine {

struct MetricRecord {
    std::string type;  // PERIODICAL, FINAL or REQUEST_PARAMETER
    int64_t sequence = 0;
    std::string value_json;  // the user's metric, decoded once: `0.93` or `{"default":0.93,...}`
    double default_value = 0;

    bool operator==(const MetricRecord&) const = default;
};

struct ParsedMetric {
    std::optional<MetricRecord> record;
    std::string rejection;  // why it was rejected, when record is empty

    bool operator==(const ParsedMetric&) const = default;
};

/// NNI's records are at most 1,000,000 bytes (the SDK asserts it).
inline constexpr size_t kMaxMetricRecordBytes = 1'000'000;

/// Parses `data` (the record text) and checks it belongs to `trial_id`.
///
/// Records in the form NNI's SDK writes, {"parameter_id": n|null, "trial_job_id": "…",
/// "type": "PERIODICAL"|"FINAL", "sequence": n, "value": "…"}, that are accepted, are read by
/// a one-pass scanner (scan_metric_record); everything else, and every rejection, by the
/// reference (parse_metric_record_json). Both give the same result.
ParsedMetric parse_metric_record(std::string_view data, std::string_view trial_id);
/// The reference (nlohmann): decides every record.
ParsedMetric parse_metric_record_json(std::string_view data, std::string_view trial_id);
/// The SDK's form of an accepted record: the reference's result; nullopt for anything else.
std::optional<ParsedMetric> scan_metric_record(std::string_view data, std::string_view trial_id);

}  // namespace tshost::engine
