#include "http_server.hpp"

#include <array>
#include <deque>
#include <iostream>
#include <optional>
#include <stdexcept>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "api_error.hpp"
#include "common.hpp"
#include "watch_hub.hpp"

namespace kemu {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto kIdleTimeout = std::chrono::minutes(10);

HttpRequest convert(const http::request<http::string_body>& in) {
    HttpRequest out;
    out.method = std::string(in.method_string());
    const std::string_view target(in.target().data(), in.target().size());
    const auto q = target.find('?');
    out.path = url_decode(target.substr(0, q));
    if (q != std::string_view::npos) {
        std::string_view rest = target.substr(q + 1);
        while (!rest.empty()) {
            const auto amp = rest.find('&');
            const std::string_view pair = rest.substr(0, amp);
            const auto eq = pair.find('=');
            out.query[url_decode(pair.substr(0, eq))] =
                eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1));
            rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        }
    }
    out.content_type = std::string(in[http::field::content_type]);
    out.accept = std::string(in[http::field::accept]);
    out.body = in.body();
    return out;
}

HttpResponse error_response(const ApiError& err) {
    HttpResponse r;
    r.status = err.code;
    r.body = to_status(err).dump();
    return r;
}

/// One queued write of a watch stream: a prefix (chunk size line or the response head), the
/// shared event text (never copied per watcher), and a suffix.
struct Pending {
    std::string prefix;
    std::shared_ptr<const std::string> data;
    std::string_view suffix;
};

template <class Stream>
class Session final : public WatchSink, public std::enable_shared_from_this<Session<Stream>> {
  public:
    Session(Stream stream, RequestHandler& handler, const ServerOptions& options,
            ServerCounters& counters)
        : stream_(std::move(stream)),
          handler_(handler),
          options_(options),
          counters_(counters),
          timer_(stream_.get_executor()) {}

    void start() {
        if constexpr (std::is_same_v<Stream, TlsStream>) {
            beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
            stream_.async_handshake(ssl::stream_base::server,
                                    [self = this->shared_from_this()](beast::error_code ec) {
                                        self->on_handshake(ec);
                                    });
        } else {
            read_request();
        }
    }

    void send(std::shared_ptr<const std::string> line) override {
        if (finishing_ || closed_) {
            return;
        }
        if (queue_.size() >= options_.watch_queue_limit) {
            // Like the API server with a too-slow watcher: end the stream, the client re-lists.
            finish();
            return;
        }
        char size[24];
        const int n = std::snprintf(size, sizeof size, "%zx\r\n", line->size());
        queue_.push_back(
            Pending{std::string(size, static_cast<std::size_t>(n)), std::move(line), "\r\n"});
        flush();
    }

    void finish() override {
        if (finishing_ || closed_) {
            return;
        }
        finishing_ = true;
        timer_.cancel();
        queue_.push_back(Pending{"0\r\n\r\n", nullptr, {}});
        flush();
    }

  private:
    void on_handshake(beast::error_code ec) {
        if (ec) {
            // As kube-apiserver logs "http: TLS handshake error from ...".
            ++counters_.tls_handshake_failures;
            beast::error_code ignored;
            const auto peer = beast::get_lowest_layer(stream_).socket().remote_endpoint(ignored);
            std::cerr << "kube-emulator: TLS handshake error from " << peer << ": " << ec.message()
                      << std::endl;
            close();
            return;
        }
        ++counters_.tls_handshakes;
        // The verify callback accepted any certificate so that the handshake completes (as Go's
        // tls.RequestClientCert does for kube-apiserver); authentication is decided here, from
        // OpenSSL's chain verification against the client CA.
        SSL* ssl = stream_.native_handle();
        authenticated_ =
            SSL_get0_peer_certificate(ssl) != nullptr && SSL_get_verify_result(ssl) == X509_V_OK;
        read_request();
    }

    void read_request() {
        parser_.emplace();
        parser_->body_limit(options_.body_limit);
        beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                             self->on_request(ec);
                         });
    }

    void on_request(beast::error_code ec) {
        if (ec == http::error::body_limit) {
            ApiError err{
                413,
                "RequestEntityTooLarge",
                "Request entity too large: limit is " + std::to_string(options_.body_limit),
                json::object(),
                {}};
            write_response(error_response(err), false);
            return;
        }
        if (ec) {
            // Malformed request line/headers get a 400; a closed connection is just closed.
            if (ec != http::error::end_of_stream && ec != net::error::eof &&
                ec != beast::error::timeout && ec != net::error::operation_aborted &&
                ec != net::error::connection_reset) {
                write_response(
                    error_response(bad_request("malformed HTTP request: " + ec.message())), false);
                return;
            }
            close();
            return;
        }
        const auto& req = parser_->get();
        keep_alive_ = req.keep_alive();
        version_ = req.version();
        if constexpr (std::is_same_v<Stream, TlsStream>) {
            if (!authenticated_) {
                // kube-apiserver with anonymous auth off answers every unauthenticated request so.
                ++counters_.unauthorized;
                write_response(error_response(ApiError{
                                   401, "Unauthorized", "Unauthorized", json::object(), {}}),
                               keep_alive_);
                return;
            }
        }
        HttpResponse resp;
        try {
            resp = handler_.handle(convert(req));
        } catch (const std::exception& e) {
            // The emulator must survive any input: an unexpected failure is a 500 Status.
            resp = error_response(ApiError{500,
                                           "InternalError",
                                           std::string("Internal error occurred: ") + e.what(),
                                           json::object(),
                                           {}});
        }
        if (resp.delay_ms > 0) {
            timer_.expires_after(std::chrono::milliseconds(resp.delay_ms));
            timer_.async_wait([self = this->shared_from_this(), resp = std::move(resp)](
                                  beast::error_code) mutable { self->dispatch(std::move(resp)); });
            return;
        }
        dispatch(std::move(resp));
    }

    void dispatch(HttpResponse resp) {
        if (resp.start_watch) {
            start_watch(resp);
        } else {
            write_response(resp, keep_alive_);
        }
    }

    void write_response(const HttpResponse& resp, bool keep_alive) {
        auto res = std::make_shared<http::response<http::string_body>>(
            static_cast<http::status>(resp.status), version_ == 0 ? 11 : version_);
        res->set(http::field::server, "kube-emulator");
        res->set(http::field::content_type, resp.content_type);
        for (const auto& [name, value] : resp.headers) {
            res->set(name, value);
        }
        res->keep_alive(keep_alive);
        res->body() = resp.body;
        res->prepare_payload();
        http::async_write(
            stream_, *res,
            [self = this->shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
                if (ec || !keep_alive) {
                    self->close();
                } else {
                    self->read_request();
                }
            });
    }

    void start_watch(const HttpResponse& resp) {
        std::string head =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            "Cache-Control: no-cache, private\r\nTransfer-Encoding: chunked\r\n"
            "Server: kube-emulator\r\n\r\n";
        queue_.push_back(Pending{std::move(head), nullptr, {}});
        beast::get_lowest_layer(stream_).expires_never();
        watch_id_ = resp.start_watch(this->shared_from_this());
        if (!finishing_ && resp.watch_timeout_seconds > 0) {
            timer_.expires_after(std::chrono::seconds(resp.watch_timeout_seconds));
            timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
                if (!ec) {
                    self->finish();
                }
            });
        }
        probe_client();
        flush();
    }

    /// A watching client sends nothing; a completed read means it went away.
    void probe_client() {
        stream_.async_read_some(net::buffer(probe_), [self = this->shared_from_this()](
                                                         beast::error_code ec, std::size_t) {
            if (ec) {
                self->close();
            } else if (!self->closed_) {
                self->probe_client();
            }
        });
    }

    void flush() {
        if (writing_ || queue_.empty() || closed_) {
            return;
        }
        writing_ = true;
        const Pending& p = queue_.front();
        std::array<net::const_buffer, 3> bufs{net::buffer(p.prefix),
                                              p.data ? net::buffer(*p.data) : net::const_buffer{},
                                              net::buffer(p.suffix.data(), p.suffix.size())};
        net::async_write(stream_, bufs,
                         [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                             self->writing_ = false;
                             if (ec || self->closed_) {
                                 self->close();
                                 self->queue_.clear();
                                 return;
                             }
                             self->queue_.pop_front();
                             if (self->queue_.empty() && self->finishing_) {
                                 self->close();
                                 return;
                             }
                             self->flush();
                         });
    }

    void close() {
        if (closed_) {
            return;
        }
        closed_ = true;
        timer_.cancel();
        if (watch_id_ != 0) {
            handler_.end_watch(watch_id_);
            watch_id_ = 0;
        }
        if (!writing_) {
            // An in-flight write still references the front entry; it is dropped on completion.
            queue_.clear();
        }
        beast::error_code ec;
        auto& sock = beast::get_lowest_layer(stream_).socket();
        sock.shutdown(tcp::socket::shutdown_both, ec);
        sock.close(ec);
    }

    Stream stream_;
    RequestHandler& handler_;
    const ServerOptions& options_;
    ServerCounters& counters_;
    net::steady_timer timer_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    bool keep_alive_ = true;
    unsigned version_ = 11;
    std::deque<Pending> queue_;
    bool writing_ = false;
    bool finishing_ = false;
    bool closed_ = false;
    bool authenticated_ = false;
    std::uint64_t watch_id_ = 0;
    std::array<char, 256> probe_{};
};

void add_client_ca_name(SSL_CTX* ctx, const std::string& ca_pem) {
    BIO* bio = BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size()));
    X509* ca = bio != nullptr ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
    BIO_free(bio);
    const bool ok = ca != nullptr && SSL_CTX_add_client_CA(ctx, ca) == 1;
    X509_free(ca);
    if (!ok) {
        throw std::runtime_error("invalid client CA certificate");
    }
}

}  // namespace

struct HttpServer::Impl {
    Impl(Loop& loop, RequestHandler& h, const ServerOptions& o)
        : handler(h), options(o), acceptor(loop.io()), ssl_ctx(ssl::context::tls_server) {}

    void accept() {
        acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (ec == net::error::operation_aborted || !acceptor.is_open()) {
                return;
            }
            if (!ec) {
                ++counters.connections;
                socket.set_option(tcp::no_delay(true), ec);
                if (options.tls) {
                    std::make_shared<Session<TlsStream>>(
                        TlsStream(beast::tcp_stream(std::move(socket)), ssl_ctx), handler, options,
                        counters)
                        ->start();
                } else {
                    std::make_shared<Session<PlainStream>>(PlainStream(std::move(socket)), handler,
                                                           options, counters)
                        ->start();
                }
            }
            accept();
        });
    }

    RequestHandler& handler;
    ServerOptions options;
    ServerCounters counters;
    tcp::acceptor acceptor;
    ssl::context ssl_ctx;
};

HttpServer::HttpServer(Loop& loop, RequestHandler& handler, const ServerOptions& options)
    : impl_(std::make_unique<Impl>(loop, handler, options)) {
    if (options.tls) {
        auto& ctx = impl_->ssl_ctx;
        ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
        ctx.use_certificate_chain(net::buffer(options.cert_pem));
        ctx.use_private_key(net::buffer(options.key_pem), ssl::context::pem);
        ctx.add_certificate_authority(net::buffer(options.client_ca_pem));
        // The CertificateRequest names the client CA (clients pick a matching certificate), and
        // no certificate, or one the CA did not sign, still completes the handshake: the request
        // then gets 401 (see ServerOptions::tls).
        add_client_ca_name(ctx.native_handle(), options.client_ca_pem);
        ctx.set_verify_mode(ssl::verify_peer);
        // Clients (curl) resume TLS sessions on new connections; with peer verification OpenSSL
        // refuses to resume without a session id context.
        static constexpr unsigned char kSessionContext[] = "kube-emulator";
        SSL_CTX_set_session_id_context(ctx.native_handle(), kSessionContext,
                                       sizeof kSessionContext - 1);
        ctx.set_verify_callback([](bool, ssl::verify_context&) { return true; });
    }
    beast::error_code ec;
    const auto address = net::ip::make_address(options.host, ec);
    if (ec) {
        throw std::runtime_error("invalid listen address " + options.host + ": " + ec.message());
    }
    auto& acc = impl_->acceptor;
    const tcp::endpoint endpoint(address, options.port);
    acc.open(endpoint.protocol(), ec);
    if (!ec) {
        acc.set_option(net::socket_base::reuse_address(true), ec);
        acc.bind(endpoint, ec);
    }
    if (!ec) {
        acc.listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        throw std::runtime_error("cannot listen on " + options.host + ":" +
                                 std::to_string(options.port) + ": " + ec.message());
    }
    impl_->accept();
}

HttpServer::~HttpServer() = default;

const ServerCounters& HttpServer::counters() const {
    return impl_->counters;
}

unsigned short HttpServer::port() const {
    return impl_->acceptor.local_endpoint().port();
}

void HttpServer::stop() {
    beast::error_code ec;
    impl_->acceptor.close(ec);
}

}  // namespace kemu
