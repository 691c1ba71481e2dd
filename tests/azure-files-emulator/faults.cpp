#include "faults.hpp"

namespace azemu {

std::optional<HttpResponse> handle_control(Faults& faults, const HttpRequest& req) {
    const Target target = parse_target(sv(req.target()));
    if (target.raw_path.rfind("/_control/", 0) != 0) {
        return std::nullopt;
    }
    HttpResponse res{http::status::ok, req.version()};
    res.keep_alive(req.keep_alive());
    res.set(http::field::content_type, "application/json");
    if (target.raw_path == "/_control/faults" && req.method() == http::verb::post) {
        faults.status = std::stoi(target.param("status").value_or("503"));
        faults.pending = std::stoi(target.param("count").value_or("1"));
        faults.retry_after_s = std::stoi(target.param("retryAfter").value_or("-1"));
        res.body() = "{}";
    } else if (target.raw_path == "/_control/stats" && req.method() == http::verb::get) {
        res.body() = "{\"requests\":" + std::to_string(faults.requests) +
                     ",\"authFailures\":" + std::to_string(faults.auth_failures) +
                     ",\"faultsInjected\":" + std::to_string(faults.injected) +
                     ",\"faultsPending\":" + std::to_string(faults.pending) + "}";
    } else {
        res.result(http::status::not_found);
        res.body() = "{\"error\":\"unknown control endpoint\"}";
    }
    res.prepare_payload();
    return res;
}

std::optional<FaultAction> take_fault(Faults& faults, const HttpRequest& req) {
    if (faults.pending <= 0) {
        return std::nullopt;
    }
    --faults.pending;
    ++faults.injected;
    FaultAction action;
    if (faults.status == 0) {
        action.drop = true;
        return action;
    }
    const auto status = static_cast<http::status>(faults.status);
    const bool busy = faults.status == 503 || faults.status == 429;
    action.response = azure_error(req, status, busy ? "ServerBusy" : "InternalError",
                                  busy ? "The server is busy."
                                       : "The server encountered an "
                                         "internal error.");
    if (faults.retry_after_s >= 0) {
        action.response.set(http::field::retry_after, std::to_string(faults.retry_after_s));
    }
    return action;
}

}  // namespace azemu
