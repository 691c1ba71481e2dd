// HTTP/1.1 (optionally TLS with required client certificates) server on Boost.Beast, single
// threaded. Watch responses are streamed as chunked newline-delimited JSON.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "http_types.hpp"
#include "loop.hpp"

namespace kemu {

struct ServerOptions {
    std::string host = "127.0.0.1";
    unsigned short port = 0;
    std::size_t body_limit = 3 * 1024 * 1024;
    std::size_t watch_queue_limit = 100000;  // a watcher this far behind is disconnected
    bool tls = false;
    std::string cert_pem, key_pem, client_ca_pem;
};

class HttpServer {
  public:
    /// Binds and listens; throws std::runtime_error when the address can't be used.
    HttpServer(Loop& loop, RequestHandler& handler, const ServerOptions& options);
    ~HttpServer();
    unsigned short port() const;
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace kemu
