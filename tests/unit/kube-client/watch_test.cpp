#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>

#include "client_fixture.hpp"
#include "tshost/kube/informer.hpp"

namespace tk = tshost::kube;
using kubetest::fastOptions;
using kubetest::kTfJobs;
using kubetest::LogCapture;
using kubetest::TestRequest;
using kubetest::TestResponse;
using kubetest::TestServer;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

json object(const std::string& name, const std::string& rv) {
    return json{{"metadata", {{"name", name}, {"resourceVersion", rv}}}};
}

std::string event(const std::string& type, const json& obj) {
    return json{{"type", type}, {"object", obj}}.dump() + "\n";
}

TestResponse listOf(std::vector<json> items, const std::string& rv) {
    return TestResponse::json(
        200, json{{"items", items}, {"metadata", {{"resourceVersion", rv}}}}.dump());
}

TestResponse stream(std::vector<std::string> chunks, bool hold_open, bool close_after = false) {
    TestResponse r;
    r.stream = true;
    r.headers.emplace_back("Content-Type", "application/json");
    r.chunks = std::move(chunks);
    r.hold_open = hold_open;
    r.close_after = close_after;
    return r;
}

// Records values and lets the test wait (bounded) for a condition on them.
template <typename T>
struct Recorder {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<T> items;
    void add(T v) {
        {
            std::lock_guard lock(mutex);
            items.push_back(std::move(v));
        }
        cv.notify_all();
    }
    bool waitFor(std::size_t n, std::chrono::milliseconds timeout = 5s) {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, timeout, [&] { return items.size() >= n; });
    }
    std::vector<T> snapshot() {
        std::lock_guard lock(mutex);
        return items;
    }
};

std::vector<TestRequest> watchRequests(const TestServer& server) {
    std::vector<TestRequest> out;
    for (auto& r : server.requests()) {
        if (r.param("watch") == "1") {
            out.push_back(r);
        }
    }
    return out;
}

}  // namespace

TEST(Watch, ResumesFromTheLastResourceVersionAfterADisconnect) {
    std::atomic<int> watches{0};
    std::string added = event("ADDED", object("b", "11"));
    TestServer server([&](const TestRequest& r) {
        if (r.param("watch") != "1") {
            return listOf({object("a", "5")}, "10");
        }
        if (++watches == 1) {
            // The event split across chunks, a bookmark, then the connection breaks.
            return stream({added.substr(0, 17), added.substr(17),
                           event("BOOKMARK", {{"metadata", {{"resourceVersion", "15"}}}})},
                          false, true);
        }
        return stream({event("MODIFIED", object("b", "16"))}, true);
    });
    LogCapture logs;
    tk::Client client(fastOptions(server.url(), logs));
    Recorder<std::string> events;
    Recorder<std::size_t> relists;
    tk::Cancellation cancel;
    std::thread watcher([&] {
        client.watch(kTfJobs, {"app=nni", "", ""},
                     {[&](const tk::WatchEvent& e) {
                          events.add(std::to_string(static_cast<int>(e.type)) + ":" +
                                     e.object["metadata"]["resourceVersion"].get<std::string>());
                      },
                      [&](const tk::ListResult& l) { relists.add(l.items.size()); }},
                     cancel);
    });
    ASSERT_TRUE(events.waitFor(2));
    auto t0 = std::chrono::steady_clock::now();
    cancel.cancel();
    watcher.join();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 100ms);  // a blocked watch stops promptly

    EXPECT_EQ(events.snapshot(), (std::vector<std::string>{"0:11", "1:16"}));  // no bookmark
    EXPECT_EQ(relists.snapshot(), std::vector<std::size_t>{1});
    auto wr = watchRequests(server);
    ASSERT_EQ(wr.size(), 2u);
    EXPECT_EQ(wr[0].param("resourceVersion"), "10");
    EXPECT_EQ(wr[0].param("allowWatchBookmarks"), "true");
    EXPECT_EQ(wr[0].param("labelSelector"), "app=nni");
    EXPECT_EQ(wr[1].param("resourceVersion"), "15");  // from the bookmark
}

TEST(Watch, GoneRelistsAndRestartsFromTheListVersion) {
    for (bool as_http_status : {false, true}) {
        std::atomic<int> lists{0}, watches{0};
        TestServer server([&](const TestRequest& r) {
            if (r.param("watch") != "1") {
                return ++lists == 1 ? listOf({object("a", "5")}, "10")
                                    : listOf({object("c", "19")}, "20");
            }
            if (++watches == 1) {
                if (as_http_status) {
                    return TestResponse::json(410, R"({"kind":"Status","code":410})");
                }
                return stream(
                    {event("ERROR", {{"kind", "Status"}, {"code", 410}, {"reason", "Expired"}})},
                    true);
            }
            return stream({event("ADDED", object("d", "21"))}, true);
        });
        LogCapture logs;
        tk::Client client(fastOptions(server.url(), logs));
        Recorder<std::string> seen;
        tk::Cancellation cancel;
        std::thread watcher([&] {
            client.watch(kTfJobs, {},
                         {[&](const tk::WatchEvent& e) {
                              seen.add("event:" + e.object["metadata"]["name"].get<std::string>());
                          },
                          [&](const tk::ListResult& l) { seen.add("list:" + l.resource_version); }},
                         cancel);
        });
        ASSERT_TRUE(seen.waitFor(3));
        cancel.cancel();
        watcher.join();
        EXPECT_EQ(seen.snapshot(), (std::vector<std::string>{"list:10", "list:20", "event:d"}))
            << as_http_status;
        auto wr = watchRequests(server);
        ASSERT_EQ(wr.size(), 2u);
        EXPECT_EQ(wr[1].param("resourceVersion"), "20");
    }
}

TEST(Watch, NonRetryableErrorIsThrown) {
    TestServer server([](const TestRequest& r) {
        if (r.param("watch") != "1") {
            return listOf({}, "1");
        }
        return TestResponse::json(403, R"({"kind":"Status","reason":"Forbidden","code":403})");
    });
    LogCapture logs;
    tk::Client client(fastOptions(server.url(), logs));
    tk::Cancellation cancel;
    try {
        client.watch(kTfJobs, {}, {}, cancel);
        FAIL() << "no error";
    } catch (const tk::KubeError& e) {
        EXPECT_EQ(e.code(), 403);
        EXPECT_NE(std::string(e.what()).find("may not watch tfjobs.kubeflow.org"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Informer, TracksObjectsAndSynthesisesDeletesAcrossARelist) {
    std::atomic<int> lists{0}, watches{0};
    TestServer server([&](const TestRequest& r) {
        if (r.param("watch") != "1") {
            return ++lists == 1 ? listOf({object("a", "1"), object("b", "1")}, "10")
                                : listOf({object("a", "12"), object("d", "14")}, "20");
        }
        if (++watches == 1) {
            return stream({event("ADDED", object("c", "11")) + event("MODIFIED", object("a", "12")),
                           event("DELETED", object("b", "13")),
                           event("ERROR", {{"kind", "Status"}, {"code", 410}})},
                          true);
        }
        return stream({}, true);
    });
    LogCapture logs;
    tk::Client client(fastOptions(server.url(), logs));
    Recorder<std::string> calls;
    auto name = [](const json& o) { return o["metadata"]["name"].get<std::string>(); };
    tk::Informer informer(
        client, kTfJobs, "app=nni",
        {[&](const json& o) { calls.add("add " + name(o)); },
         [&](const json& o, const json& n) {
             calls.add("update " + name(o) + " " +
                       o["metadata"]["resourceVersion"].get<std::string>() + "->" +
                       n["metadata"]["resourceVersion"].get<std::string>());
         },
         [&](const json& o) { calls.add("delete " + name(o)); },
         [&](const tk::KubeError& e) { calls.add(std::string("error ") + e.what()); }});
    informer.start();
    ASSERT_TRUE(informer.waitForSync(5s));
    ASSERT_TRUE(calls.waitFor(7)) << calls.snapshot().size();
    ASSERT_TRUE(server.waitForRequests(4, 5s));  // list, watch, list, watch: now blocked

    auto t0 = std::chrono::steady_clock::now();
    informer.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 100ms);

    EXPECT_EQ(calls.snapshot(),
              (std::vector<std::string>{"add a", "add b", "add c", "update a 1->12", "delete b",
                                        "add d", "delete c"}))
        << logs.all();
    std::vector<std::string> names;
    for (const auto& o : informer.objects()) {
        names.push_back(name(o));
    }
    EXPECT_EQ(names, (std::vector<std::string>{"a", "d"}));
    EXPECT_EQ(informer.get("a").value()["metadata"]["resourceVersion"], "12");
    EXPECT_FALSE(informer.get("c"));
}

// Status comes by list + watch; creates and deletes come in bursts (a round of submits, the
// finished jobs of a tick). With the ordinary budget spent and a create queued for the next
// token (100 s away), the informer still lists, watches and delivers at once.
TEST(Informer, ItsListAndWatchDoNotQueueBehindCreatesAndDeletes) {
    std::atomic<int> posts{0};
    TestServer server([&](const TestRequest& r) {
        if (r.method == "POST") {
            ++posts;
            return TestResponse::json(201, r.body);
        }
        if (r.method == "DELETE") {
            return TestResponse::json(200, object("a", "1").dump());
        }
        if (r.param("watch") != "1") {
            return listOf({object("a", "1")}, "1");
        }
        return stream({event("MODIFIED", object("a", "2"))}, true);
    });
    LogCapture logs;
    auto options = fastOptions(server.url(), logs);
    options.qps = 0.01;
    options.burst = 2;
    tk::Client client(options);
    client.create(kTfJobs, object("a", ""));
    client.remove(kTfJobs, "a");
    tk::Cancellation give_up;
    std::thread queued([&] {
        try {
            client.create(kTfJobs, object("b", ""), &give_up);
        } catch (const tk::KubeError&) {
            // Cancelled at the end of the test, still waiting for its token.
        }
    });

    Recorder<std::string> updates;
    tk::Informer informer(client, kTfJobs, "app=nni",
                          {nullptr,
                           [&](const json&, const json& n) {
                               updates.add(n["metadata"]["resourceVersion"].get<std::string>());
                           },
                           nullptr, nullptr});
    informer.start();
    const bool synced = informer.waitForSync(5s);
    const bool updated = updates.waitFor(1);
    const int posted = posts.load();
    informer.stop();
    give_up.cancel();
    queued.join();
    EXPECT_TRUE(synced) << logs.all();
    EXPECT_TRUE(updated) << logs.all();
    EXPECT_EQ(posted, 1) << "the queued create went out early: the ordinary budget is unlimited";
}
