// The trial-metrics server over real TCP on 127.0.0.1 (port 0), driven by a raw socket
// client so that tests control every byte: good batches, every kind of rejection,
// slow and garbage clients, floods, limits and shutdown.
#include <random>
#include <string>
#include <vector>

#include "metrics_server_fixture.hpp"

using namespace tshost::test;

namespace {

json batch(int64_t attempt, const std::string& replica, bool primary,
           const std::vector<std::pair<int64_t, std::string>>& records) {
    json out = {{"attempt", attempt}, {"replica", replica}, {"primary", primary}};
    out["records"] = json::array();
    for (const auto& [seq, data] : records) {
        out["records"].push_back({{"seq", seq}, {"data", data}});
    }
    return out;
}

std::string nni_record(const std::string& trial, int sequence, double value) {
    return json{{"parameter_id", 0},
                {"trial_job_id", trial},
                {"type", "PERIODICAL"},
                {"sequence", sequence},
                {"value", json(value).dump()}}
        .dump();
}

class MetricsServerTest : public MetricsServerFixture {
  protected:
    void start(MetricsServerOptions options = {}) { start_server(std::move(options)); }

    RawConnection connect() { return RawConnection(server_->port()); }

    // One request on a fresh connection.
    std::optional<HttpResponse> post(const std::string& trial, const std::string& token,
                                     const std::string& body) {
        auto c = connect();
        // A send may fail part-way when the server rejects early (413) and closes; the
        // response is still there to read.
        c.send_all(metrics_post(trial, token, body, false));
        return c.read_response();
    }

    std::vector<HostEvent> drain_events() {
        std::vector<HostEvent> out;
        while (auto e = events_.pop(0ms)) {
            out.push_back(std::move(*e));
        }
        return out;
    }
};

TEST_F(MetricsServerTest, AGoodBatchBecomesOneEventPerRecord) {
    start();
    const auto before = std::chrono::system_clock::now();
    // Values with a quote, unicode and a newline: the record text must arrive verbatim.
    const std::vector<std::pair<int64_t, std::string>> records = {
        {0, nni_record("trial-A", 0, 0.5)},
        {1,
         R"({"trial_job_id":"trial-A","type":"FINAL","value":"{\"default\": 0.9, \"n\": \"it's é\\n\"}"})"},
        {7, "not even JSON: the engine judges the record, not the server"},
        {8, std::string("control characters \x01\t\n\r\x1f\x7f \\ \" end")}};
    const auto response =
        post("trial-A", token("trial-A", 2), batch(2, "worker-1", true, records).dump());
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200) << response->body;
    EXPECT_EQ(json::parse(response->body), json({{"accepted", 4}}));
    EXPECT_EQ(response->header("content-type"), "application/json");

    const auto events = drain_events();
    ASSERT_EQ(events.size(), 4u);
    for (size_t i = 0; i < events.size(); ++i) {
        const auto& e = events[i];
        EXPECT_EQ(e.instance, "metrics");
        EXPECT_EQ(e.type, "trial.metric");
        EXPECT_EQ(e.trial_id, "trial-A");
        const auto payload = json::parse(e.payload_json);
        EXPECT_EQ(payload, json({{"replica", "worker-1"},
                                 {"seq", records[i].first},
                                 {"data", records[i].second},
                                 {"primary", true},
                                 {"attempt", 2}}));
        const auto event_time =
            std::chrono::system_clock::time_point(std::chrono::milliseconds(e.time_ms));
        EXPECT_GE(event_time, std::chrono::time_point_cast<std::chrono::milliseconds>(before));
        EXPECT_LE(event_time, std::chrono::system_clock::now());
    }
    const auto stats = server_->stats();
    EXPECT_EQ(stats.accepted_requests, 1u);
    EXPECT_EQ(stats.accepted_records, 4u);
    EXPECT_EQ(stats.rejections(), 0u);
}

TEST_F(MetricsServerTest, PrimaryFalseAndEmptyBatchesAreAccepted) {
    start();
    auto response = post("t1", token("t1"), batch(0, "ps-0", false, {{5, "x"}}).dump());
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    auto events = drain_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(json::parse(events[0].payload_json)["primary"], false);

    response = post("t1", token("t1"), batch(0, "ps-0", false, {}).dump());
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(json::parse(response->body)["accepted"], 0);
    EXPECT_TRUE(drain_events().empty());
}

TEST_F(MetricsServerTest, HealthzAnswers200) {
    start();
    auto c = connect();
    ASSERT_TRUE(c.send_all("GET /tshost/v1/healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto response = c.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(json::parse(response->body)["status"], "ok");
    EXPECT_EQ(server_->stats().health_checks, 1u);
}

TEST_F(MetricsServerTest, AuthorizationFailuresAre401Or403AndNeverQueued) {
    start();
    const auto body = batch(0, "worker-0", true, {{0, nni_record("t1", 0, 1)}}).dump();
    struct Case {
        std::string name, token;
        int status;
    };
    const std::vector<Case> cases = {
        {"no token", "", 401},
        {"not hex", std::string(64, 'z'), 401},
        {"uppercase hex",
         [&] {
             auto t = token("t1");
             for (auto& ch : t) {
                 ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
             }
             return t;
         }(),
         401},
        {"too short", token("t1").substr(0, 32), 401},
        {"another trial's token", token("t2"), 403},
        {"another attempt's token", token("t1", 1), 403},
        {"a made-up token", std::string(64, 'a'), 403},
    };
    for (const auto& c : cases) {
        const auto response = post("t1", c.token, body);
        ASSERT_TRUE(response) << c.name;
        EXPECT_EQ(response->status, c.status) << c.name << ": " << response->body;
        EXPECT_TRUE(json::parse(response->body).contains("error")) << c.name;
        if (c.status == 401) {
            EXPECT_EQ(response->header("www-authenticate"), "Bearer") << c.name;
        }
    }
    // A scheme other than Bearer is a missing token.
    auto conn = connect();
    auto request = metrics_post("t1", "", body, false);
    request.insert(request.find("Content-Length"), "Authorization: Basic dXNlcjpwYXNz\r\n");
    ASSERT_TRUE(conn.send_all(request));
    const auto basic = conn.read_response();
    ASSERT_TRUE(basic);
    EXPECT_EQ(basic->status, 401);

    EXPECT_EQ(events_.size(), 0u);
    const auto stats = server_->stats();
    EXPECT_EQ(stats.unauthorized, 5u);
    EXPECT_EQ(stats.forbidden, 3u);
    EXPECT_EQ(stats.accepted_records, 0u);
    EXPECT_EQ(stats.rejections_by_trial.at("t1"), 8u);
}

// Posts on one keep-alive connection; the status of each.
class KeepAlivePoster {
  public:
    explicit KeepAlivePoster(uint16_t port) : connection_(port) {}
    int post(const std::string& trial, const std::string& token, int64_t attempt = 0) {
        const auto body = batch(attempt, "worker-0", true, {{seq_, nni_record(trial, 0, 0.5)}});
        ++seq_;
        if (!connection_.send_all(metrics_post(trial, token, body.dump(), true))) {
            return -1;
        }
        const auto response = connection_.read_response();
        return response ? response->status : -1;
    }

  private:
    RawConnection connection_;
    int64_t seq_ = 0;
};

TEST_F(MetricsServerTest, AKeepAliveConnectionProvesItsTokenOnce) {
    start();
    KeepAlivePoster agent(server_->port());
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(agent.post("t1", token("t1")), 200) << i;
    }
    EXPECT_EQ(server_->stats().token_verifications, 1u) << "the same token on the same connection";
    KeepAlivePoster other(server_->port());
    EXPECT_EQ(other.post("t1", token("t1")), 200);
    EXPECT_EQ(server_->stats().token_verifications, 2u) << "another connection proves it afresh";
    EXPECT_EQ(server_->stats().accepted_records, 6u);
}

TEST_F(MetricsServerTest, AnyOtherTokenOnAProvenConnectionIsVerifiedAfresh) {
    start();
    KeepAlivePoster agent(server_->port());
    ASSERT_EQ(agent.post("t1", token("t1")), 200);
    // The proven token with its last character changed, another trial's token, the proven
    // token for another trial and for another attempt: each is checked, each refused.
    std::string altered = token("t1");
    altered.back() = altered.back() == '0' ? '1' : '0';
    EXPECT_EQ(agent.post("t1", altered), 403);
    EXPECT_EQ(agent.post("t1", token("t2")), 403);
    EXPECT_EQ(agent.post("t2", token("t1")), 403);
    EXPECT_EQ(agent.post("t1", token("t1"), 1), 403);
    EXPECT_EQ(server_->stats().token_verifications, 5u);
    // A valid token for another trial is accepted and becomes the connection's; the first
    // one is then verified again.
    EXPECT_EQ(agent.post("t2", token("t2")), 200);
    EXPECT_EQ(agent.post("t1", token("t1")), 200);
    EXPECT_EQ(agent.post("t1", token("t1", 1), 1), 200);
    EXPECT_EQ(agent.post("t1", token("t1", 1), 1), 200);
    EXPECT_EQ(server_->stats().token_verifications, 8u);
    EXPECT_EQ(server_->stats().forbidden, 4u);
    EXPECT_EQ(server_->stats().accepted_records, 5u);
}

TEST_F(MetricsServerTest, MalformedBodiesAre400WithAMessageNamingTheProblem) {
    start();
    const auto good = batch(0, "worker-0", true, {{0, "x"}});
    auto with = [&](const std::function<void(json&)>& change) {
        json b = good;
        change(b);
        return b.dump();
    };
    struct Case {
        std::string body, expected_words;
    };
    const std::vector<Case> cases = {
        {"{not json", "not valid JSON"},
        {"", "not valid JSON"},
        {"[1,2]", "JSON object"},
        {with([](json& b) { b.erase("attempt"); }), "\"attempt\""},
        {with([](json& b) { b["attempt"] = -1; }), "\"attempt\""},
        {with([](json& b) { b["attempt"] = "0"; }), "\"attempt\""},
        {with([](json& b) { b["attempt"] = 0.5; }), "\"attempt\""},
        {with([](json& b) { b.erase("replica"); }), "\"replica\""},
        {with([](json& b) { b["replica"] = ""; }), "\"replica\""},
        {with([](json& b) { b["replica"] = "a/b"; }), "\"replica\""},
        {with([](json& b) { b["replica"] = std::string(129, 'r'); }), "\"replica\""},
        {with([](json& b) { b["replica"] = 3; }), "\"replica\""},
        {with([](json& b) { b.erase("primary"); }), "\"primary\""},
        {with([](json& b) { b["primary"] = "yes"; }), "\"primary\""},
        {with([](json& b) { b.erase("records"); }), "\"records\""},
        {with([](json& b) { b["records"] = json::object(); }), "\"records\""},
        {with([](json& b) { b["records"].push_back(7); }), "records[1] must be an object"},
        {with([](json& b) { b["records"][0]["seq"] = "1"; }), "records[0].seq"},
        {with([](json& b) { b["records"][0]["seq"] = -1; }), "records[0].seq"},
        {with([](json& b) { b["records"][0]["seq"] = 1.5; }), "records[0].seq"},
        {with([](json& b) { b["records"][0].erase("seq"); }), "records[0].seq"},
        {with([](json& b) { b["records"][0].erase("data"); }), "records[0].data"},
        {with([](json& b) { b["records"][0]["data"] = 0.5; }), "records[0].data"},
        {with([](json& b) { b["records"][0]["data"] = std::string(1'000'001, 'd'); }),
         "records[0].data is over"},
    };
    for (const auto& c : cases) {
        const auto response = post("t1", token("t1"), c.body);
        ASSERT_TRUE(response) << c.body.substr(0, 80);
        EXPECT_EQ(response->status, 400) << c.body.substr(0, 80);
        EXPECT_THAT(json::parse(response->body).value("error", ""), HasSubstr(c.expected_words))
            << c.body.substr(0, 80);
    }
    // 1,000,000 bytes is exactly NNI's limit: accepted.
    const auto at_limit =
        post("t1", token("t1"),
             with([](json& b) { b["records"][0]["data"] = std::string(1'000'000, 'd'); }));
    ASSERT_TRUE(at_limit);
    EXPECT_EQ(at_limit->status, 200);
    // A batch with one bad record queues none of its records.
    EXPECT_EQ(events_.size(), 1u);
    const auto stats = server_->stats();
    EXPECT_EQ(stats.bad_request, cases.size());
    EXPECT_EQ(stats.rejections_by_trial.at("t1"), cases.size());
}

TEST_F(MetricsServerTest, PathsAndMethods) {
    start();
    auto send = [&](const std::string& request) {
        auto c = connect();
        EXPECT_TRUE(c.send_all(request));
        return c.read_response();
    };
    auto r = send("GET /tshost/v1/trials/t1/metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 405);
    EXPECT_EQ(r->header("allow"), "POST");
    r = send("POST /tshost/v1/healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 405);
    EXPECT_EQ(r->header("allow"), "GET");
    for (const std::string path :
         {"/", "/tshost/v1/trials//metrics", "/tshost/v1/trials/a/b/metrics",
          "/tshost/v1/trials/t1/metricsx", "/nni/metrics"}) {
        r = send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(r->status, 404) << path;
    }
    for (const std::string& id : std::vector<std::string>{"t%201", "t$1", std::string(129, 't')}) {
        r = send(metrics_post(id, token(id), batch(0, "w-0", true, {}).dump()));
        ASSERT_TRUE(r) << id;
        EXPECT_EQ(r->status, 400) << id;
        EXPECT_THAT(r->body, HasSubstr("trial id"));
    }
    const auto stats = server_->stats();
    EXPECT_EQ(stats.method_not_allowed, 2u);
    EXPECT_EQ(stats.not_found, 5u);
    EXPECT_EQ(stats.bad_request, 3u);
    // Only the well-formed trial id is tracked (the 405 on t1); invalid ids are not trial ids.
    EXPECT_EQ(stats.rejections_by_trial, (std::map<std::string, uint64_t>{{"t1", 1}}));
}

TEST_F(MetricsServerTest, AnOversizedBodyIs413) {
    EXPECT_EQ(MetricsServerOptions{}.body_limit, 8u << 20);
    start();
    json b = batch(0, "worker-0", true, {});
    // Nine records just under NNI's per-record limit: a well-formed body over 8 MiB.
    for (int i = 0; i < 9; ++i) {
        b["records"].push_back({{"seq", i}, {"data", std::string(999'000, 'v')}});
    }
    const std::string body = b.dump();
    ASSERT_GT(body.size(), 8u << 20);
    const auto response = post("t1", token("t1"), body);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
    EXPECT_THAT(response->body, HasSubstr("limit"));
    EXPECT_EQ(events_.size(), 0u);
    const auto stats = server_->stats();
    EXPECT_EQ(stats.payload_too_large, 1u);
    EXPECT_EQ(stats.rejections_by_trial.at("t1"), 1u);

    // The same without Content-Length (chunked): the limit applies as the body arrives.
    auto c = connect();
    std::string request =
        "POST /tshost/v1/trials/t1/metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
        token("t1") + "\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (size_t off = 0; off < body.size(); off += 1 << 20) {
        const auto piece = body.substr(off, 1 << 20);
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
        request += size + piece + "\r\n";
    }
    request += "0\r\n\r\n";
    c.send_all(request);  // may fail part-way: the server stops reading at the limit
    const auto chunked = c.read_response();
    ASSERT_TRUE(chunked);
    EXPECT_EQ(chunked->status, 413);
    EXPECT_EQ(server_->stats().payload_too_large, 2u);
}

TEST_F(MetricsServerTest, AnOversizedHeaderIs431) {
    MetricsServerOptions options;
    options.header_limit = 4096;
    start(options);
    auto c = connect();
    ASSERT_TRUE(c.send_all("POST /tshost/v1/trials/t1/metrics HTTP/1.1\r\nX-Pad: " +
                           std::string(8000, 'p') + "\r\n\r\n"));
    const auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 431);
    EXPECT_EQ(server_->stats().header_too_large, 1u);
}

TEST_F(MetricsServerTest, ASlowClientIsCutAfterTheRequestTimeout) {
    MetricsServerOptions options;
    options.request_timeout = 300ms;
    start(options);
    auto c = connect();
    const auto sent = std::chrono::steady_clock::now();
    ASSERT_TRUE(c.send_all("POST /tshost/v1/trials/t1/metrics HTTP/1.1\r\nHost: x\r\n"));
    ASSERT_TRUE(c.wait_closed(5s)) << "a half-sent header kept its connection";
    EXPECT_GE(std::chrono::steady_clock::now() - sent, 250ms);
    EXPECT_TRUE(eventually([&] { return server_->stats().connections_timed_out == 1; }));
    EXPECT_TRUE(eventually([&] { return server_->stats().active_connections == 0; }));
}

// A client that keeps sending a byte at a time (slowloris) is cut too: the deadline covers
// the whole request and is not extended by each byte.
TEST_F(MetricsServerTest, ATricklingClientIsCutAtTheSameDeadline) {
    MetricsServerOptions options;
    options.request_timeout = 300ms;
    start(options);
    auto c = connect();
    const auto sent = std::chrono::steady_clock::now();
    const std::string header =
        "POST /tshost/v1/trials/t1/metrics HTTP/1.1\r\nX-Slow: " + std::string(1000, 's');
    bool closed = false;
    for (const char ch : header) {
        // Pacing, not synchronisation: the closure is detected by wait_closed below.
        if (!c.send_all(std::string_view(&ch, 1)) || c.wait_closed(20ms)) {
            closed = true;
            break;
        }
    }
    ASSERT_TRUE(closed || c.wait_closed(5s));
    const auto elapsed = std::chrono::steady_clock::now() - sent;
    EXPECT_GE(elapsed, 250ms);
    EXPECT_LT(elapsed, 5s);
}

TEST_F(MetricsServerTest, AnIdleKeepAliveConnectionIsClosedAfterTheTimeout) {
    MetricsServerOptions options;
    options.request_timeout = 300ms;
    start(options);
    auto c = connect();
    ASSERT_TRUE(c.send_all(metrics_post("t1", token("t1"), batch(0, "w-0", true, {}).dump())));
    const auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    ASSERT_TRUE(c.wait_closed(5s));
}

TEST_F(MetricsServerTest, TenThousandMalformedPostsOverKeepAliveAreAllRejected) {
    start();
    auto c = connect();
    constexpr int kPosts = 10'000;
    int bad_request = 0, forbidden = 0;
    for (int i = 0; i < kPosts; ++i) {
        std::string request;
        switch (i % 4) {
            case 0:  // not JSON
                request = metrics_post("t1", token("t1"), "{\"attempt\":0,");
                ++bad_request;
                break;
            case 1:  // non-numeric seq
                request = metrics_post(
                    "t1", token("t1"),
                    R"({"attempt":0,"replica":"w-0","primary":true,"records":[{"seq":"x","data":"d"}]})");
                ++bad_request;
                break;
            case 2:  // another trial's token
                request = metrics_post("t1", token("t2"), batch(0, "w-0", true, {{0, "d"}}).dump());
                ++forbidden;
                break;
            default:  // another attempt's token
                request =
                    metrics_post("t1", token("t1", 1), batch(0, "w-0", true, {{0, "d"}}).dump());
                ++forbidden;
                break;
        }
        ASSERT_TRUE(c.send_all(request)) << "post " << i;
        const auto r = c.read_response();
        ASSERT_TRUE(r) << "post " << i;
        ASSERT_EQ(r->status, i % 4 < 2 ? 400 : 403) << "post " << i;
    }
    // The experiment carries on: the same connection still takes a good batch.
    ASSERT_TRUE(
        c.send_all(metrics_post("t1", token("t1"), batch(0, "w-0", true, {{0, "ok"}}).dump())));
    const auto good = c.read_response();
    ASSERT_TRUE(good);
    EXPECT_EQ(good->status, 200);
    const auto events = drain_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(json::parse(events[0].payload_json)["data"], "ok");

    const auto stats = server_->stats();
    EXPECT_EQ(stats.bad_request, static_cast<uint64_t>(bad_request));
    EXPECT_EQ(stats.forbidden, static_cast<uint64_t>(forbidden));
    EXPECT_EQ(stats.rejections(), static_cast<uint64_t>(kPosts));
    EXPECT_EQ(stats.rejections_by_trial.at("t1"), static_cast<uint64_t>(kPosts));
    EXPECT_EQ(stats.requests, static_cast<uint64_t>(kPosts + 1));
    EXPECT_EQ(stats.connections_accepted, 1u);
}

TEST_F(MetricsServerTest, PerTrialRejectionCountsAreBounded) {
    start();
    auto c = connect();
    const auto body = batch(0, "w-0", true, {}).dump();
    const auto wrong = std::string(64, 'a');
    const size_t trials = MetricsServer::kMaxTrackedTrials + 5;
    for (size_t i = 0; i < trials; ++i) {
        ASSERT_TRUE(c.send_all(metrics_post("t" + std::to_string(i), wrong, body)));
        const auto r = c.read_response();
        ASSERT_TRUE(r);
        ASSERT_EQ(r->status, 403);
    }
    // A tracked trial keeps being counted once the map is full.
    ASSERT_TRUE(c.send_all(metrics_post("t0", wrong, body)));
    ASSERT_TRUE(c.read_response());
    const auto stats = server_->stats();
    EXPECT_EQ(stats.rejections_by_trial.size(), MetricsServer::kMaxTrackedTrials);
    EXPECT_EQ(stats.untracked_rejections, 5u);
    EXPECT_EQ(stats.rejections_by_trial.at("t0"), 2u);
    EXPECT_EQ(stats.forbidden, trials + 1);
}

TEST_F(MetricsServerTest, ConnectionsBeyondTheLimitAreClosedAtOnce) {
    MetricsServerOptions options;
    options.max_connections = 2;
    start(options);
    auto health = [](RawConnection& c) {
        if (!c.send_all("GET /tshost/v1/healthz HTTP/1.1\r\nHost: x\r\n\r\n")) {
            return false;
        }
        const auto r = c.read_response(5s);
        return r && r->status == 200;
    };
    auto a = connect();
    auto b = connect();
    ASSERT_TRUE(health(a));
    ASSERT_TRUE(health(b));
    auto extra = connect();
    EXPECT_TRUE(extra.wait_closed(5s));
    EXPECT_EQ(server_->stats().connections_refused, 1u);
    // The held connections are unaffected, and a slot freed is usable again.
    EXPECT_TRUE(health(a));
    { RawConnection gone = std::move(b); }
    ASSERT_TRUE(eventually([&] { return server_->stats().active_connections == 1; }));
    auto again = connect();
    EXPECT_TRUE(health(again));
}

TEST_F(MetricsServerTest, GarbageAndHalfClosedConnectionsNeverHurtTheServer) {
    start();
    std::mt19937 rng(12345);
    const std::string good =
        metrics_post("t1", token("t1"), batch(0, "w-0", true, {{0, "d"}}).dump());
    for (int i = 0; i < 300; ++i) {
        auto c = connect();
        std::string bytes;
        switch (i % 3) {
            case 0:  // random bytes
                bytes.resize(1 + rng() % 2000);
                for (auto& ch : bytes) {
                    ch = static_cast<char>(rng());
                }
                break;
            case 1: {  // a valid request with bytes flipped
                bytes = good;
                const int flips = 1 + static_cast<int>(rng() % 5);
                for (int f = 0; f < flips; ++f) {
                    bytes[rng() % bytes.size()] = static_cast<char>(rng());
                }
                break;
            }
            default:  // a valid request cut short
                bytes = good.substr(0, rng() % good.size());
                break;
        }
        c.send_all(bytes);
        c.shutdown_write();
        // Whatever it answers, the server must close the connection after our half-close.
        ASSERT_TRUE(c.wait_closed(5s)) << "connection " << i;
    }
    // A complete request followed by a half-close still gets its answer.
    auto c = connect();
    ASSERT_TRUE(c.send_all(good));
    c.shutdown_write();
    const auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(c.wait_closed(5s));
    EXPECT_TRUE(eventually([&] { return server_->stats().active_connections == 0; }));
    EXPECT_TRUE(post("t1", token("t1"), batch(0, "w-0", true, {{1, "d"}}).dump()).has_value());
}

TEST_F(MetricsServerTest, ExpectContinueIsHonoured) {
    start();
    auto c = connect();
    const std::string body = batch(0, "w-0", true, {{0, "d"}}).dump();
    std::string request = metrics_post("t1", token("t1"), body);
    const auto header_end = request.find("\r\n\r\n");
    ASSERT_TRUE(c.send_all(request.substr(0, header_end) + "\r\nExpect: 100-continue\r\n\r\n"));
    const auto interim = c.read_response();
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->status, 100);
    ASSERT_TRUE(c.send_all(body));
    const auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
}

TEST_F(MetricsServerTest, DrainAnswers503AndStopClosesEverything) {
    start();
    auto held = connect();
    ASSERT_TRUE(held.send_all(metrics_post("t1", token("t1"), batch(0, "w-0", true, {}).dump())));
    ASSERT_TRUE(held.read_response());
    server_->drain();
    ASSERT_TRUE(
        held.send_all(metrics_post("t1", token("t1"), batch(0, "w-0", true, {{0, "d"}}).dump())));
    const auto r = held.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
    EXPECT_EQ(r->header("retry-after"), "1");
    EXPECT_TRUE(held.wait_closed(5s));
    EXPECT_EQ(events_.size(), 0u);
    // New connections are closed at once while draining.
    auto late = connect();
    EXPECT_TRUE(late.wait_closed(5s));

    const uint16_t port = server_->port();
    auto idle = connect();  // refused (draining), but stop() must not wait on it either
    server_->stop();
    server_->stop();  // idempotent
    EXPECT_THROW(RawConnection{port}, std::runtime_error);
    EXPECT_EQ(server_->stats().unavailable, 1u);
}

TEST_F(MetricsServerTest, StopClosesOpenConnections) {
    start();
    auto c = connect();
    ASSERT_TRUE(c.send_all("POST /tshost/v1/trials/t1/metrics HTTP/1.1\r\n"));  // stalls
    ASSERT_TRUE(eventually([&] { return server_->stats().active_connections == 1; }));
    server_->stop();
    EXPECT_TRUE(c.wait_closed(5s));
    EXPECT_EQ(server_->stats().active_connections, 0u);
}

TEST_F(MetricsServerTest, AFullQueueAnswers503SoTheAgentRetries) {
    MetricsServerOptions options;
    options.max_queued_events = 2;
    start(options);
    const auto body = batch(0, "w-0", true, {{0, "a"}, {1, "b"}}).dump();
    auto r = post("t1", token("t1"), body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    r = post("t1", token("t1"), body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
    drain_events();
    r = post("t1", token("t1"), body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
}

TEST_F(MetricsServerTest, SeveralThreadsAndClientsLoseNothing) {
    MetricsServerOptions options;
    options.threads = 2;
    start(options);
    constexpr int kClients = 4, kPosts = 250;
    std::vector<std::thread> clients;
    std::atomic<int> ok{0};
    for (int t = 0; t < kClients; ++t) {
        clients.emplace_back([&, t] {
            const std::string trial = "trial-" + std::to_string(t);
            RawConnection c(server_->port());
            for (int i = 0; i < kPosts; ++i) {
                if (!c.send_all(metrics_post(
                        trial, token(trial),
                        batch(0, "w-0", true, {{2 * i, "a"}, {2 * i + 1, "b"}}).dump()))) {
                    return;
                }
                const auto r = c.read_response();
                if (r && r->status == 200) {
                    ++ok;
                }
            }
        });
    }
    for (auto& t : clients) {
        t.join();
    }
    EXPECT_EQ(ok.load(), kClients * kPosts);
    EXPECT_EQ(events_.size(), static_cast<size_t>(2 * kClients * kPosts));
    EXPECT_EQ(server_->stats().accepted_records, static_cast<uint64_t>(2 * kClients * kPosts));
}

TEST(MetricsServerStart, BindFailuresAndTlsAreClearErrors) {
    auto tokens = TrialTokens::from_key(test_key());
    EventQueue events;
    MetricsServerOptions options;
    options.bind_address = "127.0.0.1";
    MetricsServer first(tokens, events, options);
    first.start();
    options.port = first.port();
    MetricsServer second(tokens, events, options);
    try {
        second.start();
        ADD_FAILURE() << "two servers on one port";
    } catch (const std::runtime_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("127.0.0.1:" + std::to_string(first.port())));
    }
    options.port = 0;
    options.bind_address = "not-an-address";
    MetricsServer bad(tokens, events, options);
    EXPECT_THROW(bad.start(), std::runtime_error);
    options.bind_address = "127.0.0.1";
    options.tls = tshost::metrics::TlsOptions{};
    MetricsServer tls(tokens, events, options);
    EXPECT_THROW(tls.start(), std::runtime_error);
    EXPECT_EQ(MetricsServerOptions{}.bind_address, "0.0.0.0");
}

}  // namespace
