// The payload of a "trial.metric" event, as the engine reads it:
//   {"replica":"worker-0","seq":n,"data":"<NNI record text>","primary":true,"attempt":n}
// Every field is optional (plugins may send less); a field of the wrong type counts as
// absent, as does everything when the payload is not a JSON object.
//
// The metrics server writes every accepted record in exactly that form, so that form is
// read by a one-pass scanner (text/json_scanner.hpp); anything else (the journal's
// events, plugins' events, unusual spacing or escapes) by nlohmann, which decides. Both
// give the same result (tests/unit/engine/metric_event_test.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tshost::engine {

struct MetricEvent {
    std::optional<std::string> replica;
    std::optional<int64_t> seq;
    std::optional<std::string> data;
    std::optional<bool> primary;
    std::optional<int64_t> attempt;

    bool operator==(const MetricEvent&) const = default;
};

/// The scanner when it recognises the payload, else the reference.
MetricEvent decode_metric_event(std::string_view payload);
/// The reference (nlohmann): decides every payload.
MetricEvent decode_metric_event_json(std::string_view payload);
/// The server's form only: the reference's result for it, nullopt for anything else.
std::optional<MetricEvent> scan_metric_event(std::string_view payload);

}  // namespace tshost::engine
