// The shared HTTP transport's per-request view: header fields looked up in place (any case,
// absent ones empty) and the handler's per-connection state, kept across the requests of one
// keep-alive connection and fresh on every new connection.
#include <gtest/gtest.h>

#include <string>

#include "http/server.hpp"
#include "raw_http.hpp"

namespace {

using tshost::test::RawConnection;

// Counts the requests of its connection.
struct RequestCount : tshost::http::ConnectionState {
    int requests = 0;
};

// A state of another type, to check that a handler switching types gets a fresh one.
struct Marker : tshost::http::ConnectionState {
    std::string note;
};

// Answers with what it sees: the probe header in three spellings, a header that is absent,
// and this connection's request count.
class EchoHandler : public tshost::http::Handler {
  public:
    tshost::http::Response handle(const tshost::http::Request& request) override {
        if (request.path == "/marker") {
            auto& marker = request.connection_state<Marker>();
            marker.note += "m";
            return tshost::http::Response::json(200, "\"" + marker.note + "\"");
        }
        const int count = ++request.connection_state<RequestCount>().requests;
        const std::string body =
            std::string(request.header("x-probe")) + "|" + std::string(request.header("X-PROBE")) +
            "|" + std::string(request.header("X-Probe")) + "|" +
            std::string(request.header("x-absent")) + "|" + std::to_string(count);
        return tshost::http::Response::json(200, "\"" + body + "\"");
    }
};

std::string get(const std::string& path, const std::string& probe) {
    return "GET " + path + " HTTP/1.1\r\nHost: x\r\nx-pRoBe: " + probe + "\r\n\r\n";
}

class HttpConnectionTest : public testing::Test {
  protected:
    void SetUp() override {
        server_ = std::make_unique<tshost::http::Server>(handler_, tshost::http::ServerOptions{});
        server_->start();
    }

    std::string ask(RawConnection& connection, const std::string& path, const std::string& probe) {
        EXPECT_TRUE(connection.send_all(get(path, probe)));
        const auto response = connection.read_response();
        EXPECT_TRUE(response);
        return response ? response->body : "";
    }

    EchoHandler handler_;
    std::unique_ptr<tshost::http::Server> server_;
};

TEST_F(HttpConnectionTest, HeadersAreFoundInAnyCaseAndAbsentOnesAreEmpty) {
    RawConnection c(server_->port());
    EXPECT_EQ(ask(c, "/", "v1"), R"("v1|v1|v1||1")");
}

TEST_F(HttpConnectionTest, StateLastsForTheConnectionAndANewConnectionStartsAfresh) {
    RawConnection first(server_->port());
    EXPECT_EQ(ask(first, "/", "a"), R"("a|a|a||1")");
    EXPECT_EQ(ask(first, "/", "b"), R"("b|b|b||2")") << "each request sees its own headers";
    RawConnection second(server_->port());
    EXPECT_EQ(ask(second, "/", "c"), R"("c|c|c||1")") << "state is per connection";
    EXPECT_EQ(ask(first, "/", "d"), R"("d|d|d||3")");
}

TEST_F(HttpConnectionTest, StateOfAnotherTypeIsReplacedByAFreshOne) {
    RawConnection c(server_->port());
    EXPECT_EQ(ask(c, "/", "a"), R"("a|a|a||1")");
    EXPECT_EQ(ask(c, "/marker", "a"), R"("m")");
    EXPECT_EQ(ask(c, "/marker", "a"), R"("mm")");
    EXPECT_EQ(ask(c, "/", "a"), R"("a|a|a||1")");
}

TEST(HttpRequest, ARequestMadeByHandHasNoHeadersAndNoConnectionState) {
    tshost::http::Request request;
    EXPECT_EQ(request.header("authorization"), "");
    EXPECT_THROW(request.connection_state<RequestCount>(), std::logic_error);
}

}  // namespace
