// The client against the emulator's fault injection: added latency per verb, dropped watch
// streams, forced 410 Gone, a job deleted behind the host's back, a pod whose image never pulls,
// 429/5xx bursts. Every wait is on a condition with a deadline; request counts come from the
// emulator (GET /emulator/v1/stats), not from the client.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "emulator_process.hpp"
#include "test_server.hpp"
#include "tshost/kube/client.hpp"
#include "tshost/kube/informer.hpp"

namespace tk = tshost::kube;
using json = nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const tk::ResourceRef kSecrets{"", "v1", "secrets", ""};
const tk::ResourceRef kTfJobs{"kubeflow.org", "v1", "tfjobs", ""};
const tk::ResourceRef kPods{"", "v1", "pods", ""};

// One emulator, a client without a client-side rate limit and with fast retries, and the
// emulator's control endpoints.
struct Fixture {
    kubetest::TempDir dir;
    kubetest::EmulatorProcess emulator{KUBE_EMULATOR_BIN, dir.path};
    tk::ResolvedConfig cfg = [this] {
        auto c = emulator.config(20s);
        if (!c) {
            throw std::runtime_error("the emulator did not write its kubeconfig");
        }
        return *c;
    }();
    kubetest::EmulatorControl control{cfg};
    tk::Client client{options()};

    tk::ClientOptions options() const {
        tk::ClientOptions o;
        o.config = cfg;
        o.qps = 0;
        o.retry_deadline = 15s;
        o.backoff_base = 10ms;
        o.backoff_max = 100ms;
        return o;
    }
};

json secret(const std::string& name, const std::string& value = "v") {
    return {{"apiVersion", "v1"},
            {"kind", "Secret"},
            {"metadata", {{"name", name}, {"labels", {{"app", "faults"}}}}},
            {"stringData", {{"k", value}}}};
}

json tfjob(const std::string& name, const std::vector<std::string>& command,
           const std::string& image = "busybox") {
    json container = {{"name", "tensorflow"}, {"image", image}, {"command", command}};
    return {{"apiVersion", "kubeflow.org/v1"},
            {"kind", "TFJob"},
            {"metadata", {{"name", name}, {"labels", {{"app", "faults"}}}}},
            {"spec",
             {{"tfReplicaSpecs",
               {{"Worker",
                 {{"replicas", 1},
                  {"restartPolicy", "Never"},
                  {"template", {{"spec", {{"containers", {container}}}}}}}}}}}}};
}

// What an informer reported, in order ("ADD name", "UPDATE name", "DELETE name"), and a wait
// on it with a deadline.
struct Recorder {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::string> events;
    std::map<std::string, json> last;  // name -> last object seen (add/update)
    std::vector<json> history;         // every object seen (add/update), in order

    tk::Informer::Handlers handlers() {
        auto name = [](const json& o) { return o["metadata"].value("name", ""); };
        return {[this, name](const json& o) { note("ADD " + name(o), &o); },
                [this, name](const json&, const json& o) { note("UPDATE " + name(o), &o); },
                [this, name](const json& o) { note("DELETE " + name(o), nullptr); },
                {}};
    }
    void note(const std::string& e, const json* obj) {
        std::lock_guard lock(mutex);
        events.push_back(e);
        if (obj != nullptr) {
            last[(*obj)["metadata"].value("name", "")] = *obj;
            history.push_back(*obj);
        }
        cv.notify_all();
    }
    bool waitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 15s) {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, timeout, pred);
    }
    bool seen(const std::string& e) const {
        return std::find(events.begin(), events.end(), e) != events.end();
    }
    std::string dump() {
        std::lock_guard lock(mutex);
        std::string s;
        for (const auto& e : events) {
            s += e + "; ";
        }
        return s;
    }
};

// Polls the emulator's stats until `pred` holds (bounded); returns the last stats.
json waitForStats(kubetest::EmulatorControl& control, const std::function<bool(const json&)>& pred,
                  std::chrono::milliseconds timeout = 15s) {
    const auto deadline = Clock::now() + timeout;
    json s = control.stats();
    while (!pred(s) && Clock::now() < deadline) {
        tk::Cancellation().sleepFor(10ms);
        s = control.stats();
    }
    return s;
}

std::chrono::milliseconds timeIt(const std::function<void()>& f) {
    const auto start = Clock::now();
    f();
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

}  // namespace

TEST(EmulatorFaults, AddedLatencyDelaysOnlyThatVerb) {
    Fixture f;
    f.client.create(kSecrets, secret("slow"));
    constexpr auto kLatency = 400ms;
    f.control.addFaults(
        {{"rules", {{{"verb", "get"}, {"resource", "secrets"}, {"latencyMs", 400}}}}});
    for (int i = 0; i < 3; ++i) {
        const auto get = timeIt([&] { f.client.get(kSecrets, "slow"); });
        EXPECT_GE(get, kLatency) << "get #" << i;
        // Other verbs on the same resource, and get on another resource, are not delayed.
        const auto list = timeIt([&] { f.client.list(kSecrets); });
        EXPECT_LT(list, kLatency) << "list #" << i;
        const auto patch = timeIt([&] {
            f.client.patch(kSecrets, "slow",
                           {{"metadata", {{"labels", {{"i", std::to_string(i)}}}}}});
        });
        EXPECT_LT(patch, kLatency) << "patch #" << i;
        const auto other = timeIt([&] {
            try {
                f.client.get(kTfJobs, "absent");
            } catch (const tk::KubeError& e) {
                EXPECT_EQ(e.code(), 404);
            }
        });
        EXPECT_LT(other, kLatency) << "get tfjobs #" << i;
    }
    f.control.clearFaults();
    EXPECT_LT(timeIt([&] { f.client.get(kSecrets, "slow"); }), kLatency);
}

TEST(EmulatorFaults, DroppedWatchStreamsAreResumedWithoutLosingAnEvent) {
    Fixture f;
    Recorder rec;
    f.client.create(kSecrets, secret("a"));
    tk::Informer informer(f.client, kSecrets, "app=faults", rec.handlers());
    informer.start();
    ASSERT_TRUE(informer.waitForSync(15s));
    ASSERT_TRUE(rec.waitFor([&] { return rec.seen("ADD a"); }));
    const json before = waitForStats(f.control, [](const json& s) { return s["watchers"] == 1; });
    ASSERT_EQ(before["watchers"], 1);

    // Three rounds: drop every stream, change objects at once (before or while the informer
    // reconnects), and expect every change.
    for (int round = 0; round < 3; ++round) {
        const std::string n = std::to_string(round);
        f.control.addFaults({{"dropWatches", true}});
        f.client.create(kSecrets, secret("new" + n));
        const std::string rv = f.client.patch(
            kSecrets, "a", {{"stringData", {{"k", "round" + n}}}})["metadata"]["resourceVersion"];
        if (round > 0) {
            f.client.remove(kSecrets, "new" + std::to_string(round - 1));
        }
        ASSERT_TRUE(rec.waitFor([&] {
            return rec.seen("ADD new" + n) &&
                   (round == 0 || rec.seen("DELETE new" + std::to_string(round - 1))) &&
                   rec.last["a"]["metadata"]["resourceVersion"] == rv;
        })) << "round "
            << round << ": " << rec.dump();
        waitForStats(f.control, [](const json& s) { return s["watchers"] == 1; });
    }
    const json after = f.control.stats();
    // Resumed from the last resourceVersion: new watches, no re-list.
    EXPECT_GE(kubetest::EmulatorControl::requests(after, "secrets", "watch") -
                  kubetest::EmulatorControl::requests(before, "secrets", "watch"),
              3)
        << after.dump();
    EXPECT_EQ(kubetest::EmulatorControl::requests(after, "secrets", "list"),
              kubetest::EmulatorControl::requests(before, "secrets", "list"))
        << after.dump();
    std::vector<std::string> names;
    for (const auto& o : informer.objects()) {
        names.push_back(o["metadata"]["name"]);
    }
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"a", "new2"}));
    informer.stop();
}

TEST(EmulatorFaults, Forced410GoneRelistsAndDeliversTheFinalState) {
    Fixture f;
    Recorder rec;
    for (const char* n : {"keep", "change", "gone"}) {
        f.client.create(kSecrets, secret(n));
    }
    tk::Informer informer(f.client, kSecrets, "app=faults", rec.handlers());
    informer.start();
    ASSERT_TRUE(informer.waitForSync(15s));
    waitForStats(f.control, [](const json& s) { return s["watchers"] == 1; });
    const json before = f.control.stats();

    // The resumed watch is delayed, then answered 410 Gone: the changes below happen while the
    // informer is disconnected, so it only learns of them through the re-list.
    f.control.addFaults(
        {{"rules",
          {{{"verb", "watch"}, {"resource", "secrets"}, {"latencyMs", 500}, {"count", 1}}}},
         {"expireNextWatches", 1},
         {"dropWatches", true}});
    f.client.remove(kSecrets, "gone");
    f.client.patch(kSecrets, "change", {{"stringData", {{"k", "final"}}}});
    f.client.create(kSecrets, secret("added"));
    const std::string final_rv = f.client.get(kSecrets, "change")["metadata"]["resourceVersion"];

    ASSERT_TRUE(rec.waitFor([&] {
        return rec.seen("DELETE gone") && rec.seen("ADD added") &&
               rec.last["change"]["metadata"]["resourceVersion"] == final_rv;
    })) << rec.dump();
    const json after = waitForStats(f.control, [](const json& s) { return s["watchers"] == 1; });
    EXPECT_GE(kubetest::EmulatorControl::requests(after, "secrets", "list") -
                  kubetest::EmulatorControl::requests(before, "secrets", "list"),
              1)
        << "no re-list after 410: " << after.dump();
    std::vector<std::string> names;
    for (const auto& o : informer.objects()) {
        names.push_back(o["metadata"]["name"]);
    }
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"added", "change", "keep"}));
    EXPECT_FALSE(rec.seen("DELETE keep"));
    informer.stop();
}

TEST(EmulatorFaults, JobDeletedBehindTheHostsBackIsReportedDeleted) {
    Fixture f;
    Recorder rec;
    tk::Informer informer(f.client, kTfJobs, "app=faults", rec.handlers());
    informer.start();
    ASSERT_TRUE(informer.waitForSync(15s));
    f.client.create(kTfJobs, tfjob("live", {"sleep", "3600"}));
    f.client.create(kTfJobs, tfjob("while-away", {"sleep", "3600"}));
    ASSERT_TRUE(rec.waitFor([&] { return rec.seen("ADD live") && rec.seen("ADD while-away"); }));
    ASSERT_TRUE(waitForStats(f.control, [](const json& s) {
                    return s.value("runningContainers", 0) == 2;
                })["runningContainers"] == 2);

    // Someone else (kubectl, another host) deletes a job while the host watches...
    tk::Client other(f.options());
    other.remove(kTfJobs, "live");
    ASSERT_TRUE(rec.waitFor([&] { return rec.seen("DELETE live"); })) << rec.dump();

    // ...and one while the host's watch is down and its history is gone (410 on resume): the
    // re-list has to notice the job vanished.
    waitForStats(f.control, [](const json& s) { return s["watchers"] == 1; });
    f.control.addFaults(
        {{"rules", {{{"verb", "watch"}, {"resource", "tfjobs"}, {"latencyMs", 500}, {"count", 1}}}},
         {"expireNextWatches", 1},
         {"dropWatches", true}});
    other.remove(kTfJobs, "while-away");
    ASSERT_TRUE(rec.waitFor([&] { return rec.seen("DELETE while-away"); })) << rec.dump();
    EXPECT_TRUE(informer.objects().empty());
    EXPECT_FALSE(informer.get("live"));
    // The emulator killed the jobs' processes.
    EXPECT_EQ(waitForStats(f.control,
                           [](const json& s) {
                               return s.value("runningContainers", -1) == 0;
                           })["runningContainers"],
              0);
    informer.stop();
}

TEST(EmulatorFaults, ImagePullErrorShowsInThePodStatus) {
    Fixture f;
    f.control.addFaults({{"imagePullErrors", {"registry.example/missing"}}});
    Recorder pods;
    tk::Informer informer(f.client, kPods, "training.kubeflow.org/job-name=nopull",
                          pods.handlers());
    informer.start();
    ASSERT_TRUE(informer.waitForSync(15s));
    f.client.create(kTfJobs, tfjob("nopull", {"true"}, "registry.example/missing:1"));

    // As the platform reads it: the job's pod stays Pending, its container waiting with reason
    // ErrImagePull, then ImagePullBackOff, and a message naming the image.
    const std::string pod = "nopull-worker-0";
    auto waitingReason = [&]() -> std::string {
        auto it = pods.last.find(pod);
        if (it == pods.last.end()) {
            return "";
        }
        const auto cs = it->second["status"].value("containerStatuses", json::array());
        if (cs.empty() || !cs[0]["state"].contains("waiting")) {
            return "";
        }
        return cs[0]["state"]["waiting"].value("reason", "");
    };
    ASSERT_TRUE(pods.waitFor([&] { return waitingReason() == "ImagePullBackOff"; }, 30s))
        << pods.dump();
    const json p = *informer.get(pod);
    EXPECT_EQ(p["status"]["phase"], "Pending");
    const json& cs = p["status"]["containerStatuses"][0];
    EXPECT_EQ(cs["name"], "tensorflow");
    EXPECT_FALSE(cs.value("ready", true));
    EXPECT_NE(cs["state"]["waiting"].value("message", "").find("\"registry.example/missing:1\""),
              std::string::npos)
        << cs.dump();
    // The reason went through ErrImagePull first, as the kubelet reports it.
    bool err_image_pull = false;
    {
        std::lock_guard lock(pods.mutex);
        err_image_pull = std::any_of(pods.history.begin(), pods.history.end(), [&](const json& o) {
            const auto s = o.value("status", json::object());
            const auto c = s.value("containerStatuses", json::array());
            return o["metadata"]["name"] == pod && !c.empty() &&
                   c[0]["state"].contains("waiting") &&
                   c[0]["state"]["waiting"].value("reason", "") == "ErrImagePull";
        });
    }
    EXPECT_TRUE(err_image_pull);
    // The job is not Running: no process ran.
    const json job = f.client.get(kTfJobs, "nopull");
    for (const auto& c : job["status"].value("conditions", json::array())) {
        if (c["type"] == "Running" || c["type"] == "Succeeded") {
            EXPECT_NE(c["status"], "True") << job["status"].dump();
        }
    }
    EXPECT_EQ(f.control.stats()["runningContainers"], 0);
    informer.stop();
}

TEST(EmulatorFaults, TooManyRequestsAnd5xxBurstsAreRetried) {
    Fixture f;
    const json before = f.control.stats();
    // A burst of three 429s with Retry-After: 1 on create: the client waits as told, then
    // succeeds on the fourth attempt.
    f.control.addFaults({{"rules",
                          {{{"verb", "create"},
                            {"resource", "secrets"},
                            {"code", 429},
                            {"count", 3},
                            {"retryAfterSeconds", 1}}}}});
    // (The client caps a server's Retry-After at backoff_max, 100 ms in the fixture.)
    auto opts = f.options();
    opts.backoff_max = 2s;
    tk::Client patient(opts);
    const auto create = timeIt([&] { patient.create(kSecrets, secret("burst")); });
    EXPECT_GE(create, 3s) << "Retry-After not honoured";
    // Bursts of 500, 503 and 504 on get and list.
    f.control.addFaults(
        {{"rules",
          {{{"verb", "get"}, {"resource", "secrets"}, {"code", 503}, {"count", 4}},
           {{"verb", "list"}, {"resource", "secrets"}, {"code", 500}, {"count", 2}},
           {{"verb", "list"}, {"resource", "secrets"}, {"code", 504}, {"count", 2}}}}});
    EXPECT_EQ(f.client.get(kSecrets, "burst")["metadata"]["name"], "burst");
    EXPECT_EQ(f.client.list(kSecrets).items.size(), 1u);
    const json after = f.control.stats();
    using C = kubetest::EmulatorControl;
    EXPECT_EQ(C::requests(after, "secrets", "create") - C::requests(before, "secrets", "create"), 4)
        << after.dump();
    EXPECT_EQ(C::requests(after, "secrets", "get") - C::requests(before, "secrets", "get"), 5);
    // The two list rules may both hit one request (the first error wins), so 3 to 5 attempts.
    const auto lists =
        C::requests(after, "secrets", "list") - C::requests(before, "secrets", "list");
    EXPECT_GE(lists, 3);
    EXPECT_LE(lists, 5);
    EXPECT_EQ(after["requests"]["injectedErrors"].get<long long>() -
                  before["requests"].value("injectedErrors", 0LL),
              3 + 4 + (lists - 1));
}
