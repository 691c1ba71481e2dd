#include <gtest/gtest.h>

#include <atomic>

#include "client_fixture.hpp"

namespace tk = tshost::kube;
using kubetest::fastOptions;
using kubetest::kTfJobs;
using kubetest::LogCapture;
using kubetest::TestRequest;
using kubetest::TestResponse;
using kubetest::TestServer;
using json = nlohmann::json;

namespace {

std::string obj(const std::string& name, const std::string& rv = "1") {
    return json{{"metadata", {{"name", name}, {"resourceVersion", rv}}}}.dump();
}

}  // namespace

TEST(Client, CrudRequestsHaveTheRightShape) {
    TestServer server([](const TestRequest& r) {
        if (r.method == "POST") {
            return TestResponse::json(201, r.body);
        }
        return TestResponse::json(200, obj("j1"));
    });
    LogCapture logs;
    tk::Client client(fastOptions(server.url(), logs));
    json job = {
        {"apiVersion", "kubeflow.org/v1"}, {"kind", "TFJob"}, {"metadata", {{"name", "j1"}}}};
    auto created = client.create(kTfJobs, job);
    EXPECT_FALSE(created.recovered_after_ambiguous_failure);
    EXPECT_EQ(created.object["kind"], "TFJob");
    EXPECT_EQ(client.get(kTfJobs, "j1")["metadata"]["name"], "j1");
    client.patch(kTfJobs, "j1", json{{"metadata", {{"labels", {{"a", "b"}}}}}});
    client.remove(kTfJobs, "j1");
    tk::ResourceRef secrets{"", "v1", "secrets", "other-ns"};
    client.removeCollection(secrets, "app=nni,expId=e1",
                            tk::DeleteOptions{tk::PropagationPolicy::kForeground, 0});

    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 5u);
    EXPECT_EQ(reqs[0].method, "POST");
    EXPECT_EQ(reqs[0].path, "/apis/kubeflow.org/v1/namespaces/ns1/tfjobs");
    EXPECT_EQ(reqs[0].headers.at("content-type"), "application/json");
    EXPECT_EQ(reqs[0].headers.at("authorization"), "Bearer the-bearer-token-1234");
    EXPECT_EQ(json::parse(reqs[0].body), job);
    EXPECT_EQ(reqs[1].method, "GET");
    EXPECT_EQ(reqs[1].path, "/apis/kubeflow.org/v1/namespaces/ns1/tfjobs/j1");
    EXPECT_EQ(reqs[2].method, "PATCH");
    EXPECT_EQ(reqs[2].headers.at("content-type"), "application/merge-patch+json");
    EXPECT_EQ(reqs[3].method, "DELETE");
    EXPECT_EQ(reqs[3].param("propagationPolicy"), "Background");
    EXPECT_EQ(reqs[4].method, "DELETE");
    EXPECT_EQ(reqs[4].path, "/api/v1/namespaces/other-ns/secrets");
    EXPECT_EQ(reqs[4].param("labelSelector"), "app=nni,expId=e1");
    EXPECT_EQ(reqs[4].param("propagationPolicy"), "Foreground");
    EXPECT_EQ(reqs[4].param("gracePeriodSeconds"), "0");
    // Keep-alive: one pooled handle, one connection for all sequential requests.
    EXPECT_EQ(server.connections(), 1);
}

TEST(Client, ListCollectsAllPages) {
    TestServer server([](const TestRequest& r) {
        std::string token = r.param("continue");
        int page = token.empty() ? 0 : std::stoi(token);
        json items = json::array();
        for (int i = 0; i < 2; ++i) {
            items.push_back(json::parse(obj("job" + std::to_string(page * 2 + i))));
        }
        json meta = {{"resourceVersion", page == 0 ? "100" : "999"}};
        if (page < 2) {
            meta["continue"] = std::to_string(page + 1);
        }
        return TestResponse::json(200, json{{"items", items}, {"metadata", meta}}.dump());
    });
    LogCapture logs;
    tk::Client client(fastOptions(server.url(), logs));
    auto result = client.list(kTfJobs, {"app=nni", "", 2, ""});
    ASSERT_EQ(result.items.size(), 6u);
    EXPECT_EQ(result.items[5]["metadata"]["name"], "job5");
    EXPECT_EQ(result.resource_version, "100");  // the snapshot of the first page
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 3u);
    for (const auto& r : reqs) {
        EXPECT_EQ(r.param("labelSelector"), "app=nni");
        EXPECT_EQ(r.param("limit"), "2");
    }
    EXPECT_EQ(reqs[2].param("continue"), "2");
}

TEST(Client, RetriesServerErrorsHonouringRetryAfter) {
    std::atomic<int> calls{0};
    TestServer server([&](const TestRequest&) {
        int n = ++calls;
        if (n == 1) {
            auto r = TestResponse::json(429, R"({"kind":"Status","reason":"TooManyRequests"})");
            r.headers.emplace_back("Retry-After", "0");
            return r;
        }
        if (n == 2) {
            return TestResponse::json(503, "{}");
        }
        return TestResponse::json(200, obj("j1"));
    });
    LogCapture logs;
    tk::Client client(fastOptions(server.url(), logs));
    EXPECT_EQ(client.get(kTfJobs, "j1")["metadata"]["name"], "j1");
    EXPECT_EQ(calls.load(), 3);
    EXPECT_NE(logs.all().find("retrying"), std::string::npos);
}

TEST(Client, GivesUpAtTheDeadlineWithTheLastError) {
    TestServer server([](const TestRequest&) { return TestResponse::json(500, "{}"); });
    LogCapture logs;
    auto o = fastOptions(server.url(), logs);
    o.retry_deadline = std::chrono::milliseconds(200);
    tk::Client client(o);
    try {
        client.get(kTfJobs, "j1");
        FAIL() << "no error";
    } catch (const tk::KubeError& e) {
        EXPECT_EQ(e.code(), 500);
        EXPECT_NE(std::string(e.what()).find("gave up after"), std::string::npos) << e.what();
    }
    EXPECT_GE(server.requests().size(), 2u);
}

TEST(Client, CreateIsNotRetriedOnAProcessedLooking5xx) {
    TestServer server([](const TestRequest&) { return TestResponse::json(500, "{}"); });
    LogCapture logs;
    tk::Client client(fastOptions(server.url(), logs));
    EXPECT_THROW(client.create(kTfJobs, json::parse(obj("j1"))), tk::KubeError);
    EXPECT_EQ(server.requests().size(), 1u);
}

TEST(Client, CreateIsRetriedWhenTheServerSaysItWasNotProcessed) {
    std::atomic<int> calls{0};
    TestServer server([&](const TestRequest& r) {
        if (++calls == 1) {
            auto resp = TestResponse::json(503, "{}");
            resp.headers.emplace_back("Retry-After", "0");
            return resp;
        }
        return TestResponse::json(201, r.body);
    });
    LogCapture logs;
    tk::Client client(fastOptions(server.url(), logs));
    auto result = client.create(kTfJobs, json::parse(obj("j1")));
    EXPECT_FALSE(result.recovered_after_ambiguous_failure);
    EXPECT_EQ(calls.load(), 2);
}

TEST(Client, AmbiguousCreateChecksWhetherTheObjectExists) {
    std::atomic<bool> exists{false};
    TestServer server([&](const TestRequest& r) {
        if (r.method == "POST") {
            exists = true;
            TestResponse drop;  // the create lands, the answer is lost
            drop.drop = true;
            return drop;
        }
        return exists ? TestResponse::json(200, obj("j1", "55"))
                      : TestResponse::json(404, R"({"kind":"Status","reason":"NotFound"})");
    });
    LogCapture logs;
    tk::Client client(fastOptions(server.url(), logs));
    auto result = client.create(kTfJobs, json::parse(obj("j1")));
    EXPECT_TRUE(result.recovered_after_ambiguous_failure);
    EXPECT_EQ(result.object["metadata"]["resourceVersion"], "55");
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_EQ(reqs[1].method, "GET");
}

TEST(Client, AmbiguousCreateThatDidNotLandIsSentAgain) {
    std::atomic<int> posts{0};
    TestServer server([&](const TestRequest& r) {
        if (r.method == "POST") {
            if (++posts == 1) {
                TestResponse drop;  // lost before the server acted
                drop.drop = true;
                return drop;
            }
            return TestResponse::json(201, r.body);
        }
        return TestResponse::json(404, R"({"kind":"Status","reason":"NotFound","details":{}})");
    });
    LogCapture logs;
    tk::Client client(fastOptions(server.url(), logs));
    auto result = client.create(kTfJobs, json::parse(obj("j1")));
    EXPECT_FALSE(result.recovered_after_ambiguous_failure);
    EXPECT_EQ(posts.load(), 2);
}

TEST(Client, ConnectionRefusedIsRetriedThenReported) {
    int port = 0;
    {
        TestServer gone([](const TestRequest&) { return TestResponse::json(200, "{}"); });
        port = std::stoi(gone.url().substr(gone.url().rfind(':') + 1));
    }  // closed: connecting is refused
    LogCapture logs;
    auto o = fastOptions("http://127.0.0.1:" + std::to_string(port), logs);
    o.retry_deadline = std::chrono::milliseconds(100);
    tk::Client client(o);
    try {
        client.create(kTfJobs, json::parse(obj("j1")));
        FAIL() << "no error";
    } catch (const tk::KubeError& e) {
        EXPECT_EQ(e.reason(), "ConnectionFailed");
        EXPECT_TRUE(e.retryable());
        EXPECT_NE(std::string(e.what()).find("create tfjobs.kubeflow.org j1"), std::string::npos);
    }
    EXPECT_NE(logs.all().find("retrying"), std::string::npos);  // refused = not sent = safe
}

TEST(Client, RotatedTokenFileIsPickedUpOn401) {
    kubetest::TempDir dir;
    std::string token_file = kubetest::writeFile(dir.file("token"), "old-token-aaaa\n");
    TestServer server([](const TestRequest& r) {
        if (r.headers.at("authorization") != "Bearer new-token-bbbb") {
            return TestResponse::json(401, R"({"kind":"Status","reason":"Unauthorized"})");
        }
        return TestResponse::json(200, obj("j1"));
    });
    LogCapture logs;
    auto o = fastOptions(server.url(), logs);
    o.config.token.clear();
    o.config.token_file = token_file;
    tk::Client client(o);
    try {
        client.get(kTfJobs, "j1");
        FAIL() << "old token accepted";
    } catch (const tk::KubeError& e) {
        EXPECT_EQ(e.code(), 401);
        EXPECT_NE(std::string(e.what()).find("context test-ctx"), std::string::npos);
    }
    kubetest::writeFile(token_file, "new-token-bbbb");  // the kubelet rotates it
    EXPECT_EQ(client.get(kTfJobs, "j1")["metadata"]["name"], "j1");
    std::string all = logs.all();
    EXPECT_EQ(all.find("old-token-aaaa"), std::string::npos);
    EXPECT_EQ(all.find("new-token-bbbb"), std::string::npos);
}

TEST(Client, RateLimiterDelaysBeyondTheBurst) {
    TestServer server([](const TestRequest&) { return TestResponse::json(200, obj("j1")); });
    LogCapture logs;
    auto o = fastOptions(server.url(), logs);
    o.qps = 20;
    o.burst = 2;
    tk::Client client(o);
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 4; ++i) {
        client.get(kTfJobs, "j1");
    }
    // Two free, then two at 20 QPS: at least ~100 ms in total.
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(90));
}

TEST(Client, NoSecretInLogsOrErrors) {
    const std::string token = "super-secret-token-value";
    TestServer server([&](const TestRequest& r) {
        // A hostile/buggy server echoing the credentials back.
        return TestResponse::json(
            403, json{{"kind", "Status"},
                      {"reason", "Forbidden"},
                      {"message", "denied for " + r.headers.at("authorization") + " " + token}}
                     .dump());
    });
    LogCapture logs;
    auto o = fastOptions(server.url(), logs);
    o.config.token = token;
    o.config.client_key_pem = "-----BEGIN KEY----- keydata -----END KEY-----";
    tk::Client client(o);
    std::string message;
    try {
        client.list(kTfJobs);
    } catch (const tk::KubeError& e) {
        message = e.what();
    }
    EXPECT_NE(message.find("403 Forbidden"), std::string::npos) << message;
    for (const std::string& text : {message, logs.all()}) {
        EXPECT_EQ(text.find(token), std::string::npos) << text;
        EXPECT_EQ(text.find("keydata"), std::string::npos) << text;
    }
}
