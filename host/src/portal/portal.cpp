#include "portal/portal.hpp"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <fstream>

#include "portal/context.hpp"
#include "portal/static_files.hpp"

namespace tshost::portal {
namespace {

constexpr std::string_view kCookie = "tshost_portal=";

bool is_loopback(const std::string& address) {
    return address.starts_with("127.") || address == "::1" || address == "localhost";
}

bool same_token(std::string_view given, const std::string& token) {
    return given.size() == token.size() &&
           CRYPTO_memcmp(given.data(), token.data(), token.size()) == 0;
}

// The portal's requests: the token first (before any body is read), then the routes.
class PortalHandler : public http::Handler {
  public:
    explicit PortalHandler(Context& context) : context_(context) {
        add_nni_routes(router_, context_);
        add_tshost_routes(router_, context_);
        router_.add("GET", "/", [this](const http::Request&, const http::Router::Params&) {
            return static_file(context_.options.web_dir, "");
        });
        router_.add("GET", "/assets/*",
                    [this](const http::Request&, const http::Router::Params& p) {
                        return static_file(context_.options.web_dir, "assets/" + p[0]);
                    });
    }

    std::optional<http::Response> on_header(const http::Request& head) override {
        if (context_.options.token.empty() || authorized(head)) {
            return std::nullopt;
        }
        return http::Response::error(
            401,
            "this portal needs an access token: send \"Authorization: Bearer <token>\" or "
            "open the portal once with ?token=<token> (the token is the one given with "
            "--portal-token-file or TSHOST_PORTAL_TOKEN)");
    }

    http::Response handle(const http::Request& request) override {
        auto response = router_.dispatch(request);
        const auto& token = context_.options.token;
        if (!token.empty()) {
            if (const auto given = request.query_param("token");
                given && same_token(*given, token)) {
                response.headers.emplace_back(
                    "Set-Cookie",
                    std::string(kCookie) + token + "; HttpOnly; SameSite=Strict; Path=/");
            }
        }
        return response;
    }

  private:
    bool authorized(const http::Request& head) const {
        const auto& token = context_.options.token;
        std::string_view auth = head.header("authorization");
        if (auth.size() > 7 && (auth.starts_with("Bearer ") || auth.starts_with("bearer "))) {
            return same_token(auth.substr(7), token);
        }
        if (const auto given = head.query_param("token")) {
            return same_token(*given, token);
        }
        // Cookie: a=b; tshost_portal=<token>; c=d
        std::string_view cookies = head.header("cookie");
        while (!cookies.empty()) {
            const auto semi = cookies.find(';');
            std::string_view item = cookies.substr(0, semi);
            cookies =
                semi == std::string_view::npos ? std::string_view() : cookies.substr(semi + 1);
            while (item.starts_with(' ')) {
                item.remove_prefix(1);
            }
            if (item.starts_with(kCookie)) {
                return same_token(item.substr(kCookie.size()), token);
            }
        }
        return false;
    }

    Context& context_;
    http::Router router_;
};

http::ServerOptions server_options(const PortalOptions& o) {
    http::ServerOptions s;
    s.name = "portal";
    s.bind_address = o.bind_address;
    s.port = o.port;
    s.threads = o.threads;
    s.body_limit = 1u << 20;  // profiles and limits are small; NNI's 50 MB is for imports
    s.max_buffered_body_bytes = 8u << 20;
    s.max_connections = 256;
    return s;
}

}  // namespace

std::string resolve_token(const std::string& bind_address, const std::string& token_file) {
    std::string token;
    if (!token_file.empty()) {
        std::ifstream in(token_file);
        if (!in) {
            throw std::runtime_error("--portal-token-file " + token_file +
                                     ": cannot read it; give a file whose first line is the token");
        }
        std::getline(in, token);
        while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) {
            token.pop_back();
        }
        if (token.empty()) {
            throw std::runtime_error("--portal-token-file " + token_file +
                                     ": the first line is empty; put the token there");
        }
    } else if (const char* env = std::getenv("TSHOST_PORTAL_TOKEN"); env != nullptr && *env) {
        token = env;
    }
    if (token.empty() && !is_loopback(bind_address)) {
        throw std::runtime_error(
            "--portal-bind " + bind_address +
            " exposes the portal beyond this machine, so it needs an access token: give "
            "--portal-token-file FILE (or set TSHOST_PORTAL_TOKEN), or bind 127.0.0.1");
    }
    return token;
}

std::string default_web_dir(const std::string& executable) {
    std::error_code ec;
    const auto bin = std::filesystem::weakly_canonical(executable, ec).parent_path();
    return (bin.parent_path() / "share" / "tshost" / "web").string();
}

struct Portal::Impl {
    Impl(const std::filesystem::path& database, ExperimentInfo info, PortalOptions options,
         engine::CommandInbox* commands, plugin::StorageInstance* storage)
        : context(database, std::move(info), options, commands, storage),
          handler(context),
          server(handler, server_options(options)) {}

    Context context;
    PortalHandler handler;
    http::Server server;
};

Portal::Portal(const std::filesystem::path& database, ExperimentInfo info, PortalOptions options,
               engine::CommandInbox* commands, plugin::StorageInstance* storage)
    : impl_(std::make_unique<Impl>(database, std::move(info), std::move(options), commands,
                                   storage)) {}

Portal::~Portal() {
    stop();
}

void Portal::start() {
    impl_->server.start();
}

uint16_t Portal::port() const {
    return impl_->server.port();
}

std::string Portal::url() const {
    const auto& bind = impl_->context.options.bind_address;
    const std::string host = bind == "0.0.0.0" || bind == "::" ? "127.0.0.1" : bind;
    return "http://" + host + ":" + std::to_string(port()) + "/";
}

engine::EngineObserver& Portal::observer() {
    return impl_->context.live;
}

void Portal::stop() {
    // The broadcaster first: it must not queue to streams whose server is going away.
    impl_->context.broadcaster.stop();
    impl_->server.stop();
}

}  // namespace tshost::portal
