#include "metrics/push_body.hpp"

#include <limits>
#include <nlohmann/json.hpp>

#include "metrics/metrics_server.hpp"
#include "text/json_scanner.hpp"

namespace tshost::metrics {
namespace {

using json = nlohmann::json;

constexpr int64_t kMaxAttempt = std::numeric_limits<int32_t>::max();  // the DB stores an int

// Appends `decoded` as a JSON string. It came out of nlohmann's parser, so it is valid
// UTF-8: only the quote, the backslash and control characters need escaping.
void append_json_string(std::string& out, std::string_view decoded) {
    out += '"';
    size_t plain = 0;  // start of the run of characters copied as they are
    for (size_t i = 0; i < decoded.size(); ++i) {
        const auto c = static_cast<unsigned char>(decoded[i]);
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        out.append(decoded.substr(plain, i - plain));
        plain = i + 1;
        text::append_escaped_byte(out, c);
    }
    out.append(decoded.substr(plain));
    out += '"';
}

// An event payload is written directly rather than through a JSON DOM and dump(): this is
// the hot path, and the replica (checked charset) and numbers need no escaping. The record
// text goes between begin_payload() and end_payload(), as a JSON string.
// `data_size`: what the record text is expected to take, to allocate once.
void begin_payload(std::string& out, std::string_view replica, int64_t seq, size_t data_size) {
    out.reserve(data_size + data_size / 8 + replica.size() + 80);
    out += R"({"replica":")";
    out += replica;
    out += R"(","seq":)";
    out += std::to_string(seq);
    out += R"(,"data":)";
}

void end_payload(std::string& out, bool primary, int64_t attempt) {
    out += primary ? R"(,"primary":true,"attempt":)" : R"(,"primary":false,"attempt":)";
    out += std::to_string(attempt);
    out += '}';
}

ParsedPushBody refuse(std::optional<int64_t> attempt, std::string error) {
    return ParsedPushBody{attempt, std::move(error), {}};
}

// A non-negative integer that fits `max`, or nullopt (floats, strings, negatives, huge).
std::optional<int64_t> non_negative_integer(const json& value, int64_t max) {
    if (value.is_number_unsigned()) {
        const auto v = value.get<uint64_t>();
        return v <= static_cast<uint64_t>(max) ? std::optional(static_cast<int64_t>(v))
                                               : std::nullopt;
    }
    if (value.is_number_integer()) {
        const auto v = value.get<int64_t>();
        return v >= 0 && v <= max ? std::optional(v) : std::nullopt;
    }
    return std::nullopt;
}

}  // namespace

bool is_valid_name(std::string_view name, size_t max_chars) {
    if (name.empty() || name.size() > max_chars) {
        return false;
    }
    for (const char c : name) {
        if (!text::is_name_char(c)) {
            return false;
        }
    }
    return true;
}

// The agent's shape only; anything else is left to the reference (nullopt).
std::optional<ParsedPushBody> scan_push_body(std::string_view body) {
    text::JsonScanner in(body);
    if (!in.punct('{') || !in.key("attempt")) {
        return std::nullopt;
    }
    const auto attempt = in.number(10, kMaxAttempt);
    if (!attempt || !in.punct(',') || !in.key("replica")) {
        return std::nullopt;
    }
    const auto replica = in.name(MetricsServer::kMaxReplicaChars);
    if (!replica || !in.punct(',') || !in.key("primary")) {
        return std::nullopt;
    }
    const auto primary = in.boolean();
    if (!primary || !in.punct(',') || !in.key("records") || !in.punct('[')) {
        return std::nullopt;
    }
    ParsedPushBody out{attempt, {}, {}};
    if (!in.punct(']')) {
        do {
            if (!in.punct('{') || !in.key("seq")) {
                return std::nullopt;
            }
            // Longer numbers than 18 digits are left to the reference.
            const auto seq = in.number(18, std::numeric_limits<int64_t>::max());
            if (!seq || !in.punct(',') || !in.key("data")) {
                return std::nullopt;
            }
            std::string& payload = out.event_payloads.emplace_back();
            begin_payload(payload, *replica, *seq, in.next_string_bytes());
            if (!in.string_canonical(payload, kMaxRecordBytes) || !in.punct('}')) {
                return std::nullopt;
            }
            end_payload(payload, *primary, *attempt);
        } while (in.punct(','));
        if (!in.punct(']')) {
            return std::nullopt;
        }
    }
    if (!in.punct('}') || !in.at_end()) {
        return std::nullopt;
    }
    return out;
}

ParsedPushBody parse_push_body_json(std::string_view raw) {
    const auto body = json::parse(raw.begin(), raw.end(), nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) {
        return refuse(std::nullopt, "the body is not valid JSON");
    }
    if (!body.is_object()) {
        return refuse(std::nullopt, "the body must be a JSON object");
    }
    const auto attempt_it = body.find("attempt");
    const auto attempt =
        attempt_it == body.end() ? std::nullopt : non_negative_integer(*attempt_it, kMaxAttempt);
    if (!attempt) {
        return refuse(std::nullopt, "\"attempt\" must be a non-negative integer");
    }
    const auto replica = body.find("replica");
    if (replica == body.end() || !replica->is_string() ||
        !is_valid_name(replica->get_ref<const std::string&>(), MetricsServer::kMaxReplicaChars)) {
        return refuse(attempt,
                      "\"replica\" must be a string of 1-128 characters of [A-Za-z0-9_.-]");
    }
    const auto primary = body.find("primary");
    if (primary == body.end() || !primary->is_boolean()) {
        return refuse(attempt, "\"primary\" must be true or false");
    }
    const auto records = body.find("records");
    if (records == body.end() || !records->is_array()) {
        return refuse(attempt, "\"records\" must be an array");
    }
    // Validate every record before accepting any: a batch is accepted or refused whole, so
    // the agent's retry cannot half-duplicate it (the database deduplicates anyway).
    std::vector<int64_t> seqs;
    seqs.reserve(records->size());
    for (size_t i = 0; i < records->size(); ++i) {
        const auto& record = (*records)[i];
        const std::string where = "records[" + std::to_string(i) + "]";
        if (!record.is_object()) {
            return refuse(attempt, where + " must be an object");
        }
        const auto seq_it = record.find("seq");
        const auto seq = seq_it == record.end()
                             ? std::nullopt
                             : non_negative_integer(*seq_it, std::numeric_limits<int64_t>::max());
        if (!seq) {
            return refuse(attempt, where + ".seq must be a non-negative integer");
        }
        const auto data = record.find("data");
        if (data == record.end() || !data->is_string()) {
            return refuse(attempt, where + ".data must be a string");
        }
        if (data->get_ref<const std::string&>().size() > kMaxRecordBytes) {
            return refuse(attempt, where + ".data is over NNI's limit of 1,000,000 bytes");
        }
        seqs.push_back(*seq);
    }
    const std::string& replica_text = replica->get_ref<const std::string&>();
    ParsedPushBody out{attempt, {}, {}};
    out.event_payloads.reserve(seqs.size());
    for (size_t i = 0; i < seqs.size(); ++i) {
        const auto& data = (*records)[i]["data"].get_ref<const std::string&>();
        std::string& payload = out.event_payloads.emplace_back();
        begin_payload(payload, replica_text, seqs[i], data.size());
        append_json_string(payload, data);
        end_payload(payload, primary->get<bool>(), *attempt);
    }
    return out;
}

ParsedPushBody parse_push_body(std::string_view body) {
    if (auto scanned = scan_push_body(body)) {
        return std::move(*scanned);
    }
    return parse_push_body_json(body);
}

}  // namespace tshost::metrics
