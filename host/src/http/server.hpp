// The host's HTTP transport (Boost.Beast, in server.cpp only): accept loop, connection
// limit, one deadline per request against slow clients, keep-alive, optional TLS, a budget
// for buffered bodies, counters, and streaming responses (Server-Sent Events). What a request
// means is a Handler's business: the trial-metrics endpoint and the portal each plug one in.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tshost::http {

/// TLS on a server: each connection starts with the handshake, which must finish within
/// request_timeout like a request; a client that does not complete it is closed without an
/// answer and counted in tls_handshake_failures. TLS 1.2 or 1.3; no client certificates.
struct TlsOptions {
    std::string certificate_chain_file;  // PEM: the server certificate, then any intermediates
    std::string private_key_file;        // PEM
};

struct ServerOptions {
    std::string name = "http server";  // in log lines and error messages
    std::string bind_address = "127.0.0.1";
    uint16_t port = 0;  // 0: the kernel picks a free port; see Server::port()
    int threads = 1;
    size_t body_limit = 8u << 20;
    size_t header_limit = 16u << 10;
    /// A request (header and body) must arrive within this time of the previous response or
    /// of the connection's start; an idle keep-alive connection is closed after it too. The
    /// deadline is not extended per byte (slowloris). Checked every timeout/4 (10 ms to 1 s).
    /// A streaming response's pending write must also complete within it.
    std::chrono::milliseconds request_timeout{15'000};
    /// Connections beyond this many are closed as soon as they are accepted.
    size_t max_connections = 1024;
    /// Bodies buffered at once by all connections together; a request that would go over
    /// is answered 503 with busy_message (one request may always proceed, however large).
    size_t max_buffered_body_bytes = 16u << 20;
    std::string busy_message = "the server is busy receiving requests; retry later";
    bool keep_alive = true;  // false: close each connection after its response
    std::optional<TlsOptions> tls;
    /// Bytes a streaming response may have queued and unsent; a client that reads slower
    /// than the server sends is closed when it goes over.
    size_t stream_buffer_limit = 4u << 20;
    /// At stop(), how long streams their feeder closed may take to send what they queued (the
    /// last events of an experiment), before every connection is cut.
    std::chrono::milliseconds stream_drain_timeout{1000};
};

struct ServerStats {
    uint64_t requests = 0;                   // responses sent, whatever the status
    std::map<unsigned, uint64_t> by_status;  // responses per status (non-zero ones)
    uint64_t connections_accepted = 0;
    uint64_t connections_refused = 0;  // closed at once: over max_connections or draining
    uint64_t connections_timed_out = 0;
    uint64_t active_connections = 0;
    uint64_t tls_handshake_failures = 0;  // not counting handshakes cut by the deadline

    uint64_t responses(unsigned status) const {
        const auto it = by_status.find(status);
        return it == by_status.end() ? 0 : it->second;
    }
};

/// What a handler keeps for one connection between its requests (a credential it has
/// verified, say), destroyed with the connection. A connection's requests are handled one at
/// a time, so the state needs no lock. See Request::connection_state().
class ConnectionState {
  public:
    virtual ~ConnectionState() = default;
};

/// Where a request's header fields are looked up: the transport's parsed message, read in
/// place rather than copied into strings for every request.
class HeaderSource {
  public:
    /// The first value of the field `name` (matched ASCII case-insensitively); "" when absent.
    virtual std::string_view find(std::string_view name) const = 0;

  protected:
    ~HeaderSource() = default;
};

/// A request as handlers see it.
struct Request {
    std::string method;  // "GET", "POST", ...
    std::string target;  // as sent: path and query
    std::string path;    // target before '?'
    std::string query;   // target after '?', without it
    unsigned version = 11;
    std::string content;  // the body; empty in Handler::on_header
    const std::string& body() const { return content; }
    /// The body's length as declared in the header (nullopt: chunked or none).
    std::optional<uint64_t> content_length;
    /// Set by the transport (null in a Request made by hand): the header fields, valid while
    /// the handler runs, and the connection's slot for handler state.
    const HeaderSource* header_source = nullptr;
    std::unique_ptr<ConnectionState>* connection_slot = nullptr;

    /// A header's value ("" when absent); `name` matches in any case.
    std::string_view header(std::string_view name) const;
    /// The value of a query parameter, percent-decoded; nullopt when absent.
    std::optional<std::string> query_param(std::string_view name) const;

    /// The handler's state for this request's connection: the one stored by an earlier
    /// request on the connection, or a fresh State (replacing state of another type).
    /// Throws std::logic_error on a Request without a connection.
    template <class State>
    State& connection_state() const {
        if (connection_slot == nullptr) {
            throw std::logic_error("http::Request: no connection to keep state for");
        }
        auto* state = dynamic_cast<State*>(connection_slot->get());
        if (state == nullptr) {
            auto fresh = std::make_unique<State>();
            state = fresh.get();
            *connection_slot = std::move(fresh);
        }
        return *state;
    }
};

/// The sending half of a streaming response. Thread-safe; the server owns the connection,
/// whoever holds this only queues text for it.
class Stream {
  public:
    virtual ~Stream() = default;
    /// Queues `text`; false (and the connection closes) when the client is gone, the server
    /// stopped, or the client is more than stream_buffer_limit bytes behind.
    virtual bool send(std::string text) = 0;
    virtual bool open() const = 0;
    /// Ends the stream once what was sent has gone out (the write deadline still applies).
    virtual void close() = 0;
};

struct Response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool close = false;  // close the connection after this response
    /// Set for a streaming response: the header and `body` are sent without a length, then
    /// this receives the stream; the connection stays open until either side closes it.
    std::function<void(std::shared_ptr<Stream>)> on_stream;

    static Response json(unsigned status, std::string body);
    /// {"error": message}
    static Response error(unsigned status, std::string_view message);
};

class Handler {
  public:
    virtual ~Handler() = default;
    /// After the header, before any body is read: a response to answer at once (the
    /// connection then closes: its unread body would be taken for the next request), or
    /// nullopt to read the body and call handle().
    virtual std::optional<Response> on_header(const Request& head) {
        (void)head;
        return std::nullopt;
    }
    /// The whole request. An exception becomes 500 {"error":"internal error"} and is logged.
    virtual Response handle(const Request& request) = 0;
    /// The server answered an error itself (413, 431, 400 malformed HTTP, 503 busy, 500);
    /// `head` is the request's header when it was parsed. For counting.
    virtual void on_transport_error(const Request* head, unsigned status,
                                    const std::string& reason) {
        (void)head, (void)status, (void)reason;
    }
};

class Server {
  public:
    /// `handler` must outlive the server.
    Server(Handler& handler, ServerOptions options);
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    ~Server();  // stop()

    /// Binds, listens and starts the threads. Throws std::runtime_error naming the address
    /// when it cannot, or the files when options.tls names what cannot be loaded.
    void start();
    uint16_t port() const;  // the port listened on; 0 before start()
    /// From now on new connections are closed at once and keep-alive ends after the current
    /// response; the port stays open. Handlers may answer 503 (see draining()).
    void drain();
    bool draining() const;
    /// drain(), then closes the acceptor and every connection (streams too) and joins the
    /// threads. Idempotent.
    void stop();

    ServerStats stats() const;
    const ServerOptions& options() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// ASCII case-insensitive equality (header names, auth schemes).
bool iequals(std::string_view a, std::string_view b);

/// "%41b+c" -> "Ab c" (as in a query string); invalid escapes stay as they are.
std::string percent_decode(std::string_view text);

}  // namespace tshost::http
