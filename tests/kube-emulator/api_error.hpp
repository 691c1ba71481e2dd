// Kubernetes `Status` failures. Every error the emulator answers is one of these, so clients see
// the same kind/reason/code/details triple a real API server sends.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"

namespace kemu {

struct ResourceType;

struct ApiError {
    int code = 500;
    std::string reason;
    std::string message;
    json details = json::object();
    std::vector<std::pair<std::string, std::string>> headers;
};

/// The `kind: Status` body for an error.
json to_status(const ApiError& err);

/// One field error of an Invalid (422) answer: `field` is the path, `type` the k8s cause reason
/// (FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueForbidden, ...).
struct FieldCause {
    std::string type;
    std::string field;
    std::string message;
};

ApiError not_found(const ResourceType& rt, const std::string& name);
ApiError path_not_found();
ApiError already_exists(const ResourceType& rt, const std::string& name);
ApiError conflict(const ResourceType& rt, const std::string& name, const std::string& why);
ApiError invalid(const ResourceType& rt, const std::string& name,
                 const std::vector<FieldCause>& causes, const std::string& prefix = {});
ApiError bad_request(const std::string& message);
ApiError method_not_allowed(const std::string& message);
ApiError unsupported_media_type(const std::string& content_type);
ApiError expired(const std::string& message);
ApiError injected(int code, std::optional<int> retry_after_seconds);

/// A value or an ApiError (std::expected is C++23).
template <class T>
struct Result {
    std::optional<ApiError> error;
    T value{};

    Result(T v) : value(std::move(v)) {}         // NOLINT(google-explicit-constructor)
    Result(ApiError e) : error(std::move(e)) {}  // NOLINT(google-explicit-constructor)
    explicit operator bool() const { return !error; }
};

}  // namespace kemu
