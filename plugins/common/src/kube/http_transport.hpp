#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tshost/kube/cancel.hpp"

namespace tshost::kube {

struct TlsSettings {
    std::string ca_pem;  // empty: system trust store
    bool insecure_skip_tls_verify = false;
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::string> headers;  // "Name: value"
    std::string body;
    std::string client_cert_pem;  // both or neither
    std::string client_key_pem;
    std::chrono::milliseconds timeout{0};       // whole request; 0 = none (watches)
    std::chrono::milliseconds idle_timeout{0};  // no byte received for this long; 0 = none
    // Streaming: 2xx body bytes go here instead of HttpResult::body; return false to stop.
    std::function<bool(std::string_view)> on_data;
    const Cancellation* cancel = nullptr;
};

struct HttpResult {
    enum class Outcome {
        kOk,             // a response (any status) was received completely
        kConnectFailed,  // nothing was sent: safe to retry anything
        kTimeout,        // total or idle timeout
        kNetworkError,   // connection broke; the request may have been processed
        kTlsError,       // certificate/key/CA problem: retrying will not help
        kCancelled,
        kAborted,  // on_data asked to stop
    };
    Outcome outcome = Outcome::kOk;
    long status = 0;
    std::string body;
    std::string content_type;
    std::string retry_after;
    bool request_sent = false;  // any request bytes left this host
    std::string error;          // curl's description of a failure
};

// HTTP(S) over libcurl. Idle curl handles are pooled (each with its connection cache), so
// sequential requests reuse keep-alive connections; concurrent requests each get a handle.
// Every request runs on a curl multi handle, so Cancellation::cancel() wakes it at once.
class HttpTransport {
  public:
    HttpTransport(TlsSettings tls, std::chrono::milliseconds connect_timeout,
                  std::size_t max_idle_handles, std::string user_agent);
    ~HttpTransport();
    HttpTransport(const HttpTransport&) = delete;
    HttpTransport& operator=(const HttpTransport&) = delete;

    HttpResult perform(const HttpRequest& request);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tshost::kube
