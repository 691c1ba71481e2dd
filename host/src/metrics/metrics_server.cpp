#include "metrics/metrics_server.hpp"

#include <spdlog/spdlog.h>
#include <tshost/plugin.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <limits>
#include <list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "metrics/ok_response.hpp"
#include "metrics/push_body.hpp"
#include "metrics/verified_token_cache.hpp"

namespace tshost::metrics {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

constexpr std::string_view kHealthPath = kHealthzPath;
constexpr std::string_view kTrialsPrefix = "/tshost/v1/trials/";
constexpr std::string_view kMetricsSuffix = "/metrics";
/// Bodies buffered at once by all connections together: 1024 connections each sending
/// 8 MiB would otherwise be 8 GiB, and the body is read before the token can be checked
/// (the attempt it is bound to is in the body).
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

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) {
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

std::string_view sv(beast::string_view v) {
    return {v.data(), v.size()};
}

// What the sweeper needs of a session, whatever its stream type.
class SessionBase {
  public:
    virtual ~SessionBase() = default;
    virtual net::any_io_executor executor() = 0;
    /// On the session's strand: closes the connection if its deadline passed.
    virtual void expire_if_late(int64_t now) = 0;

    static int64_t steady_now() {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }
};

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Everything the sessions share: options, counters, the queue. MetricsServer::Impl adds the
// threads and the acceptor's lifetime.

struct Core {
    const TrialTokens& tokens;
    plugin::EventQueue& events;
    const MetricsServerOptions options;

    std::unique_ptr<net::ssl::context> tls;  // set when options.tls is; outlives the sessions
    std::unique_ptr<net::io_context> ioc;
    std::unique_ptr<tcp::acceptor> acceptor;
    std::unique_ptr<net::steady_timer> accept_backoff;
    std::unique_ptr<net::steady_timer> sweeper;
    std::vector<std::thread> threads;
    std::atomic<uint16_t> bound_port{0};
    std::atomic<bool> draining{false};
    std::mutex lifecycle;  // start() against stop()
    bool started = false;
    bool stopped = false;

    std::atomic<size_t> buffered_body_bytes{0};

    struct Counters {
        std::atomic<uint64_t> requests{0}, accepted_requests{0}, accepted_records{0},
            health_checks{0}, bad_request{0}, unauthorized{0}, forbidden{0}, not_found{0},
            method_not_allowed{0}, payload_too_large{0}, header_too_large{0}, unavailable{0},
            connections_accepted{0}, connections_refused{0}, connections_timed_out{0},
            active_connections{0}, tls_handshake_failures{0};
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

    std::atomic<uint64_t>& counter_for(http::status status) {
        switch (status) {
            case http::status::unauthorized:
                return counters.unauthorized;
            case http::status::forbidden:
                return counters.forbidden;
            case http::status::not_found:
                return counters.not_found;
            case http::status::method_not_allowed:
                return counters.method_not_allowed;
            case http::status::payload_too_large:
                return counters.payload_too_large;
            case http::status::request_header_fields_too_large:
                return counters.header_too_large;
            case http::status::service_unavailable:
                return counters.unavailable;
            default:
                return counters.bad_request;  // 400, and 500 (a bug) counted with them
        }
    }

    // Counts a rejection and logs its reason for a trial's 1st, 10th, 100th, ... one, so a
    // flood is visible in the log without filling it. Never logs the token.
    void count_rejection(http::status status, const std::string& trial_id,
                         const std::string& reason) {
        bump(counter_for(status));
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

    // Deadlines: each session stores its own (one atomic store per request); this one timer
    // walks the sessions a few times per timeout and cuts the late ones. Beast's per-operation
    // timeouts would arm and cancel a timer for every read and write, which cost ~10 % of
    // the throughput here.
    std::mutex sessions_mutex;
    std::list<std::weak_ptr<SessionBase>> sessions;

    std::chrono::milliseconds sweep_interval() const {
        return std::clamp(options.request_timeout / 4, std::chrono::milliseconds(10),
                          std::chrono::milliseconds(1'000));
    }
    void sweep();

    void accept();
    void on_accept(beast::error_code ec, tcp::socket socket);
};

/// One connection. Stream is PlainStream or TlsStream; with TLS the handshake comes first,
/// under the same deadline as a request, and everything after it is the same.
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
    static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
    using std::enable_shared_from_this<Session<Stream>>::shared_from_this;
    using std::enable_shared_from_this<Session<Stream>>::weak_from_this;

  public:
    /// `extra`: the ssl::context for a TlsStream, nothing for a PlainStream.
    template <class... Extra>
    Session(Core& server, tcp::socket&& socket, Extra&... extra)
        : stream_(std::move(socket), extra...), server_(server) {}

    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    ~Session() override {
        if (registered_) {
            std::lock_guard lock(server_.sessions_mutex);
            server_.sessions.erase(registration_);
        }
        release_body_budget();
        server_.counters.active_connections.fetch_sub(1, std::memory_order_relaxed);
    }

    net::any_io_executor executor() override { return stream_.get_executor(); }

    void run() {
        {
            std::lock_guard lock(server_.sessions_mutex);
            registration_ = server_.sessions.insert(server_.sessions.end(), weak_from_this());
            registered_ = true;
        }
        // Start on the connection's strand: with several threads, all of a session's
        // handlers must run one at a time.
        net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
            if constexpr (kTls) {
                self->handshake();
            } else {
                self->read();
            }
        });
    }

    /// On the session's strand, from the sweeper: closes the connection if its deadline
    /// passed. The pending operation then fails and its handler sees timed_out_.
    void expire_if_late(int64_t now) override {
        const int64_t deadline = deadline_.load(std::memory_order_relaxed);
        if (deadline == 0 || now < deadline || timed_out_) {
            return;
        }
        timed_out_ = true;
        Core::bump(server_.counters.connections_timed_out);
        beast::error_code ignored;
        socket().close(ignored);
    }

  private:
    tcp::socket& socket() { return beast::get_lowest_layer(stream_).socket(); }

    // TLS only. A client that never completes the handshake (or speaks plain HTTP) is cut
    // by the request deadline like a slow request; a failed handshake just closes: there is
    // no channel to answer on.
    void handshake() {
        set_deadline(server_.options.request_timeout);
        stream_.async_handshake(
            net::ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
                if (ec) {
                    if (!self->timed_out_) {
                        Core::bump(self->server_.counters.tls_handshake_failures);
                        spdlog::debug("metrics server: TLS handshake failed: {}", ec.message());
                    }
                    return self->close();
                }
                self->read();
            });
    }

    using Request = http::request<http::string_body>;

    void set_deadline(std::chrono::milliseconds timeout) {
        deadline_.store(steady_now() + std::chrono::nanoseconds(timeout).count(),
                        std::memory_order_relaxed);
    }

    void read() {
        parser_.emplace();
        parser_->body_limit(server_.options.body_limit);
        parser_->header_limit(static_cast<uint32_t>(
            std::min<size_t>(server_.options.header_limit, std::numeric_limits<uint32_t>::max())));
        route_ = {};
        // One deadline for the whole request, not renewed per byte: a client that trickles
        // its header or body is cut when it expires, as is an idle keep-alive connection.
        set_deadline(server_.options.request_timeout);
        http::async_read_header(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec) {
        if (ec) {
            return on_read_error(ec);
        }
        const Request& req = parser_->get();
        route_ = route_of(sv(req.target()));
        // Everything that can be decided from the header is decided before buffering a
        // body, so requests without a well-formed token cost no memory. These close the
        // connection: the unread body would otherwise be taken for the next request.
        switch (route_.kind) {
            case Route::kUnknown:
                return reject(http::status::not_found, "no such path", true);
            case Route::kBadTrialId:
                return reject(http::status::bad_request,
                              "the trial id in the path must be 1-128 characters of "
                              "[A-Za-z0-9_.-]",
                              true);
            case Route::kHealth:
                if (req.method() != http::verb::get) {
                    return reject(http::status::method_not_allowed, "use GET", true, "GET");
                }
                break;
            case Route::kMetrics:
                if (req.method() != http::verb::post) {
                    return reject(http::status::method_not_allowed, "use POST", true, "POST");
                }
                if (server_.draining.load()) {
                    return reject(http::status::service_unavailable, "the host is shutting down",
                                  true);
                }
                if (!bearer_token(req)) {
                    return reject(http::status::unauthorized,
                                  "expected \"Authorization: Bearer <64 hex characters>\"", true);
                }
                if (server_.queue_full()) {
                    return reject(http::status::service_unavailable,
                                  "the host is busy storing metrics; retry later", true);
                }
                if (!reserve_body_budget()) {
                    return reject(http::status::service_unavailable,
                                  "the host is busy receiving metrics; retry later", true);
                }
                break;
            default:
                break;
        }
        if (const auto expect = req[http::field::expect]; iequals(sv(expect), "100-continue")) {
            continue_.emplace(http::status::continue_, req.version());
            return http::async_write(stream_, *continue_,
                                     [self = shared_from_this()](beast::error_code wec, size_t) {
                                         if (wec) {
                                             return self->close();
                                         }
                                         self->read_body();
                                     });
        }
        // The body usually arrived with the header: parse it from the buffer at once rather
        // than through another asynchronous hop.
        if (!parser_->is_done() && buffer_.size() != 0) {
            parser_->eager(true);
            beast::error_code put_ec;
            const size_t used = parser_->put(buffer_.data(), put_ec);
            buffer_.consume(used);
            if (put_ec && put_ec != http::error::need_more) {
                return on_read_error(put_ec);
            }
        }
        if (parser_->is_done()) {
            return on_body({});
        }
        read_body();
    }

    void read_body() {
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, size_t) { self->on_body(ec); });
    }

    void on_body(beast::error_code ec) {
        if (ec) {
            return on_read_error(ec);
        }
        try {
            handle();
        } catch (const std::exception& e) {
            spdlog::error("metrics server: internal error handling a request: {}", e.what());
            reject(http::status::internal_server_error, "internal error", true);
        }
        release_body_budget();
    }

    void on_read_error(beast::error_code ec) {
        if (timed_out_) {
            return close();  // counted by expire_if_late()
        }
        if (ec == net::error::operation_aborted) {
            return;
        }
        if (ec == http::error::end_of_stream || ec == net::error::eof ||
            ec == net::error::connection_reset || ec == net::error::broken_pipe ||
            ec == net::ssl::error::stream_truncated || !parser_ ||
            (!parser_->got_some() && ec == http::error::partial_message)) {
            return close();  // the client went away between requests
        }
        if (ec == http::error::body_limit) {
            // A declared length over the limit fails while finishing the header, so
            // is_header_done() is false; the start line is parsed by then all the same.
            route_ = route_of(sv(parser_->get().target()));
            return reject(http::status::payload_too_large,
                          "the body is over the limit of " +
                              std::to_string(server_.options.body_limit) + " bytes",
                          true);
        }
        if (ec == http::error::header_limit) {
            return reject(http::status::request_header_fields_too_large,
                          "the header is over the limit of " +
                              std::to_string(server_.options.header_limit) + " bytes",
                          true);
        }
        if (ec.category() == net::error::get_ssl_category()) {
            return close();  // a TLS record error: nothing can be answered on this stream
        }
        // Anything else is a request Beast cannot parse; the stream cannot be resynchronised.
        reject(http::status::bad_request, "malformed HTTP request: " + ec.message(), true);
    }

    // The token of a well-formed "Authorization: Bearer <token>" header.
    std::optional<std::string_view> bearer_token(const Request& req) const {
        std::string_view value = sv(req[http::field::authorization]);
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
        const Request& req = parser_->get();
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
        if (!token_cache_.verify(server_.tokens, route_.trial_id, *body.attempt,
                                 *bearer_token(req))) {
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
        res_ = {};
        if (allow != nullptr) {
            res_.set(http::field::allow, allow);
        }
        if (status == http::status::unauthorized) {
            res_.set(http::field::www_authenticate, "Bearer");
        }
        if (status == http::status::service_unavailable) {
            res_.set(http::field::retry_after, "1");
            close = true;
        }
        respond(status, json{{"error", reason}}.dump(), close);
    }

    void respond(http::status status, std::string body, bool close) {
        Core::bump(server_.counters.requests);
        const bool keep_alive = !close && server_.options.keep_alive && parser_ &&
                                parser_->is_header_done() && parser_->get().keep_alive() &&
                                !server_.draining.load(std::memory_order_relaxed);
        const unsigned version =
            parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
        set_deadline(server_.options.request_timeout);
        const auto on_written = [self = shared_from_this(), keep_alive](beast::error_code ec,
                                                                        size_t) {
            if (ec) {
                return self->close();
            }
            if (!keep_alive) {
                return self->linger_close();
            }
            self->read();
        };
        if (status == http::status::ok && keep_alive && version == 11) {
            // The common answer, in bytes identical to Beast's (see ok_response.hpp).
            write_ok_response(ok_response_, body);
            return net::async_write(stream_, net::buffer(ok_response_), std::move(on_written));
        }
        if (status == http::status::ok) {
            res_ = {};
        }
        res_.result(status);
        res_.version(version);
        res_.set(http::field::content_type, "application/json");
        res_.body() = std::move(body);
        res_.keep_alive(keep_alive);
        res_.prepare_payload();
        http::async_write(stream_, res_, std::move(on_written));
    }

    bool reserve_body_budget() {
        const auto declared = parser_->content_length();
        // A chunked body's size is unknown until read; reserve the worst case.
        const size_t want =
            declared
                ? static_cast<size_t>(std::min<uint64_t>(*declared, server_.options.body_limit))
                : server_.options.body_limit;
        size_t current = server_.buffered_body_bytes.load();
        do {
            if (current + want > kMaxBufferedBodyBytes && current != 0) {
                return false;  // one request may always proceed, however large
            }
        } while (!server_.buffered_body_bytes.compare_exchange_weak(current, current + want));
        reserved_ = want;
        return true;
    }

    void release_body_budget() {
        if (reserved_ != 0) {
            server_.buffered_body_bytes.fetch_sub(reserved_);
            reserved_ = 0;
        }
    }

    // Closing a socket with unread input makes the kernel send a reset, which can destroy
    // the response before the client reads it (an early 413 or 401 while the client is still
    // sending its body). So stop sending, then discard input until the client closes, for
    // a bounded time and amount.
    void linger_close() {
        release_body_budget();
        beast::error_code ignored;
        // With TLS the response is out by now; the client reads it by its Content-Length, so
        // no close_notify is needed, and what is discarded below is raw TCP.
        socket().shutdown(tcp::socket::shutdown_send, ignored);
        set_deadline(std::min(server_.options.request_timeout, std::chrono::milliseconds(2'000)));
        // Enough for the rest of any body up to twice the limit; beyond, just close.
        linger_budget_ = 2 * server_.options.body_limit + server_.options.header_limit;
        linger_read();
    }

    void linger_read() {
        if (!discard_) {
            discard_ = std::make_unique<std::array<char, 16384>>();
        }
        beast::get_lowest_layer(stream_).async_read_some(
            net::buffer(*discard_), [self = shared_from_this()](beast::error_code ec, size_t n) {
                if (ec || n >= self->linger_budget_) {
                    return self->close();
                }
                self->linger_budget_ -= n;
                self->linger_read();
            });
    }

    void close() {
        release_body_budget();
        beast::error_code ignored;
        socket().shutdown(tcp::socket::shutdown_both, ignored);
        beast::get_lowest_layer(stream_).close();
    }

    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<http::response<http::empty_body>> continue_;
    http::response<http::string_body> res_;
    std::string ok_response_;  // the bytes of the last 200 written by write_ok_response()
    VerifiedTokenCache token_cache_;
    Route route_;
    size_t reserved_ = 0;
    size_t linger_budget_ = 0;
    std::atomic<int64_t> deadline_{0};  // steady-clock ns; written on the strand, read by sweep()
    bool timed_out_ = false;
    bool registered_ = false;
    std::list<std::weak_ptr<SessionBase>>::iterator registration_;
    std::unique_ptr<std::array<char, 16384>> discard_;
    Core& server_;
};

void Core::sweep() {
    sweeper->expires_after(sweep_interval());
    sweeper->async_wait([this](beast::error_code ec) {
        if (ec) {
            return;  // cancelled: stopping
        }
        const int64_t now = SessionBase::steady_now();
        {
            std::lock_guard lock(sessions_mutex);
            for (const auto& weak : sessions) {
                if (auto session = weak.lock()) {
                    net::post(session->executor(),
                              [session, now] { session->expire_if_late(now); });
                }
            }
        }
        sweep();
    });
}

void Core::accept() {
    // Each connection gets its own strand, so sessions need no locks with several threads.
    acceptor->async_accept(
        net::make_strand(*ioc),
        [this](beast::error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void Core::on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor->is_open()) {
        return;
    }
    if (ec) {
        // Typically EMFILE: accepting again at once would spin; retry shortly.
        spdlog::warn("metrics server: accept failed: {}", ec.message());
        accept_backoff->expires_after(std::chrono::milliseconds(100));
        accept_backoff->async_wait([this](beast::error_code wec) {
            if (!wec) {
                accept();
            }
        });
        return;
    }
    if (draining.load() ||
        counters.active_connections.load(std::memory_order_relaxed) >= options.max_connections) {
        // Closing at once (rather than not accepting) keeps the kernel's backlog moving, so
        // the excess clients learn quickly and retry, instead of hanging in SYN queues.
        bump(counters.connections_refused);
        beast::error_code ignored;
        socket.close(ignored);
    } else {
        bump(counters.connections_accepted);
        counters.active_connections.fetch_add(1, std::memory_order_relaxed);
        if (tls) {
            std::make_shared<Session<TlsStream>>(*this, std::move(socket), *tls)->run();
        } else {
            std::make_shared<Session<PlainStream>>(*this, std::move(socket))->run();
        }
    }
    accept();
}

}  // namespace

struct MetricsServer::Impl : Core {
    using Core::Core;
};

MetricsServer::MetricsServer(const TrialTokens& tokens, plugin::EventQueue& events,
                             MetricsServerOptions options)
    : impl_(std::make_unique<Impl>(tokens, events, std::move(options))) {}

MetricsServer::~MetricsServer() {
    stop();
}

void MetricsServer::start() {
    std::lock_guard lock(impl_->lifecycle);
    if (impl_->started) {
        throw std::logic_error("metrics server: already started");
    }
    const auto& options = impl_->options;
    if (options.tls) {
        // TLS 1.2 and 1.3 only; the certificate and key are read once, here.
        try {
            auto context = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
            context->set_options(net::ssl::context::default_workarounds |
                                 net::ssl::context::no_sslv2 | net::ssl::context::no_sslv3 |
                                 net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                                 net::ssl::context::single_dh_use);
            context->use_certificate_chain_file(options.tls->certificate_chain_file);
            context->use_private_key_file(options.tls->private_key_file, net::ssl::context::pem);
            impl_->tls = std::move(context);
        } catch (const std::exception& e) {
            throw std::runtime_error("metrics server: cannot load the TLS certificate " +
                                     options.tls->certificate_chain_file + " and key " +
                                     options.tls->private_key_file + ": " + e.what());
        }
    }
    const int threads = std::max(1, options.threads);
    impl_->ioc = std::make_unique<net::io_context>(threads);
    impl_->accept_backoff = std::make_unique<net::steady_timer>(*impl_->ioc);
    impl_->sweeper = std::make_unique<net::steady_timer>(*impl_->ioc);
    const std::string where = options.bind_address + ":" + std::to_string(options.port);
    try {
        const auto address = net::ip::make_address(options.bind_address);
        const tcp::endpoint endpoint(address, options.port);
        auto acceptor = std::make_unique<tcp::acceptor>(*impl_->ioc);
        acceptor->open(endpoint.protocol());
        acceptor->set_option(net::socket_base::reuse_address(true));
        acceptor->bind(endpoint);
        acceptor->listen(net::socket_base::max_listen_connections);
        impl_->bound_port = acceptor->local_endpoint().port();
        impl_->acceptor = std::move(acceptor);
    } catch (const std::exception& e) {
        impl_->accept_backoff.reset();
        impl_->sweeper.reset();
        impl_->ioc.reset();
        throw std::runtime_error("metrics server: cannot listen on " + where + ": " + e.what());
    }
    impl_->started = true;
    impl_->accept();
    impl_->sweep();
    for (int i = 0; i < threads; ++i) {
        impl_->threads.emplace_back([this] {
            // A handler that throws must not end the thread (the server would go deaf) nor
            // the process; handlers catch their own errors, this is the last line.
            for (;;) {
                try {
                    impl_->ioc->run();
                    return;
                } catch (const std::exception& e) {
                    spdlog::error("metrics server: {}", e.what());
                }
            }
        });
    }
    spdlog::info("metrics server listening on {}:{}", options.bind_address,
                 impl_->bound_port.load());
}

uint16_t MetricsServer::port() const {
    return impl_->bound_port.load();
}

void MetricsServer::drain() {
    impl_->draining = true;
}

void MetricsServer::stop() {
    std::lock_guard lock(impl_->lifecycle);
    impl_->draining = true;
    if (!impl_->started || impl_->stopped) {
        return;
    }
    impl_->stopped = true;
    impl_->ioc->stop();
    for (auto& thread : impl_->threads) {
        thread.join();
    }
    impl_->threads.clear();
    // Destroying the context destroys the pending handlers, which hold the last references
    // to the sessions: their sockets close here.
    impl_->acceptor.reset();
    impl_->accept_backoff.reset();
    impl_->sweeper.reset();
    impl_->ioc.reset();
}

MetricsServerStats MetricsServer::stats() const {
    const auto& c = impl_->counters;
    MetricsServerStats s;
    s.requests = c.requests.load();
    s.accepted_requests = c.accepted_requests.load();
    s.accepted_records = c.accepted_records.load();
    s.health_checks = c.health_checks.load();
    s.bad_request = c.bad_request.load();
    s.unauthorized = c.unauthorized.load();
    s.forbidden = c.forbidden.load();
    s.not_found = c.not_found.load();
    s.method_not_allowed = c.method_not_allowed.load();
    s.payload_too_large = c.payload_too_large.load();
    s.header_too_large = c.header_too_large.load();
    s.unavailable = c.unavailable.load();
    s.connections_accepted = c.connections_accepted.load();
    s.connections_refused = c.connections_refused.load();
    s.connections_timed_out = c.connections_timed_out.load();
    s.active_connections = c.active_connections.load();
    s.tls_handshake_failures = c.tls_handshake_failures.load();
    std::lock_guard lock(impl_->trial_mutex);
    s.rejections_by_trial = impl_->rejections_by_trial;
    s.untracked_rejections = impl_->untracked_rejections;
    return s;
}

}  // namespace tshost::metrics
