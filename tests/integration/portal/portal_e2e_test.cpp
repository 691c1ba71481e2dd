// The portal end to end with the real tshost binary and the local platform: golden NNI
// responses from a finished experiment (through `tshost view`), and the actions and the event
// stream of a running one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "db/experiment_db.hpp"
#include "golden_json.hpp"
#include "raw_http.hpp"
#include "tshost_process.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using testing::HasSubstr;
using tshost::test::http_request;
using tshost::test::HttpResponse;
using tshost::test::RawConnection;

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) {
            return true;
        }
        std::this_thread::sleep_for(20ms);  // polling a condition, with a deadline
    }
    return condition();
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The events of a Server-Sent Events text: (event name, data as JSON) pairs.
std::vector<std::pair<std::string, json>> sse_events(std::string_view text) {
    std::vector<std::pair<std::string, json>> out;
    size_t at = 0;
    while ((at = text.find("event: ", at)) != std::string_view::npos) {
        const auto name_end = text.find('\n', at);
        const auto data = text.find("data: ", name_end);
        const auto data_end = text.find("\n\n", data);
        if (name_end == std::string_view::npos || data == std::string_view::npos ||
            data_end == std::string_view::npos) {
            break;
        }
        out.emplace_back(std::string(text.substr(at + 7, name_end - at - 7)),
                         json::parse(text.substr(data + 6, data_end - data - 6), nullptr, false));
        at = data_end;
    }
    return out;
}

bool has_event(std::string_view text, const std::string& name, const std::string& key,
               const std::string& value, const std::string& status = "") {
    for (const auto& [event, data] : sse_events(text)) {
        if (event == name && data.value(key, "") == value &&
            (status.empty() || data.value("status", "") == status)) {
            return true;
        }
    }
    return false;
}

class PortalE2E : public testing::Test {
  protected:
    void SetUp() override {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        root_ = fs::path(testing::TempDir()) / ("portal-e2e-" + std::string(info->name()));
        fs::remove_all(root_);
        fs::create_directories(root_ / "code");
        fs::copy_file(TRIAL_SCRIPT, root_ / "code" / "trial.py");
        ::unsetenv("PORTAL_RELEASE");
        ::unsetenv("TSHOST_PORTAL_TOKEN");
    }

    void TearDown() override {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            wait_process(pid_, 30);
        }
    }

    std::string config(int max_trials, int concurrency, const std::string& extra = "") {
        const auto path = root_ / "config.yml";
        std::ofstream(path) << "experimentName: portal\n"
                            << "searchSpace:\n  x: {_type: uniform, _value: [0, 1]}\n"
                            << "trialCommand: python3 trial.py\n"
                            << "trialCodeDirectory: " << (root_ / "code").string() << "\n"
                            << "trialConcurrency: " << concurrency << "\n"
                            << "maxTrialNumber: " << max_trials << "\n"
                            << "tuner:\n  name: Random\n  classArgs: {seed: 7}\n"
                            << "trainingService:\n  platform: local\n"
                            << extra;
        return path.string();
    }

    std::vector<std::string> with_data_dir(std::vector<std::string> args) {
        args.insert(args.begin(), {"--data-dir", (root_ / "data").string()});
        return args;
    }

    /// Starts tshost in the background and waits for the portal's URL in its output.
    uint16_t start(std::vector<std::string> args) {
        const auto log = root_ / "tshost.log";
        pid_ = start_tshost(with_data_dir(std::move(args)), log.string());
        const uint16_t port = wait_for_portal_port(log.string());
        EXPECT_NE(port, 0) << read_file(log);
        return port;
    }

    json get_json(const std::string& target) {
        const auto r = http_request(port_, "GET", target);
        EXPECT_TRUE(r && r->status == 200) << target << ": " << (r ? r->body : "no answer");
        return r ? json::parse(r->body, nullptr, false) : json();
    }

    json trials() { return get_json("/api/v1/tshost/trials")["trials"]; }

    /// Opens the event stream on `events`; whether its greeting came.
    static bool subscribe(RawConnection& events) {
        return events.send_all("GET /api/v1/tshost/events HTTP/1.1\r\nHost: x\r\n\r\n") &&
               events.read_until(
                   [](std::string_view got) {
                       return got.find("event: hello") != std::string_view::npos;
                   },
                   30s);
    }

    int count_status(const std::string& status) {
        int n = 0;
        for (const auto& t : trials()) {
            n += t["status"] == status ? 1 : 0;
        }
        return n;
    }

    fs::path root_;
    pid_t pid_ = -1;
    uint16_t port_ = 0;
};

// Times and generated ids differ per run; everything else must not.
json normalise(json value, const std::map<std::string, std::string>& ids, const std::string& root) {
    static const std::set<std::string> kTimes = {"timestamp", "startTime",  "endTime",
                                                 "time",      "submitTime", "execDuration",
                                                 "elapsedMs", "logDir"};
    if (value.is_object()) {
        for (auto& [key, item] : value.items()) {
            if (kTimes.count(key) != 0 && !item.is_null()) {
                item = "<" + key + ">";
            } else {
                item = normalise(item, ids, root);
            }
        }
    } else if (value.is_array()) {
        for (auto& item : value) {
            item = normalise(item, ids, root);
        }
    } else if (value.is_string()) {
        std::string text = value.get<std::string>();
        for (const auto& [id, name] : ids) {
            for (size_t at; (at = text.find(id)) != std::string::npos;) {
                text.replace(at, id.size(), name);
            }
        }
        for (size_t at; (at = text.find(root)) != std::string::npos;) {
            text.replace(at, root.size(), "<root>");
        }
        value = text;
    }
    return value;
}

TEST_F(PortalE2E, NniRoutesMatchTheGoldenResponsesOfAFinishedExperiment) {
    const auto run = run_tshost(
        with_data_dir({"run", config(3, 1), "--id", "golden1", "--port", "0", "--seed", "7"}));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_THAT(run.output, HasSubstr("Web portal: http://127.0.0.1:"));

    port_ = start({"view", "golden1", "--port", "0"});
    ASSERT_NE(port_, 0);
    // Trial ids are random: name them by sequence id.
    std::map<std::string, std::string> ids{{"golden1", "<experiment>"}};
    for (const auto& t : get_json("/api/v1/nni/trial-jobs")) {
        ids[t["trialJobId"]] = "<trial-" + std::to_string(t["sequenceId"].get<int>()) + ">";
    }
    ASSERT_EQ(ids.size(), 4u);
    std::string first;  // the trial of sequence id 0
    for (const auto& [id, name] : ids) {
        first = name == "<trial-0>" ? id : first;
    }
    const std::vector<std::pair<std::string, std::string>> routes = {
        {"check-status", "/api/v1/nni/check-status"},
        {"version", "/api/v1/nni/version"},
        {"experiment", "/api/v1/nni/experiment"},
        {"trial-jobs", "/api/v1/nni/trial-jobs"},
        {"trial-jobs-succeeded", "/api/v1/nni/trial-jobs?status=SUCCEEDED"},
        {"trial-job", "/api/v1/nni/trial-jobs/" + first},
        {"metric-data", "/api/v1/nni/metric-data"},
        {"metric-data-final", "/api/v1/nni/metric-data?type=FINAL"},
        {"metric-data-trial", "/api/v1/nni/metric-data/" + first},
        {"metric-data-latest", "/api/v1/nni/metric-data-latest"},
        {"job-statistics", "/api/v1/nni/job-statistics"},
        {"export-data", "/api/v1/nni/export-data"},
        {"trial-file", "/api/v1/nni/trial-file/" + first + "/stdout"},
    };
    for (const auto& [name, target] : routes) {
        const auto r = http_request(port_, "GET", target);
        ASSERT_TRUE(r) << target;
        const json actual =
            normalise(json{{"status", r->status}, {"body", json::parse(r->body, nullptr, false)}},
                      ids, root_.string());
        tshost::test::expect_golden_json(actual, std::string(GOLDEN_DIR) + "/" + name + ".json");
    }
    // View is read-only: NNI's actions answer 409.
    const auto cancel = http_request(port_, "DELETE", "/api/v1/nni/trial-jobs/" + first);
    ASSERT_TRUE(cancel);
    EXPECT_EQ(cancel->status, 409);
    ::kill(pid_, SIGTERM);
    EXPECT_EQ(wait_process(pid_, 30), 0);
    pid_ = -1;
}

TEST_F(PortalE2E, ActionsAndTheEventStreamOfARunningExperiment) {
    const auto release = root_ / "release";
    ::setenv("PORTAL_RELEASE", release.c_str(), 1);
    port_ = start({"run", config(4, 1), "--id", "live1", "--port", "0"});
    ASSERT_NE(port_, 0);

    // The stream first, so it sees what happens next.
    RawConnection events(port_);
    ASSERT_TRUE(subscribe(events));

    ASSERT_TRUE(eventually([&] { return count_status("RUNNING") == 1; }));
    const std::string first = trials()[0]["id"];

    // More concurrency: a second trial runs beside the first.
    const auto patch =
        http_request(port_, "PATCH", "/api/v1/tshost/limits", R"({"trialConcurrency": 2})");
    ASSERT_TRUE(patch);
    ASSERT_EQ(patch->status, 200) << patch->body;
    EXPECT_EQ(json::parse(patch->body)["trialConcurrency"], 2);
    ASSERT_TRUE(eventually([&] { return count_status("RUNNING") == 2; }));
    EXPECT_EQ(get_json("/api/v1/tshost/overview")["limits"]["trialConcurrency"], 2);
    const std::string second = trials()[1]["id"];
    // The second trial started after the stream opened: its status change and its
    // intermediate result arrive on the stream.
    ASSERT_TRUE(events.read_until(
        [&](std::string_view got) {
            return has_event(got, "trial", "id", second, "RUNNING") &&
                   has_event(got, "metric", "trialId", second);
        },
        30s))
        << events.received();
    EXPECT_THAT(events.received(), HasSubstr("event: overview"));

    // maxTrialNumber below what was submitted is refused with the reason.
    const auto too_few =
        http_request(port_, "PATCH", "/api/v1/tshost/limits", R"({"maxTrialNumber": 1})");
    ASSERT_TRUE(too_few);
    EXPECT_EQ(too_few->status, 400);
    EXPECT_THAT(too_few->body, HasSubstr("already submitted"));
    // NNI's way of changing it.
    json profile = get_json("/api/v1/nni/experiment");
    profile["params"]["maxTrialNumber"] = 3;
    const auto put = http_request(port_, "PUT", "/api/v1/nni/experiment?update_type=MAX_TRIAL_NUM",
                                  profile.dump());
    ASSERT_TRUE(put);
    EXPECT_EQ(put->status, 200) << put->body;
    EXPECT_EQ(get_json("/api/v1/tshost/overview")["limits"]["maxTrialNumber"], 3);

    // Cancel the first trial: it ends USER_CANCELED, as in NNI.
    const auto cancel = http_request(port_, "POST", "/api/v1/tshost/trials/" + first + "/cancel");
    ASSERT_TRUE(cancel);
    EXPECT_EQ(cancel->status, 202) << cancel->body;
    ASSERT_TRUE(eventually(
        [&] { return get_json("/api/v1/tshost/trials/" + first)["status"] == "USER_CANCELED"; }));
    const auto again = http_request(port_, "POST", "/api/v1/tshost/trials/" + first + "/cancel");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 409);
    EXPECT_THAT(again->body, HasSubstr("already ended"));
    const auto unknown = http_request(port_, "DELETE", "/api/v1/nni/trial-jobs/zzzzz");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404);
    ASSERT_TRUE(events.read_until(
        [&](std::string_view got) { return has_event(got, "trial", "id", first, "USER_CANCELED"); },
        30s));

    // Stop: the running trials are cancelled and the experiment ends STOPPED.
    const auto stop = http_request(port_, "POST", "/api/v1/tshost/actions/stop");
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->status, 202);
    EXPECT_EQ(json::parse(stop->body), json::parse(R"({"status":"STOPPING"})"));
    EXPECT_EQ(wait_process(pid_, 60), 0) << read_file(root_ / "tshost.log");
    pid_ = -1;
    auto db = tshost::db::ExperimentDb::open_read_only(root_ / "data" / "live1" / "experiment.db");
    EXPECT_EQ(db.meta("status"), "STOPPED");
    EXPECT_EQ(db.trial(first)->status, "USER_CANCELED");
    int sys_canceled = 0;
    for (const auto& t : db.trials()) {
        sys_canceled += t.status == "SYS_CANCELED" ? 1 : 0;
    }
    EXPECT_GE(sys_canceled, 1);
}

TEST_F(PortalE2E, ATokenProtectsThePortalAndAnExposedOneNeedsIt) {
    const auto refused =
        run_tshost(with_data_dir({"run", config(1, 1), "--port", "0", "--portal-bind", "0.0.0.0"}));
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_THAT(refused.output, HasSubstr("--portal-token-file"));

    std::ofstream(root_ / "token") << "e2e-token\n";
    ::setenv("PORTAL_RELEASE", (root_ / "release").c_str(), 1);
    port_ = start({"run", config(1, 1), "--id", "tok1", "--port", "0", "--portal-bind", "0.0.0.0",
                   "--portal-token-file", (root_ / "token").string()});
    ASSERT_NE(port_, 0);
    const auto denied = http_request(port_, "GET", "/api/v1/tshost/overview");
    ASSERT_TRUE(denied);
    EXPECT_EQ(denied->status, 401);
    const auto allowed = http_request(port_, "GET", "/api/v1/tshost/overview", "",
                                      "Authorization: Bearer e2e-token\r\n");
    ASSERT_TRUE(allowed);
    EXPECT_EQ(allowed->status, 200);
    EXPECT_EQ(json::parse(allowed->body)["id"], "tok1");
    std::ofstream(root_ / "release").close();
    EXPECT_EQ(wait_process(pid_, 60), 0);
    pid_ = -1;
}

}  // namespace

// With retries allowed, a trial's final result waits until the trial ends (a retry could replace
// it); when it then counts, the stream says so like any other result: the trial with its final
// metric, and the metric itself.
TEST_F(PortalE2E, AFinalResultHeldForAPossibleRetryReachesTheStreamWhenItCounts) {
    const auto release = root_ / "release";
    ::setenv("PORTAL_RELEASE", release.c_str(), 1);
    port_ = start({"run", config(1, 1, "maxTrialRetries: 1\n"), "--id", "held1", "--port", "0"});
    ASSERT_NE(port_, 0);
    RawConnection events(port_);
    ASSERT_TRUE(subscribe(events));
    ASSERT_TRUE(eventually([&] { return count_status("RUNNING") == 1; }));
    const std::string id = trials()[0]["id"];

    std::ofstream(release).put('\n');
    const auto final_seen = [&](std::string_view got) {
        bool trial = false;
        bool metric = false;
        for (const auto& [event, data] : sse_events(got)) {
            trial = trial || (event == "trial" && data.value("id", "") == id &&
                              data.value("status", "") == "SUCCEEDED" &&
                              data.contains("finalMetric") && data["finalMetric"].is_number());
            metric = metric || (event == "metric" && data.value("trialId", "") == id &&
                                data.value("type", "") == "FINAL");
        }
        return trial && metric;
    };
    EXPECT_TRUE(events.read_until(final_seen, 60s)) << events.received();
}
