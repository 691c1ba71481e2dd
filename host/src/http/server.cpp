#include "http/server.hpp"

#include <spdlog/spdlog.h>

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
#include <charconv>
#include <condition_variable>
#include <deque>
#include <limits>
#include <list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <type_traits>

namespace tshost::http {

std::string_view Request::header(std::string_view name) const {
    return header_source != nullptr ? header_source->find(name) : std::string_view();
}

std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        unsigned value = 0;
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] == '%' && i + 2 < text.size() &&
                   std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr ==
                       text.data() + i + 3) {
            out += static_cast<char>(value);
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::optional<std::string> Request::query_param(std::string_view name) const {
    std::string_view rest = query;
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        const auto eq = pair.find('=');
        if (percent_decode(pair.substr(0, eq)) == name) {
            return eq == std::string_view::npos ? std::string()
                                                : percent_decode(pair.substr(eq + 1));
        }
    }
    return std::nullopt;
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

Response Response::json(unsigned status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

Response Response::error(unsigned status, std::string_view message) {
    return json(status, nlohmann::json{{"error", std::string(message)}}.dump(
                            -1, ' ', false, nlohmann::json::error_handler_t::replace));
}

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

constexpr unsigned kMaxStatus = 600;

std::string_view sv(beast::string_view v) {
    return {v.data(), v.size()};
}

// A Request's header fields, read in place from the parser's message (Beast matches field
// names case-insensitively): no per-request copies of fields handlers never ask for.
class BeastHeaders final : public HeaderSource {
  public:
    explicit BeastHeaders(const bhttp::fields& fields) : fields_(fields) {}
    std::string_view find(std::string_view name) const override {
        const auto it = fields_.find(beast::string_view(name.data(), name.size()));
        return it == fields_.end() ? std::string_view() : sv(it->value());
    }

  private:
    const bhttp::fields& fields_;
};

// The parts of a Beast request handlers see. The header fields stay in the parser's message
// (`headers` reads them there), which outlives the Request's use by the handler.
Request to_request(const bhttp::request_parser<bhttp::string_body>& parser,
                   const HeaderSource& headers, std::unique_ptr<ConnectionState>& slot) {
    const auto& req = parser.get();
    Request out;
    out.method = std::string(sv(req.method_string()));
    out.target = std::string(sv(req.target()));
    const auto query = out.target.find('?');
    out.path = out.target.substr(0, query);
    if (query != std::string::npos) {
        out.query = out.target.substr(query + 1);
    }
    out.version = req.version();
    out.header_source = &headers;
    out.connection_slot = &slot;
    if (parser.is_header_done()) {
        if (const auto length = parser.content_length()) {
            out.content_length = *length;
        }
    }
    return out;
}

// What the sweeper needs of a session, whatever its stream type.
class SessionBase {
  public:
    virtual ~SessionBase() = default;
    virtual net::any_io_executor executor() = 0;
    /// On the session's strand: closes the connection if its deadline passed.
    virtual void expire_if_late(int64_t now) = 0;
    /// On the session's strand: queues streamed text and writes it.
    virtual void stream_write(std::string text) = 0;
    /// `drain`: send what is queued first (the feeder ended the stream); else cut at once.
    virtual void stream_close(bool drain) = 0;

    static int64_t steady_now() {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }
};

// The Stream handed to whoever feeds a streaming response. It never touches the socket: it
// posts to the session's strand, and only while the server runs (stop() closes every one
// under its mutex before the io_context goes away).
class StreamHandle : public Stream {
  public:
    StreamHandle(std::weak_ptr<SessionBase> session, net::any_io_executor executor, size_t limit)
        : session_(std::move(session)), executor_(std::move(executor)), limit_(limit) {}

    bool send(std::string text) override {
        std::lock_guard lock(mutex_);
        if (closed_) {
            return false;
        }
        auto session = session_.lock();
        if (!session) {
            closed_ = true;
            return false;
        }
        if (pending_.load() + text.size() > limit_) {
            closed_ = true;
            net::post(executor_, [session] { session->stream_close(false); });
            return false;
        }
        pending_ += text.size();
        net::post(executor_, [session, text = std::move(text)]() mutable {
            session->stream_write(std::move(text));
        });
        return true;
    }

    bool open() const override {
        std::lock_guard lock(mutex_);
        return !closed_ && !session_.expired();
    }

    void close() override {
        std::lock_guard lock(mutex_);
        if (closed_) {
            return;
        }
        closed_ = true;
        if (auto session = session_.lock()) {
            draining_ = true;
            net::post(executor_, [session] { session->stream_close(true); });
        }
    }

    /// Closed by its feeder and still sending what it queued.
    bool draining() const {
        std::lock_guard lock(mutex_);
        return draining_ && !session_.expired();
    }

    /// From the session, when a write completed or the connection ended.
    void written(size_t bytes) { pending_ -= bytes; }
    void mark_closed() {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }

  private:
    mutable std::mutex mutex_;
    bool closed_ = false;
    bool draining_ = false;
    std::weak_ptr<SessionBase> session_;
    net::any_io_executor executor_;
    const size_t limit_;
    std::atomic<size_t> pending_{0};
};

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Everything the sessions share. Server::Impl adds nothing; the split keeps Beast out of the
// header.
struct Core {
    Handler& handler;
    const ServerOptions options;

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
        std::atomic<uint64_t> requests{0}, connections_accepted{0}, connections_refused{0},
            connections_timed_out{0}, active_connections{0}, tls_handshake_failures{0};
        std::array<std::atomic<uint64_t>, kMaxStatus> by_status{};
    } counters;

    std::mutex streams_mutex;
    std::condition_variable stream_ended;  // a session with a stream went away
    std::vector<std::weak_ptr<StreamHandle>> streams;

    Core(Handler& h, ServerOptions o) : handler(h), options(std::move(o)) {}

    static void bump(std::atomic<uint64_t>& counter) {
        counter.fetch_add(1, std::memory_order_relaxed);
    }

    void count_response(unsigned status) {
        bump(counters.requests);
        bump(counters.by_status[std::min(status, kMaxStatus - 1)]);
    }

    void add_stream(const std::shared_ptr<StreamHandle>& stream) {
        std::lock_guard lock(streams_mutex);
        std::erase_if(streams, [](const auto& weak) { return weak.expired(); });
        streams.push_back(stream);
    }

    // Until no stream closed by its feeder is still sending, at most `timeout`.
    void drain_streams(std::chrono::milliseconds timeout) {
        std::unique_lock lock(streams_mutex);
        stream_ended.wait_for(lock, timeout, [&] {
            return std::ranges::none_of(streams, [](const auto& weak) {
                const auto stream = weak.lock();
                return stream && stream->draining();
            });
        });
    }

    void close_streams() {
        std::lock_guard lock(streams_mutex);
        for (const auto& weak : streams) {
            if (auto stream = weak.lock()) {
                stream->mark_closed();
            }
        }
        streams.clear();
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
        if (stream_handle_) {
            stream_handle_->mark_closed();
            std::lock_guard lock(server_.streams_mutex);  // so drain_streams cannot miss it
            server_.stream_ended.notify_all();
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

    void stream_write(std::string text) override {
        if (stream_closed_) {
            return;
        }
        outbox_.push_back(std::move(text));
        if (!writing_) {
            write_next();
        }
    }

    void stream_close(bool drain) override {
        if (stream_closed_) {
            return;
        }
        stream_closed_ = true;  // nothing more is queued
        if (!drain || !writing_) {
            close();
        }  // else write_next() closes once the outbox is sent
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
                        spdlog::debug("{}: TLS handshake failed: {}", self->server_.options.name,
                                      ec.message());
                    }
                    return self->close();
                }
                self->read();
            });
    }

    void set_deadline(std::chrono::milliseconds timeout) {
        deadline_.store(steady_now() + std::chrono::nanoseconds(timeout).count(),
                        std::memory_order_relaxed);
    }

    void read() {
        head_.reset();
        headers_.reset();
        parser_.emplace();
        parser_->body_limit(server_.options.body_limit);
        parser_->header_limit(static_cast<uint32_t>(
            std::min<size_t>(server_.options.header_limit, std::numeric_limits<uint32_t>::max())));
        // One deadline for the whole request, not renewed per byte: a client that trickles
        // its header or body is cut when it expires, as is an idle keep-alive connection.
        set_deadline(server_.options.request_timeout);
        bhttp::async_read_header(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec) {
        if (ec) {
            return on_read_error(ec);
        }
        head_ = to_request(*parser_, headers_.emplace(parser_->get()), handler_state_);
        // Everything that can be decided from the header is decided before buffering a
        // body, so rejected requests cost no memory. These close the connection: the
        // unread body would otherwise be taken for the next request.
        std::optional<Response> early;
        try {
            early = server_.handler.on_header(*head_);
        } catch (const std::exception& e) {
            spdlog::error("{}: internal error handling a request: {}", server_.options.name,
                          e.what());
            early = Response::error(500, "internal error");
        }
        if (early) {
            early->close = true;
            return respond(std::move(*early));
        }
        if (!reserve_body_budget()) {
            return reject(503, server_.options.busy_message);
        }
        const auto& req = parser_->get();
        if (const auto expect = req[bhttp::field::expect]; iequals(sv(expect), "100-continue")) {
            continue_.emplace(bhttp::status::continue_, req.version());
            return bhttp::async_write(stream_, *continue_,
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
            if (put_ec && put_ec != bhttp::error::need_more) {
                return on_read_error(put_ec);
            }
        }
        if (parser_->is_done()) {
            return on_body({});
        }
        read_body();
    }

    void read_body() {
        bhttp::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, size_t) { self->on_body(ec); });
    }

    void on_body(beast::error_code ec) {
        if (ec) {
            return on_read_error(ec);
        }
        head_->content = std::move(parser_->get().body());
        Response response;
        try {
            response = server_.handler.handle(*head_);
        } catch (const std::exception& e) {
            spdlog::error("{}: internal error handling a request: {}", server_.options.name,
                          e.what());
            response = Response::error(500, "internal error");
            response.close = true;
            server_.handler.on_transport_error(&*head_, 500, "internal error");
        }
        respond(std::move(response));
        release_body_budget();
    }

    void on_read_error(beast::error_code ec) {
        if (timed_out_) {
            return close();  // counted by expire_if_late()
        }
        if (ec == net::error::operation_aborted) {
            return;
        }
        if (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
            ec == net::error::connection_reset || ec == net::error::broken_pipe ||
            ec == net::ssl::error::stream_truncated || !parser_ ||
            (!parser_->got_some() && ec == bhttp::error::partial_message)) {
            return close();  // the client went away between requests
        }
        if (ec == bhttp::error::body_limit) {
            // A declared length over the limit fails while finishing the header, so
            // is_header_done() is false; the start line is parsed by then all the same.
            head_ = to_request(*parser_, headers_.emplace(parser_->get()), handler_state_);
            return reject(413, "the body is over the limit of " +
                                   std::to_string(server_.options.body_limit) + " bytes");
        }
        if (ec == bhttp::error::header_limit) {
            return reject(431, "the header is over the limit of " +
                                   std::to_string(server_.options.header_limit) + " bytes");
        }
        if (ec.category() == net::error::get_ssl_category()) {
            return close();  // a TLS record error: nothing can be answered on this stream
        }
        // Anything else is a request Beast cannot parse; the stream cannot be resynchronised.
        reject(400, "malformed HTTP request: " + ec.message());
    }

    // An error the transport answers itself; the handler hears of it (to count it).
    void reject(unsigned status, const std::string& reason) {
        server_.handler.on_transport_error(head_ ? &*head_ : nullptr, status, reason);
        auto response = Response::error(status, reason);
        response.close = true;
        respond(std::move(response));
    }

    void respond(Response response) {
        server_.count_response(response.status);
        const bool header_done = parser_ && parser_->is_header_done();
        const bool streaming = static_cast<bool>(response.on_stream);
        bool close = response.close || response.status == 503;
        const bool keep_alive = !close && !streaming && server_.options.keep_alive && header_done &&
                                parser_->get().keep_alive() &&
                                !server_.draining.load(std::memory_order_relaxed);
        res_ = {};
        res_.result(static_cast<bhttp::status>(response.status));
        res_.version(header_done ? parser_->get().version() : 11);
        res_.set(bhttp::field::content_type, response.content_type);
        if (response.status == 401) {
            res_.set(bhttp::field::www_authenticate, "Bearer");
        }
        if (response.status == 503) {
            res_.set(bhttp::field::retry_after, "1");
        }
        for (auto& [name, value] : response.headers) {
            res_.set(name, value);
        }
        res_.body() = std::move(response.body);
        res_.keep_alive(keep_alive);
        if (streaming) {
            // No length: the stream ends when the connection does.
            res_.set(bhttp::field::cache_control, "no-cache");
        } else {
            res_.prepare_payload();
        }
        set_deadline(server_.options.request_timeout);
        if (streaming) {
            return bhttp::async_write(
                stream_, res_,
                [self = shared_from_this(), on_stream = std::move(response.on_stream)](
                    beast::error_code ec, size_t) { self->start_stream(ec, on_stream); });
        }
        bhttp::async_write(stream_, res_,
                           [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                               if (ec) {
                                   return self->close();
                               }
                               if (!keep_alive) {
                                   return self->linger_close();
                               }
                               self->read();
                           });
    }

    void start_stream(beast::error_code ec,
                      const std::function<void(std::shared_ptr<http::Stream>)>& on_stream) {
        if (ec) {
            return close();
        }
        deadline_.store(0, std::memory_order_relaxed);  // idle is fine; writes have deadlines
        stream_handle_ = std::make_shared<StreamHandle>(weak_from_this(), stream_.get_executor(),
                                                        server_.options.stream_buffer_limit);
        server_.add_stream(stream_handle_);
        // A streaming client sends nothing more: a read that ends means it went away. The
        // pending read also keeps the session alive while no write is queued.
        linger_budget_ = std::numeric_limits<size_t>::max();
        discard_input();
        on_stream(stream_handle_);
    }

    // Under a stream: the client is not closed by a deadline, and nothing else can be queued.
    void end_stream() {
        stream_closed_ = true;
        if (stream_handle_) {
            stream_handle_->mark_closed();
        }
    }

    void write_next() {
        if (outbox_.empty()) {
            writing_ = false;
            deadline_.store(0, std::memory_order_relaxed);
            if (stream_closed_) {
                close();  // closed while the outbox drained
            }
            return;
        }
        writing_ = true;
        set_deadline(server_.options.request_timeout);
        net::async_write(stream_, net::buffer(outbox_.front()),
                         [self = shared_from_this()](beast::error_code wec, size_t) {
                             const size_t bytes = self->outbox_.front().size();
                             self->outbox_.pop_front();
                             self->stream_handle_->written(bytes);
                             if (wec) {
                                 self->end_stream();
                                 return self->close();
                             }
                             self->write_next();
                         });
    }

    bool reserve_body_budget() {
        const auto declared = parser_->content_length();
        if (declared && *declared == 0) {
            return true;
        }
        if (!declared && !parser_->chunked()) {
            return true;  // no body
        }
        // A chunked body's size is unknown until read; reserve the worst case.
        const size_t want =
            declared
                ? static_cast<size_t>(std::min<uint64_t>(*declared, server_.options.body_limit))
                : server_.options.body_limit;
        size_t current = server_.buffered_body_bytes.load();
        do {
            if (current + want > server_.options.max_buffered_body_bytes && current != 0) {
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
        discard_input();
    }

    // Reads and drops input until the client closes or linger_budget_ bytes came, then closes.
    void discard_input() {
        if (!discard_) {
            discard_ = std::make_unique<std::array<char, 16384>>();
        }
        beast::get_lowest_layer(stream_).async_read_some(
            net::buffer(*discard_), [self = shared_from_this()](beast::error_code ec, size_t n) {
                if (ec || n >= self->linger_budget_) {
                    self->end_stream();
                    return self->close();
                }
                self->linger_budget_ -= n;
                self->discard_input();
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
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::optional<BeastHeaders> headers_;             // head_'s fields: parser_'s current message
    std::unique_ptr<ConnectionState> handler_state_;  // the handler's, for this connection
    std::optional<bhttp::response<bhttp::empty_body>> continue_;
    bhttp::response<bhttp::string_body> res_;
    std::optional<Request> head_;
    size_t reserved_ = 0;
    size_t linger_budget_ = 0;
    std::atomic<int64_t> deadline_{0};  // steady-clock ns; written on the strand, read by sweep()
    bool timed_out_ = false;
    bool registered_ = false;
    std::list<std::weak_ptr<SessionBase>>::iterator registration_;
    std::unique_ptr<std::array<char, 16384>> discard_;
    std::shared_ptr<StreamHandle> stream_handle_;
    std::deque<std::string> outbox_;
    bool writing_ = false;
    bool stream_closed_ = false;
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
        spdlog::warn("{}: accept failed: {}", options.name, ec.message());
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
        // Streamed events are small writes: Nagle would hold them back behind delayed ACKs.
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        if (tls) {
            std::make_shared<Session<TlsStream>>(*this, std::move(socket), *tls)->run();
        } else {
            std::make_shared<Session<PlainStream>>(*this, std::move(socket))->run();
        }
    }
    accept();
}

}  // namespace

struct Server::Impl : Core {
    using Core::Core;
};

Server::Server(Handler& handler, ServerOptions options)
    : impl_(std::make_unique<Impl>(handler, std::move(options))) {}

Server::~Server() {
    stop();
}

void Server::start() {
    std::lock_guard lock(impl_->lifecycle);
    const auto& options = impl_->options;
    if (impl_->started) {
        throw std::logic_error(options.name + ": already started");
    }
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
            throw std::runtime_error(options.name + ": cannot load the TLS certificate " +
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
        throw std::runtime_error(options.name + ": cannot listen on " + where + ": " + e.what());
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
                    spdlog::error("{}: {}", impl_->options.name, e.what());
                }
            }
        });
    }
    spdlog::info("{} listening on {}:{}", options.name, options.bind_address,
                 impl_->bound_port.load());
}

uint16_t Server::port() const {
    return impl_->bound_port.load();
}

void Server::drain() {
    impl_->draining = true;
}

bool Server::draining() const {
    return impl_->draining.load(std::memory_order_relaxed);
}

void Server::stop() {
    std::lock_guard lock(impl_->lifecycle);
    impl_->draining = true;
    if (!impl_->started || impl_->stopped) {
        return;
    }
    impl_->stopped = true;
    impl_->drain_streams(impl_->options.stream_drain_timeout);
    impl_->close_streams();  // nobody posts to the io_context from now on
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

ServerStats Server::stats() const {
    const auto& c = impl_->counters;
    ServerStats s;
    s.requests = c.requests.load();
    for (unsigned status = 0; status < kMaxStatus; ++status) {
        if (const auto n = c.by_status[status].load(); n != 0) {
            s.by_status[status] = n;
        }
    }
    s.connections_accepted = c.connections_accepted.load();
    s.connections_refused = c.connections_refused.load();
    s.connections_timed_out = c.connections_timed_out.load();
    s.active_connections = c.active_connections.load();
    s.tls_handshake_failures = c.tls_handshake_failures.load();
    return s;
}

const ServerOptions& Server::options() const {
    return impl_->options;
}

}  // namespace tshost::http
