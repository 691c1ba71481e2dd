// The host's trial-metrics server (issue 7): trial agents POST batches of NNI metric
// records to it; each accepted record becomes one "trial.metric" HostEvent on the
// engine's EventQueue, which stores it in SQLite before the tuner sees it.
//
//   POST /tshost/v1/trials/<trialId>/metrics   Authorization: Bearer <token>
//        {"attempt":0,"replica":"worker-0","primary":true,"records":[{"seq":0,"data":"..."}]}
//   GET  /tshost/v1/healthz
//
// Responses: 200 {"accepted":n}; 400 {"error":"<what is wrong>"}; 401 no or malformed
// Authorization; 403 token not valid for this trial/attempt; 404; 405; 413 body over the
// limit; 431 header over the limit; 503 after drain()/stop() or while the queue is full.
// Every rejection is counted (totals, and per trial in a bounded map).
//
// The transport (accept loop, deadlines, limits, TLS) is http::Server; this file adds what
// the metrics path means. Beast/Asio stay in the .cpp files: this header is included by the
// CLI and the engine.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "http/server.hpp"
#include "metrics/trial_tokens.hpp"
#include "plugin/event_queue.hpp"

namespace tshost::metrics {

/// GET answers 200 without a token: what `tshost check --probe-image` has a pod fetch.
inline constexpr const char* kHealthzPath = "/tshost/v1/healthz";

/// TLS on the metrics port (metricsTls: the host generates a CA per experiment and puts only
/// its certificate where the agent can read it; see cli/trial_channel.cpp). Each connection
/// starts with the TLS handshake, which must finish within request_timeout like a request;
/// a client that does not complete it (no trust in the CA, plain HTTP) is closed without an
/// answer and counted in tls_handshake_failures. TLS 1.2 or 1.3; no client certificates
/// (the per-trial bearer token still authenticates each request).
using TlsOptions = http::TlsOptions;

struct MetricsServerOptions {
    /// All interfaces by default: the trials run in pods on other nodes, which reach the host
    /// through whatever address nniManagerIp names; binding only loopback would make the
    /// server unreachable for them. Set it (e.g. to nniManagerIp's interface or 127.0.0.1
    /// for the local platform) to narrow exposure; every request needs a token anyway.
    std::string bind_address = "0.0.0.0";
    uint16_t port = 0;  // 0: the kernel picks a free port; see MetricsServer::port()
    int threads = 1;    // Beast answers ~54k req/s on one thread here; more threads hardly help
    size_t body_limit = 8u << 20;     // the agent sends at most 4 MiB of records per request
    size_t header_limit = 16u << 10;  // a real request's header is ~200 bytes
    /// A request (header and body) must arrive within this time of the previous response or
    /// of the connection's start; an idle keep-alive connection is closed after it too. This
    /// is what cuts slow clients (slowloris): the deadline is not extended per byte received.
    /// Deadlines are checked every timeout/4 (10 ms to 1 s), so a late connection is cut
    /// between 1x and 1.25x the timeout.
    std::chrono::milliseconds request_timeout{15'000};
    /// Connections beyond this many are closed as soon as they are accepted.
    size_t max_connections = 1024;
    /// While the engine's queue holds more events than this, posts are answered 503 with
    /// Retry-After (the agent retries), so a fast producer cannot grow host memory without
    /// bound. 0: no limit.
    size_t max_queued_events = 20'000;
    bool keep_alive = true;  // false: close each connection after its response
    std::optional<TlsOptions> tls;
};

struct MetricsServerStats {
    uint64_t requests = 0;           // HTTP requests answered, whatever the status
    uint64_t accepted_requests = 0;  // 200 on the metrics path
    uint64_t accepted_records = 0;   // records pushed to the queue
    uint64_t health_checks = 0;      // 200 on healthz
    /// Tokens checked by their HMAC: a keep-alive connection that presents the token it
    /// proved before for the same trial attempt is not checked again.
    uint64_t token_verifications = 0;
    uint64_t bad_request = 0;         // 400: malformed HTTP or body
    uint64_t unauthorized = 0;        // 401
    uint64_t forbidden = 0;           // 403
    uint64_t not_found = 0;           // 404
    uint64_t method_not_allowed = 0;  // 405
    uint64_t payload_too_large = 0;   // 413
    uint64_t header_too_large = 0;    // 431
    uint64_t unavailable = 0;         // 503
    uint64_t connections_accepted = 0;
    uint64_t connections_refused = 0;  // closed at once: over max_connections or draining
    uint64_t connections_timed_out = 0;
    uint64_t active_connections = 0;
    uint64_t tls_handshake_failures = 0;  // not counting handshakes cut by the deadline
    /// Rejections (any non-2xx on the metrics path) per trial id named in the path, for at most
    /// kMaxTrackedTrials ids; rejections for further ids are only in the totals and in
    /// untracked_rejections.
    std::map<std::string, uint64_t> rejections_by_trial;
    uint64_t untracked_rejections = 0;

    uint64_t rejections() const {
        return bad_request + unauthorized + forbidden + not_found + method_not_allowed +
               payload_too_large + header_too_large + unavailable;
    }
};

class MetricsServer {
  public:
    static constexpr size_t kMaxTrackedTrials = 10'000;
    static constexpr size_t kMaxReplicaChars = 128;
    static constexpr size_t kMaxTrialIdChars = 128;

    /// `tokens` and `events` must outlive the server.
    MetricsServer(const TrialTokens& tokens, plugin::EventQueue& events,
                  MetricsServerOptions options = {});
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;
    ~MetricsServer();  // stop()

    /// Binds, listens and starts the threads. Throws std::runtime_error naming the address
    /// when it cannot (port in use, bad address), or the files when options.tls names a
    /// certificate or key that cannot be loaded.
    void start();
    /// The port listened on (the chosen one when options.port was 0); 0 before start().
    uint16_t port() const;
    /// From now on every request is answered 503 (Retry-After) and its connection closed,
    /// and new connections are closed at once; the port stays open so agents see a clean
    /// "come back later" and keep their records. The engine calls it while stopping.
    void drain();
    /// drain(), then closes the acceptor and every connection and joins the threads.
    /// Idempotent; records already answered 200 are in the queue.
    void stop();

    MetricsServerStats stats() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tshost::metrics
