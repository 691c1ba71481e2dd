// What the HTTP server hands to the API layer and gets back. No Beast types, so the API layer
// compiles without Beast.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kemu {

class WatchSink;

struct HttpRequest {
    std::string method;
    std::string path;  // percent-decoded, without the query
    std::map<std::string, std::string> query;
    std::string content_type;
    std::string accept;
    std::string body;
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    int delay_ms = 0;  // injected latency, applied by the server without blocking the loop
    /// Set for watch requests: called once the stream's headers are queued; returns the watch id
    /// (0 when the watch already ended, e.g. 410).
    std::function<std::uint64_t(const std::shared_ptr<WatchSink>&)> start_watch;
    int watch_timeout_seconds = 0;
};

class RequestHandler {
  public:
    virtual ~RequestHandler() = default;
    virtual HttpResponse handle(const HttpRequest& req) = 0;
    virtual void end_watch(std::uint64_t id) = 0;
};

}  // namespace kemu
