#include "http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <iostream>
#include <thread>

namespace azemu {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

constexpr std::uint64_t kBodyLimit = 6 * 1024 * 1024;  // one 4 MiB range plus slack

void serve(tcp::socket socket, const Handler& handler) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(kBodyLimit);
        http::read(socket, buffer, parser, ec);
        if (ec) {
            return;  // closed by the client, or garbage
        }
        const HttpRequest& req = parser.get();
        std::optional<HttpResponse> res = handler(req);
        if (!res) {
            socket.shutdown(tcp::socket::shutdown_both, ec);
            return;  // a fault: drop the connection unanswered
        }
        const bool keep_alive = res->keep_alive();
        http::response_serializer<http::string_body> serializer(*res);
        if (req.method() == http::verb::head) {
            serializer.split(true);
            http::write_header(socket, serializer, ec);  // HEAD: headers only
        } else {
            http::write(socket, serializer, ec);
        }
        if (ec || !keep_alive) {
            socket.shutdown(tcp::socket::shutdown_both, ec);
            return;
        }
    }
}

}  // namespace

struct HttpServer::Impl {
    net::io_context io;
    tcp::acceptor acceptor{io};
};

HttpServer::HttpServer(unsigned short port) : impl_(new Impl) {
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(net::socket_base::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
}

HttpServer::~HttpServer() {
    delete impl_;
}

unsigned short HttpServer::port() const {
    return impl_->acceptor.local_endpoint().port();
}

void HttpServer::run(const Handler& handler) {
    for (;;) {
        tcp::socket socket(impl_->io);
        beast::error_code ec;
        impl_->acceptor.accept(socket, ec);
        if (ec) {
            std::cerr << "accept: " << ec.message() << "\n";
            continue;
        }
        // Detached: connections end when the client closes them or the process exits.
        std::thread(serve, std::move(socket), std::cref(handler)).detach();
    }
}

}  // namespace azemu
