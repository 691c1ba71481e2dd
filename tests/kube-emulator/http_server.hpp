// HTTP/1.1 (optionally TLS with client-certificate authentication) server on Boost.Beast, single
// threaded. Watch responses are streamed as chunked newline-delimited JSON.
#pragma once

#include <cstddef>
#include <cstdint>
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
    /// HTTPS. Like kube-apiserver with --client-ca-file and --anonymous-auth=false: the handshake
    /// asks for a client certificate but does not require one; a request on a connection without
    /// a certificate the client CA signed is answered 401 Unauthorized (a Status object).
    bool tls = false;
    std::string cert_pem, key_pem, client_ca_pem;
};

/// Connection-level counters (GET /emulator/v1/stats reports them): tests assert that clients
/// reuse connections and that TLS handshakes happen once per connection.
struct ServerCounters {
    std::uint64_t connections = 0;             // TCP connections accepted
    std::uint64_t tls_handshakes = 0;          // completed TLS handshakes
    std::uint64_t tls_handshake_failures = 0;  // handshakes that failed (e.g. client rejected us)
    std::uint64_t unauthorized = 0;            // requests answered 401 (no valid client cert)
};

class HttpServer {
  public:
    /// Binds and listens; throws std::runtime_error when the address can't be used.
    HttpServer(Loop& loop, RequestHandler& handler, const ServerOptions& options);
    ~HttpServer();
    unsigned short port() const;
    const ServerCounters& counters() const;
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace kemu
