// Signed HTTP requests to the File service over libcurl: a small pool of easy
// handles (so concurrent storage calls each get one and connections stay alive),
// Shared Key on every attempt, and retries with exponential backoff on throttling,
// server errors and lost connections, honouring Retry-After, bounded by a retry
// count and a deadline.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tshost/plugin.hpp>
#include <vector>

#include "shared_key.hpp"

namespace tshost::azure {

struct Endpoint {
    std::string origin;     // scheme://host[:port]
    std::string base_path;  // "" for <account>.file.<suffix>, "/<account>" for path-style URLs
};

struct RetryPolicy {
    int retries = 5;
    std::chrono::milliseconds timeout{120000};
};

struct Request {
    std::string method;          // GET, HEAD, PUT or DELETE
    std::string path;            // percent-encoded, below the base path, starting with '/'
    NameValues query;            // decoded
    NameValues headers;          // x-ms-* and standard headers beyond date, version and auth
    std::string_view body;       // sent with PUT
    const Sink* sink = nullptr;  // when set, a 2xx response body streams here
};

struct Response {
    long status = 0;
    std::map<std::string, std::string> headers;  // lowercase names
    std::string body;                            // unless streamed to the sink
    std::string header(const std::string& name) const;
    /// Azure's error code (x-ms-error-code or <Code> of the XML body).
    std::string error_code() const;
    /// Azure's <Message>, first line only.
    std::string error_message() const;
};

class Client {
  public:
    Client(Endpoint endpoint, std::string account, std::string key, RetryPolicy policy, Host host);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    /// Sends with retries. Returns the final response whatever its status, except
    /// that exhausted retries throw Error(TSH_ERR_TRANSIENT) and a stopping host
    /// Error(TSH_ERR_CANCELLED).
    Response send(const Request& request);
    /// The full URL of a path below the base path.
    std::string url(std::string_view path) const;

  private:
    struct Attempt;
    Attempt attempt(const Request& request, std::chrono::milliseconds budget);
    void* acquire();
    void release(void* handle);

    Endpoint endpoint_;
    std::string account_;
    std::string key_;  // decoded account key
    RetryPolicy policy_;
    Host host_;
    std::mutex pool_mutex_;
    std::vector<void*> pool_;
};

}  // namespace tshost::azure
