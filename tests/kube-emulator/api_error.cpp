#include "api_error.hpp"

#include "resources.hpp"

namespace kemu {
namespace {

ApiError make(int code, std::string reason, std::string message, json details = json::object()) {
    return ApiError{code, std::move(reason), std::move(message), std::move(details), {}};
}

json object_details(const ResourceType& rt, const std::string& name) {
    json d = {{"name", name}, {"kind", rt.plural}};
    if (!rt.group.empty()) {
        d["group"] = rt.group;
    }
    return d;
}

}  // namespace

json to_status(const ApiError& err) {
    json s = {{"kind", "Status"},    {"apiVersion", "v1"},     {"metadata", json::object()},
              {"status", "Failure"}, {"message", err.message}, {"reason", err.reason},
              {"code", err.code}};
    if (!err.details.empty()) {
        s["details"] = err.details;
    }
    return s;
}

ApiError not_found(const ResourceType& rt, const std::string& name) {
    return make(404, "NotFound", rt.qualified() + " \"" + name + "\" not found",
                object_details(rt, name));
}

ApiError path_not_found() {
    return make(404, "NotFound", "the server could not find the requested resource");
}

ApiError already_exists(const ResourceType& rt, const std::string& name) {
    return make(409, "AlreadyExists", rt.qualified() + " \"" + name + "\" already exists",
                object_details(rt, name));
}

ApiError conflict(const ResourceType& rt, const std::string& name, const std::string& why) {
    return make(409, "Conflict",
                "Operation cannot be fulfilled on " + rt.qualified() + " \"" + name + "\": " + why,
                object_details(rt, name));
}

ApiError invalid(const ResourceType& rt, const std::string& name,
                 const std::vector<FieldCause>& causes, const std::string& prefix) {
    json details = {{"name", name}, {"kind", rt.kind}, {"causes", json::array()}};
    if (!rt.group.empty()) {
        details["group"] = rt.group;
    }
    std::string summary;
    for (const auto& c : causes) {
        details["causes"].push_back(
            {{"reason", c.type}, {"message", c.message}, {"field", c.field}});
        summary += (summary.empty() ? "" : ", ") + c.field + ": " + c.message;
    }
    const std::string kind_name = rt.group.empty() ? rt.kind : rt.kind + "." + rt.group;
    std::string message = kind_name + " \"" + name + "\" is invalid: ";
    if (causes.size() > 1) {
        message += "[" + summary + "]";
    } else {
        message += summary;
    }
    return make(422, "Invalid", prefix + message, std::move(details));
}

ApiError bad_request(const std::string& message) {
    return make(400, "BadRequest", message);
}

ApiError method_not_allowed(const std::string& message) {
    return make(405, "MethodNotAllowed", message);
}

ApiError unsupported_media_type(const std::string& content_type) {
    return make(415, "UnsupportedMediaType",
                "the body of the request was in an unknown format - "
                "accepted media types include: application/json, "
                "application/merge-patch+json, "
                "application/strategic-merge-patch+json, "
                "application/json-patch+json (got \"" +
                    content_type + "\")");
}

ApiError expired(const std::string& message) {
    return make(410, "Expired", message);
}

ApiError injected(int code, std::optional<int> retry_after_seconds) {
    ApiError e;
    e.code = code;
    switch (code) {
        case 429:
            e.reason = "TooManyRequests";
            e.message = "Too many requests, please try again later.";
            break;
        case 403:
            e.reason = "Forbidden";
            e.message = "forbidden: the client may not do this (injected)";
            break;
        case 409:
            e.reason = "Conflict";
            e.message = "injected conflict";
            break;
        case 410:
            e.reason = "Expired";
            e.message = "injected expiry";
            break;
        case 503:
            e.reason = "ServiceUnavailable";
            e.message = "the server is currently unable to handle the request (injected)";
            break;
        case 504:
            e.reason = "Timeout";
            e.message =
                "the server was unable to return a response in the time allotted (injected)";
            break;
        default:
            e.reason = "InternalError";
            e.message = "Internal error occurred: injected fault";
            break;
    }
    if (retry_after_seconds) {
        e.details["retryAfterSeconds"] = *retry_after_seconds;
        e.headers.emplace_back("Retry-After", std::to_string(*retry_after_seconds));
    }
    return e;
}

}  // namespace kemu
