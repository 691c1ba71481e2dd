// Fault injection and counters. Tests drive them through /_control/ endpoints
// (no authentication; loopback only) or the --fail-next/--fail-status flags:
//   POST /_control/faults?status=503&count=3&retryAfter=1   next 3 requests get 503
//   POST /_control/faults?status=0&count=1                  next request: connection closed
//   GET  /_control/stats   {"requests":n,"authFailures":n,"faultsInjected":n}
#pragma once

#include <optional>
#include <string>

#include "request.hpp"

namespace azemu {

struct Faults {
    int pending = 0;
    int status = 503;       // 0 closes the connection without an answer
    int retry_after_s = 1;  // <0: no Retry-After header
    long requests = 0;
    long auth_failures = 0;
    long injected = 0;
};

/// What to do with a request a fault applies to.
struct FaultAction {
    bool drop = false;  // close the connection
    HttpResponse response;
};

/// Handles /_control/ requests; std::nullopt for any other target.
std::optional<HttpResponse> handle_control(Faults& faults, const HttpRequest& req);
/// Consumes one pending fault, if any.
std::optional<FaultAction> take_fault(Faults& faults, const HttpRequest& req);

}  // namespace azemu
