#include "engine/metric_event.hpp"

#include <limits>
#include <nlohmann/json.hpp>

#include "text/json_scanner.hpp"

namespace tshost::engine {
namespace {

using json = nlohmann::json;

constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();
// Longer replica names are legal in a plugin's event; the server writes at most 128.
constexpr size_t kMaxScannedReplicaChars = 1024;

}  // namespace

std::optional<MetricEvent> scan_metric_event(std::string_view payload) {
    text::JsonScanner in(payload);
    MetricEvent out;
    if (!in.punct('{') || !in.key("replica")) {
        return std::nullopt;
    }
    const auto replica = in.name(kMaxScannedReplicaChars);
    if (!replica || !in.punct(',') || !in.key("seq")) {
        return std::nullopt;
    }
    out.replica.emplace(*replica);
    out.seq = in.number(18, kMaxInt);
    if (!out.seq || !in.punct(',') || !in.key("data")) {
        return std::nullopt;
    }
    out.data.emplace();
    out.data->reserve(in.next_string_bytes());
    if (!in.string_decoded(*out.data, std::numeric_limits<size_t>::max()) || !in.punct(',') ||
        !in.key("primary")) {
        return std::nullopt;
    }
    out.primary = in.boolean();
    if (!out.primary || !in.punct(',') || !in.key("attempt")) {
        return std::nullopt;
    }
    out.attempt = in.number(18, kMaxInt);
    if (!out.attempt || !in.punct('}') || !in.at_end()) {
        return std::nullopt;
    }
    return out;
}

MetricEvent decode_metric_event_json(std::string_view payload) {
    const auto doc =
        json::parse(payload.begin(), payload.end(), nullptr, /*allow_exceptions=*/false);
    MetricEvent out;
    if (!doc.is_object()) {
        return out;
    }
    const auto string_field = [&](const char* key, std::optional<std::string>& field) {
        const auto it = doc.find(key);
        if (it != doc.end() && it->is_string()) {
            field = it->get<std::string>();
        }
    };
    const auto int_field = [&](const char* key, std::optional<int64_t>& field) {
        const auto it = doc.find(key);
        if (it != doc.end() && it->is_number_integer()) {
            field = it->get<int64_t>();
        }
    };
    string_field("replica", out.replica);
    int_field("seq", out.seq);
    string_field("data", out.data);
    if (const auto it = doc.find("primary"); it != doc.end() && it->is_boolean()) {
        out.primary = it->get<bool>();
    }
    int_field("attempt", out.attempt);
    return out;
}

MetricEvent decode_metric_event(std::string_view payload) {
    if (auto scanned = scan_metric_event(payload)) {
        return std::move(*scanned);
    }
    return decode_metric_event_json(payload);
}

}  // namespace tshost::engine
