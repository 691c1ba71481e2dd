#include "metrics/metrics_server.hpp"

#include <spdlog/spdlog.h>
#include <tshost/plugin.h>

#include <algorithm>
#include <atomic>
#include <boost/beast/http/status.hpp>
#include <chrono>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "http/server.hpp"
#include "metrics/push_body.hpp"
#include "metrics/verified_token.hpp"

namespace tshost::metrics {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;
using Request = tshost::http::Request;
using Response = tshost::http::Response;
using tshost::http::iequals;

constexpr std::string_view kHealthPath = "/tshost/v1/healthz";
constexpr std::string_view kTrialsPrefix = "/tshost/v1/trials/";
constexpr std::string_view kMetricsSuffix = "/metrics";
/// Bodies buffered at once by all connections together: 1024 connections each sending
/// 8 MiB would otherwise be 8 GiB, and the body is read before the token can be checked
/// (the attempt it is bound to is in the body). The transport enforces it.
constexpr size_t kMaxBufferedBodyBytes = 16u << 20;

bool is_hex_token(std::string_view token) {
    if (token.size() != TrialTokens::kTokenChars) {
        return false;
    }
    for (const char c : token) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// What the path names.
struct Route {
    enum Kind { kHealth, kMetrics, kBadTrialId, kUnknown } kind = kUnknown;
    std::string trial_id;  // for kMetrics
};

Route route_of(std::string_view target) {
    if (const auto query = target.find('?'); query != std::string_view::npos) {
        target = target.substr(0, query);
    }
    if (target == kHealthPath) {
        return {Route::kHealth, {}};
    }
    if (target.size() > kTrialsPrefix.size() + kMetricsSuffix.size() &&
        target.starts_with(kTrialsPrefix) && target.ends_with(kMetricsSuffix)) {
        const auto id = target.substr(kTrialsPrefix.size(),
                                      target.size() - kTrialsPrefix.size() - kMetricsSuffix.size());
        if (id.find('/') != std::string_view::npos) {
            return {Route::kUnknown, {}};
        }
        if (!is_valid_name(id, MetricsServer::kMaxTrialIdChars)) {
            return {Route::kBadTrialId, {}};
        }
        return {Route::kMetrics, std::string(id)};
    }
    return {Route::kUnknown, {}};
}

// What the metrics endpoint keeps besides the transport: the tokens, the queue, its own
// counters and the per-trial rejection counts.
struct Core {
    const TrialTokens& tokens;
    plugin::EventQueue& events;
    const MetricsServerOptions options;
    tshost::http::Server* transport = nullptr;

    struct Counters {
        std::atomic<uint64_t> accepted_requests{0}, accepted_records{0}, health_checks{0},
            token_verifications{0};
    } counters;

    mutable std::mutex trial_mutex;  // only taken on rejections, never on the good path
    std::map<std::string, uint64_t> rejections_by_trial;
    uint64_t untracked_rejections = 0;

    std::mutex log_mutex;
    std::chrono::steady_clock::time_point log_window_start{};
    int log_lines = 0;
    uint64_t log_suppressed = 0;

    Core(const TrialTokens& t, plugin::EventQueue& e, MetricsServerOptions o)
        : tokens(t), events(e), options(std::move(o)) {}

    static void bump(std::atomic<uint64_t>& counter) {
        counter.fetch_add(1, std::memory_order_relaxed);
    }

    bool draining() const { return transport != nullptr && transport->draining(); }

    // Counts a rejection per trial (the transport counts it per status) and logs its reason
    // for a trial's 1st, 10th, 100th, ... one, so a flood is visible in the log without
    // filling it. Never logs the token.
    void count_rejection(http::status status, const std::string& trial_id,
                         const std::string& reason) {
        if (trial_id.empty()) {
            spdlog::debug("metrics server: {} {}", static_cast<unsigned>(status), reason);
            return;
        }
        uint64_t count = 0;
        bool tracked = true;
        {
            std::lock_guard lock(trial_mutex);
            auto it = rejections_by_trial.find(trial_id);
            if (it == rejections_by_trial.end() &&
                rejections_by_trial.size() >= MetricsServer::kMaxTrackedTrials) {
                tracked = false;
                count = ++untracked_rejections;
            } else {
                if (it == rejections_by_trial.end()) {
                    it = rejections_by_trial.emplace(trial_id, 0).first;
                }
                count = ++it->second;
            }
        }
        if (!is_power_of_ten(count) || !may_log()) {
            return;
        }
        if (tracked) {
            spdlog::warn("metrics server: rejected a post for trial {} ({} so far): {} {}",
                         trial_id, count, static_cast<unsigned>(status), reason);
        } else {
            spdlog::warn(
                "metrics server: rejected a post for trial {} ({} rejections for "
                "untracked trials so far): {} {}",
                trial_id, count, static_cast<unsigned>(status), reason);
        }
    }

    // At most kLogLinesPerSecond rejection lines per second in all: the per-trial rule alone
    // would still log once for every new trial id a flood makes up.
    bool may_log() {
        static constexpr int kLogLinesPerSecond = 20;
        const auto now = std::chrono::steady_clock::now();
        uint64_t suppressed = 0;
        {
            std::lock_guard lock(log_mutex);
            if (now - log_window_start >= std::chrono::seconds(1)) {
                suppressed = std::exchange(log_suppressed, 0);
                log_window_start = now;
                log_lines = 0;
            }
            if (log_lines >= kLogLinesPerSecond) {
                ++log_suppressed;
                return false;
            }
            ++log_lines;
        }
        if (suppressed != 0) {
            spdlog::warn("metrics server: {} more rejection messages were suppressed", suppressed);
        }
        return true;
    }

    static bool is_power_of_ten(uint64_t n) {
        while (n >= 10 && n % 10 == 0) {
            n /= 10;
        }
        return n == 1;
    }

    bool queue_full() const {
        return options.max_queued_events != 0 && events.size() >= options.max_queued_events;
    }
};

/// One request to the metrics endpoint: decided at the header (on_header) or with its body
/// (handle); either way the answer ends up in response_.
class Exchange {
  public:
    Exchange(Core& server, const Request& request)
        : request_(request), route_(route_of(request.target)), server_(server) {}

    /// Everything that can be decided from the header is decided before buffering a body,
    /// so requests without a well-formed token cost no memory.
    std::optional<Response> on_header() {
        const Request& req = request_;
        switch (route_.kind) {
            case Route::kUnknown:
                reject(http::status::not_found, "no such path", true);
                break;
            case Route::kBadTrialId:
                reject(http::status::bad_request,
                       "the trial id in the path must be 1-128 characters of "
                       "[A-Za-z0-9_.-]",
                       true);
                break;
            case Route::kHealth:
                if (req.method != "GET") {
                    reject(http::status::method_not_allowed, "use GET", true, "GET");
                }
                break;
            case Route::kMetrics:
                if (req.method != "POST") {
                    reject(http::status::method_not_allowed, "use POST", true, "POST");
                } else if (server_.draining()) {
                    reject(http::status::service_unavailable, "the host is shutting down", true);
                } else if (!bearer_token(req)) {
                    reject(http::status::unauthorized,
                           "expected \"Authorization: Bearer <64 hex characters>\"", true);
                } else if (server_.queue_full()) {
                    reject(http::status::service_unavailable,
                           "the host is busy storing metrics; retry later", true);
                }
                break;
        }
        return std::move(response_);
    }

    Response take_response() { return std::move(*response_); }

    // The token of a well-formed "Authorization: Bearer <token>" header.
    std::optional<std::string_view> bearer_token(const Request& req) const {
        std::string_view value = req.header("authorization");
        constexpr std::string_view kScheme = "bearer ";
        if (value.size() <= kScheme.size() || !iequals(value.substr(0, kScheme.size()), kScheme)) {
            return std::nullopt;
        }
        value.remove_prefix(kScheme.size());
        while (!value.empty() && value.front() == ' ') {
            value.remove_prefix(1);
        }
        while (!value.empty() && value.back() == ' ') {
            value.remove_suffix(1);
        }
        if (!is_hex_token(value)) {
            return std::nullopt;
        }
        return value;
    }

    void handle() {
        const Request& req = request_;
        if (route_.kind == Route::kHealth) {
            Core::bump(server_.counters.health_checks);
            return respond(http::status::ok, R"({"status":"ok"})", false);
        }
        // Only the metrics path reaches here: everything else was answered at the header.
        auto body = parse_push_body(req.body());
        if (!body.attempt) {
            return reject(http::status::bad_request, body.error, false);
        }
        // The token proves who is posting; check it before answering about the rest of the
        // body, so an unauthenticated client learns nothing about what the host accepts.
        if (!verify_on_connection(server_.tokens, req.connection_state<VerifiedToken>(),
                                  route_.trial_id, *body.attempt, *bearer_token(req),
                                  server_.counters.token_verifications)) {
            return reject(http::status::forbidden,
                          "the token is not valid for trial " + route_.trial_id + " attempt " +
                              std::to_string(*body.attempt),
                          false);
        }
        if (!body.error.empty()) {
            return reject(http::status::bad_request, body.error, false);
        }
        const int64_t time = now_ms();
        std::vector<plugin::HostEvent> batch;
        batch.reserve(body.event_payloads.size());
        for (auto& payload : body.event_payloads) {
            batch.push_back(plugin::HostEvent{"metrics", TSH_EVENT_TRIAL_METRIC, route_.trial_id,
                                              std::move(payload), time});
        }
        const size_t accepted = batch.size();
        server_.events.push_many(std::move(batch));
        Core::bump(server_.counters.accepted_requests);
        server_.counters.accepted_records.fetch_add(accepted, std::memory_order_relaxed);
        respond(http::status::ok, R"({"accepted":)" + std::to_string(accepted) + "}", false);
    }

    void reject(http::status status, const std::string& reason, bool close,
                const char* allow = nullptr) {
        server_.count_rejection(status, route_.kind == Route::kMetrics ? route_.trial_id : "",
                                reason);
        respond(status, json{{"error", reason}}.dump(), close);
        if (allow != nullptr) {
            response_->headers.emplace_back("Allow", allow);
        }
    }

    void respond(http::status status, std::string body, bool close) {
        response_ = Response::json(static_cast<unsigned>(status), std::move(body));
        response_->close = close;
    }

    const Request& request_;
    Route route_;
    Core& server_;
    std::optional<Response> response_;
};

class MetricsHandler : public tshost::http::Handler {
  public:
    explicit MetricsHandler(Core& core) : core_(core) {}

    std::optional<Response> on_header(const Request& head) override {
        return Exchange(core_, head).on_header();
    }

    Response handle(const Request& request) override {
        Exchange exchange(core_, request);
        exchange.handle();
        return exchange.take_response();
    }

    void on_transport_error(const Request* head, unsigned status,
                            const std::string& reason) override {
        const Route route = head != nullptr ? route_of(head->target) : Route{};
        core_.count_rejection(static_cast<http::status>(status),
                              route.kind == Route::kMetrics ? route.trial_id : "", reason);
    }

  private:
    Core& core_;
};

tshost::http::ServerOptions transport_options(const MetricsServerOptions& o) {
    tshost::http::ServerOptions t;
    t.name = "metrics server";
    t.bind_address = o.bind_address;
    t.port = o.port;
    t.threads = o.threads;
    t.body_limit = o.body_limit;
    t.header_limit = o.header_limit;
    t.request_timeout = o.request_timeout;
    t.max_connections = o.max_connections;
    t.max_buffered_body_bytes = kMaxBufferedBodyBytes;
    t.busy_message = "the host is busy receiving metrics; retry later";
    t.keep_alive = o.keep_alive;
    t.tls = o.tls;
    return t;
}

}  // namespace

struct MetricsServer::Impl {
    Impl(const TrialTokens& tokens, plugin::EventQueue& events, MetricsServerOptions options)
        : core(tokens, events, std::move(options)),
          handler(core),
          transport(handler, transport_options(core.options)) {
        core.transport = &transport;
    }
    Core core;
    MetricsHandler handler;
    tshost::http::Server transport;
};

MetricsServer::MetricsServer(const TrialTokens& tokens, plugin::EventQueue& events,
                             MetricsServerOptions options)
    : impl_(std::make_unique<Impl>(tokens, events, std::move(options))) {}

MetricsServer::~MetricsServer() {
    stop();
}

void MetricsServer::start() {
    impl_->transport.start();
}

uint16_t MetricsServer::port() const {
    return impl_->transport.port();
}

void MetricsServer::drain() {
    impl_->transport.drain();
}

void MetricsServer::stop() {
    impl_->transport.stop();
}

MetricsServerStats MetricsServer::stats() const {
    const auto t = impl_->transport.stats();
    const auto& c = impl_->core.counters;
    MetricsServerStats s;
    s.requests = t.requests;
    s.accepted_requests = c.accepted_requests.load();
    s.accepted_records = c.accepted_records.load();
    s.health_checks = c.health_checks.load();
    s.token_verifications = c.token_verifications.load();
    // 500 (a bug) is counted with the 400s, as it always was.
    s.bad_request = t.responses(400) + t.responses(500);
    s.unauthorized = t.responses(401);
    s.forbidden = t.responses(403);
    s.not_found = t.responses(404);
    s.method_not_allowed = t.responses(405);
    s.payload_too_large = t.responses(413);
    s.header_too_large = t.responses(431);
    s.unavailable = t.responses(503);
    s.connections_accepted = t.connections_accepted;
    s.connections_refused = t.connections_refused;
    s.connections_timed_out = t.connections_timed_out;
    s.active_connections = t.active_connections;
    s.tls_handshake_failures = t.tls_handshake_failures;
    std::lock_guard lock(impl_->core.trial_mutex);
    s.rejections_by_trial = impl_->core.rejections_by_trial;
    s.untracked_rejections = impl_->core.untracked_rejections;
    return s;
}

}  // namespace tshost::metrics
