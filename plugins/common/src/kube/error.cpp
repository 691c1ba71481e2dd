#include <map>

#include <nlohmann/json.hpp>

#include "kube/status_error.hpp"

namespace tshost::kube {

KubeError::KubeError(int code, std::string reason, std::string message)
    : std::runtime_error(message),
      code_(code),
      reason_(std::move(reason)),
      message_(std::move(message)) {}

bool KubeError::retryable() const noexcept {
    if (code_ == 0) {
        return reason_ == "ConnectionFailed" || reason_ == "Timeout";
    }
    return code_ == 429 || (code_ >= 500 && code_ != 501);
}

namespace {

std::string describe(const RequestContext& ctx) {
    std::string out = ctx.verb + " " + ctx.resource;
    if (!ctx.name.empty()) {
        out += " " + ctx.name;
    }
    if (!ctx.namespace_name.empty()) {
        out += " (namespace " + ctx.namespace_name + ")";
    }
    return out;
}

std::string defaultReason(long status) {
    static const std::map<long, std::string> kReasons = {{400, "BadRequest"},
                                                         {401, "Unauthorized"},
                                                         {403, "Forbidden"},
                                                         {404, "NotFound"},
                                                         {405, "MethodNotAllowed"},
                                                         {406, "NotAcceptable"},
                                                         {409, "Conflict"},
                                                         {410, "Expired"},
                                                         {413, "RequestEntityTooLarge"},
                                                         {415, "UnsupportedMediaType"},
                                                         {422, "Invalid"},
                                                         {429, "TooManyRequests"},
                                                         {500, "InternalError"},
                                                         {502, "BadGateway"},
                                                         {503, "ServiceUnavailable"},
                                                         {504, "Timeout"}};
    auto it = kReasons.find(status);
    return it != kReasons.end() ? it->second : "Unknown";
}

// Who to install when a custom resource type is not served.
std::string operatorHint(const RequestContext& ctx) {
    if (ctx.group == "frameworkcontroller.microsoft.com") {
        return "is FrameworkController installed?";
    }
    if (ctx.group == "kubeflow.org") {
        return "is the Kubeflow training-operator installed?";
    }
    if (ctx.group.empty()) {
        return "the API server does not serve this core resource version";
    }
    return "is the operator that provides the CRD " + ctx.resource + " installed?";
}

std::string oneLine(std::string_view text, std::size_t max) {
    std::string out;
    for (char c : text.substr(0, max)) {
        out.push_back(c == '\n' || c == '\r' ? ' ' : c);
    }
    if (text.size() > max) {
        out += "...";
    }
    return out;
}

std::string causesOf(const nlohmann::json& status) {
    std::string out;
    auto details = status.find("details");
    if (details == status.end() || !details->is_object() || !details->contains("causes") ||
        !(*details)["causes"].is_array()) {
        return out;
    }
    for (const auto& cause : (*details)["causes"]) {
        if (!cause.is_object()) {
            continue;
        }
        std::string field = cause.value("field", "");
        std::string message = cause.value("message", cause.value("reason", ""));
        if (!out.empty()) {
            out += "; ";
        }
        out += field.empty() ? message : field + ": " + message;
    }
    return out;
}

}  // namespace

KubeError statusError(const RequestContext& ctx, long http_status, std::string_view body,
                      const Redactor& redactor) {
    nlohmann::json status = nlohmann::json::parse(body, nullptr, false);
    bool is_status = status.is_object() && status.value("kind", "") == "Status";
    std::string reason = is_status ? status.value("reason", "") : "";
    if (reason.empty()) {
        reason = defaultReason(http_status);
    }
    std::string server_message = is_status ? status.value("message", "") : oneLine(body, 200);
    int code = static_cast<int>(http_status);

    std::string text = describe(ctx) + ": " + std::to_string(code) + " " + reason;
    std::string hint;
    if (http_status == 404 && !(is_status && reason == "NotFound" && status.contains("details"))) {
        // A Status with details names the missing object (or namespace); a bare 404 means the
        // resource type itself is not served: its CRD is not installed.
        hint = operatorHint(ctx);
    } else if (http_status == 403) {
        hint = "the credentials of context " +
               (ctx.context_name.empty() ? std::string("(in-cluster service account)")
                                         : ctx.context_name) +
               " may not " + ctx.verb + " " + ctx.resource +
               (ctx.namespace_name.empty() ? "" : " in namespace " + ctx.namespace_name);
    } else if (http_status == 401) {
        hint = "the API server rejected the credentials of context " +
               (ctx.context_name.empty() ? std::string("(in-cluster)") : ctx.context_name) +
               " (expired or revoked?)";
    }
    std::string causes = is_status ? causesOf(status) : "";
    if (!causes.empty()) {
        text += ": " + causes;
    } else if (!server_message.empty()) {
        text += ": " + server_message;
    }
    if (!hint.empty()) {
        text += " — " + hint;
    }
    return KubeError(code, reason, redactor.apply(text));
}

KubeError requestError(const RequestContext& ctx, std::string reason, std::string_view detail,
                       const Redactor& redactor) {
    std::string text = describe(ctx) + ": " + reason;
    if (!detail.empty()) {
        text += ": " + std::string(detail);
    }
    return KubeError(0, std::move(reason), redactor.apply(text));
}

}  // namespace tshost::kube
