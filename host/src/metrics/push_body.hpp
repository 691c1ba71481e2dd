// The body of a metrics push (POST /tshost/v1/trials/<trialId>/metrics), checked and turned
// into the payloads of the "trial.metric" events the engine stores:
//
//   {"attempt":0,"replica":"worker-0","primary":true,"records":[{"seq":0,"data":"..."}]}
//
// Two readers give the same result. parse_push_body_json() is the reference: nlohmann's
// parser, every check and every error message. scan_push_body() is the hot path: one pass
// over the bytes for the shape the trial agent writes (those keys in that order, JSON
// whitespace anywhere, plain numbers, strings that are valid UTF-8); on anything else it
// gives up (nullopt) and parse_push_body() falls back to the reference. It never rejects:
// every error, and so every error message, comes from the reference.
//
// No JSON library in this header: it is included by the server only, but cheaply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tshost::metrics {

/// NNI's limit on one metric record (the SDK asserts it), in decoded bytes.
inline constexpr size_t kMaxRecordBytes = 1'000'000;

struct ParsedPushBody {
    /// The attempt the body names, which binds the bearer token; nullopt when the body is
    /// refused before the token can be checked (then `error` says why).
    std::optional<int64_t> attempt;
    /// Why the body is refused (answered 400), or "" when it is accepted. The server checks
    /// the token first whenever `attempt` is set, so an unauthenticated client learns
    /// nothing about what else the host accepts.
    std::string error;
    /// When accepted: one "trial.metric" payload per record, in order:
    /// {"replica":"…","seq":n,"data":"<record text>","primary":b,"attempt":n}
    std::vector<std::string> event_payloads;

    bool operator==(const ParsedPushBody&) const = default;
};

/// The scanner when it recognises the body, else the reference.
ParsedPushBody parse_push_body(std::string_view body);
/// The reference reader (nlohmann): decides every body, valid or not.
ParsedPushBody parse_push_body_json(std::string_view body);
/// The fast reader: the same result as the reference for the bodies it recognises (all of
/// them valid), nullopt for everything else.
std::optional<ParsedPushBody> scan_push_body(std::string_view body);

/// 1-`max_chars` characters of [A-Za-z0-9_.-]: trial ids and replica names.
bool is_valid_name(std::string_view name, size_t max_chars);

}  // namespace tshost::metrics
