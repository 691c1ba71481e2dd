// The shared HTTP transport: routing (404/405 with a message), streaming responses, and the
// SSE broadcaster's rule that a client that does not read is dropped without blocking.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "http/router.hpp"
#include "http/server.hpp"
#include "portal/broadcaster.hpp"
#include "raw_http.hpp"

namespace {

using namespace std::chrono_literals;
using testing::HasSubstr;
using tshost::test::http_request;
using tshost::test::RawConnection;

// Routes into a Router, and /stream into the broadcaster.
class RoutedHandler : public tshost::http::Handler {
  public:
    explicit RoutedHandler(tshost::portal::Broadcaster& broadcaster) {
        router_.add("GET", "/items/:id", [](const auto&, const auto& p) {
            return tshost::http::Response::json(200, "{\"id\":\"" + p[0] + "\"}");
        });
        router_.add("DELETE", "/items/:id", [](const auto&, const auto&) {
            return tshost::http::Response::json(200, "{}");
        });
        router_.add("GET", "/stream", [&broadcaster](const auto&, const auto&) {
            tshost::http::Response r;
            r.content_type = "text/event-stream";
            r.on_stream = [&broadcaster](std::shared_ptr<tshost::http::Stream> s) {
                broadcaster.add_client(std::move(s));
            };
            return r;
        });
    }
    tshost::http::Response handle(const tshost::http::Request& request) override {
        return router_.dispatch(request);
    }

  private:
    tshost::http::Router router_;
};

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) {
            return true;
        }
        std::this_thread::yield();
    }
    return condition();
}

class HttpStreamTest : public testing::Test {
  protected:
    void SetUp() override {
        tshost::http::ServerOptions options;
        options.stream_buffer_limit = 1u << 20;
        server_ = std::make_unique<tshost::http::Server>(handler_, options);
        server_->start();
    }
    void TearDown() override {
        broadcaster_.stop();
        server_->stop();
    }

    tshost::portal::Broadcaster broadcaster_;
    RoutedHandler handler_{broadcaster_};
    std::unique_ptr<tshost::http::Server> server_;
};

TEST_F(HttpStreamTest, RoutesDecodeParametersAndRefuseWithAMessage) {
    auto ok = http_request(server_->port(), "GET", "/items/a%20b");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    EXPECT_EQ(ok->body, R"({"id":"a b"})");

    auto missing = http_request(server_->port(), "GET", "/nothing/here");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    EXPECT_THAT(missing->body, HasSubstr("no such route: /nothing/here"));

    auto wrong_method = http_request(server_->port(), "POST", "/items/x", "{}");
    ASSERT_TRUE(wrong_method);
    EXPECT_EQ(wrong_method->status, 405);
    EXPECT_EQ(wrong_method->header("allow"), "GET, DELETE");
    EXPECT_THAT(wrong_method->body, HasSubstr("use GET, DELETE"));
}

TEST_F(HttpStreamTest, AStreamDeliversPublishedEventsInOrder) {
    // Its own broadcaster with a 2 s window: what is published within it after a send is
    // certainly one batch.
    tshost::portal::Broadcaster broadcaster(2s);
    RoutedHandler handler(broadcaster);
    tshost::http::Server server(handler, {});
    server.start();
    RawConnection client(server.port());
    ASSERT_TRUE(client.send_all("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(client.read_until(
        [](std::string_view got) { return got.find("event: hello") != std::string_view::npos; },
        10s));
    EXPECT_THAT(client.received(), HasSubstr("text/event-stream"));
    EXPECT_THAT(client.received(), HasSubstr("retry: 2000"));
    ASSERT_TRUE(eventually([&] { return broadcaster.clients() == 1; }));

    // After a quiet window the first change goes out alone, without waiting for the window.
    broadcaster.publish_trial("t0", R"({"id":"t0","status":"WAITING"})");
    ASSERT_TRUE(client.read_until(
        [](std::string_view got) { return got.find("WAITING") != std::string_view::npos; }, 10s));
    // Then, within the window, a burst: coalesced, the trial's newest row wins.
    broadcaster.publish_trial("t1", R"({"id":"t1","status":"RUNNING"})");
    broadcaster.publish_trial("t1", R"({"id":"t1","status":"SUCCEEDED"})");
    broadcaster.publish_metric(R"({"trialId":"t1","value":0.5})");
    ASSERT_TRUE(client.read_until(
        [](std::string_view got) { return got.find("event: metric") != std::string_view::npos; },
        10s));
    const std::string& got = client.received();
    EXPECT_THAT(got, HasSubstr(R"(data: {"id":"t1","status":"SUCCEEDED"})"));
    EXPECT_EQ(got.find("RUNNING"), std::string::npos);
    EXPECT_THAT(got, HasSubstr(R"(data: {"trialId":"t1","value":0.5})"));
    broadcaster.stop();
    server.stop();
}

TEST_F(HttpStreamTest, AClientThatDoesNotReadIsDroppedAndPublishingNeverBlocks) {
    RawConnection reader(server_->port());
    RawConnection sleeper(server_->port());
    ASSERT_TRUE(reader.send_all("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(sleeper.send_all("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(eventually([&] { return broadcaster_.clients() == 2; }));
    // Rounds of ~160 KB while one client reads nothing: its socket buffers fill, its queue
    // passes the 1 MiB limit and it is dropped. The reader reads each round to its end
    // and stays.
    const std::string pad(8000, 'x');
    const auto started = std::chrono::steady_clock::now();
    int round = 0;
    while (broadcaster_.clients() == 2 && std::chrono::steady_clock::now() - started < 60s) {
        for (int i = 0; i < 20; ++i) {
            broadcaster_.publish_metric("{\"round\":" + std::to_string(round) + ",\"i\":" +
                                        std::to_string(i) + ",\"pad\":\"" + pad + "\"}");
        }
        const std::string last = "{\"round\":" + std::to_string(round) + ",\"i\":19,";
        ASSERT_TRUE(reader.read_until(
            [&](std::string_view got) { return got.find(last) != std::string_view::npos; }, 10s))
            << "round " << round;
        ++round;
    }
    EXPECT_EQ(broadcaster_.clients(), 1u) << "after " << round << " rounds";
    EXPECT_TRUE(sleeper.wait_closed(10s));
}

// The end of an experiment: what was published but not yet sent still reaches every client
// (a large batch, drained while the client reads), and then each stream ends.
TEST_F(HttpStreamTest, StoppingSendsWhatIsPendingThenEndsEachStream) {
    tshost::portal::Broadcaster broadcaster(2s);  // later changes wait for the window
    RoutedHandler handler(broadcaster);
    tshost::http::Server server(handler, {});
    server.start();
    RawConnection client(server.port());
    ASSERT_TRUE(client.send_all("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(eventually([&] { return broadcaster.clients() == 1; }));
    broadcaster.publish_trial("t0", R"({"id":"t0","status":"RUNNING"})");
    ASSERT_TRUE(client.read_until(
        [](std::string_view got) { return got.find("RUNNING") != std::string_view::npos; }, 10s));

    const std::string pad(600'000, 'x');  // more than the sockets buffer between us
    broadcaster.publish_trial("t0", R"({"id":"t0","status":"SUCCEEDED","pad":")" + pad + "\"}");
    broadcaster.publish_overview(R"({"status":"DONE"})");
    std::thread stopper([&] {
        broadcaster.stop();
        server.stop();
    });
    const std::string last = pad + "\"}\n\n";
    EXPECT_TRUE(client.read_until(
        [&](std::string_view got) {
            return got.find(R"(data: {"status":"DONE"})") != std::string_view::npos &&
                   got.find(last) != std::string_view::npos;
        },
        10s));
    EXPECT_TRUE(client.wait_closed(10s));
    stopper.join();
}

}  // namespace
