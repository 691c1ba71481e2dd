// The portal's API over a real experiment database (written here the way the engine writes
// it) and real TCP: shapes, read-only actions, bad requests, the access token, and that no
// secret of the config ever appears in a response.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "config/experiment_config.hpp"
#include "db/experiment_db.hpp"
#include "engine/control.hpp"
#include "engine/packed_parameter.hpp"
#include "portal/experiment_info.hpp"
#include "portal/portal.hpp"
#include "raw_http.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::HasSubstr;
using testing::Not;
using tshost::test::http_request;

constexpr const char* kSecret = "S3CR3T-storage-key-value";

class PortalApiTest : public testing::Test {
  protected:
    void SetUp() override {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::path(testing::TempDir()) / ("portal-" + std::string(info->name()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        // A storage section with a key: the plugin's schema is checked later, the config
        // loader keeps it as written, and the portal must only ever show it redacted.
        std::ofstream(dir_ / "config.yml")
            << "experimentName: api\n"
               "searchSpace:\n  x: {_type: uniform, _value: [0, 1]}\n"
               "trialCommand: python3 trial.py\ntrialCodeDirectory: .\n"
               "trialConcurrency: 2\nmaxTrialNumber: 5\nmaxExperimentDuration: 1h\n"
               "tuner:\n  name: Random\n  classArgs: {seed: 7}\n"
               "trainingService:\n  platform: local\n  storage:\n    storageType: azureStorage\n"
               "    azureAccount: acct\n    azureShare: share\n    storageAccountKey: "
            << kSecret << "\n";
        fill_database();
    }

    void fill_database() {
        auto db = tshost::db::ExperimentDb::open(dir_ / "experiment.db");
        db.set_meta("id", "exp1");
        db.set_meta("start_time", "1000");
        db.set_meta("end_time", "9000");
        db.set_meta("status", "DONE");
        db.set_meta("elapsed_ms", "8000");
        const char* statuses[] = {"SUCCEEDED", "FAILED", "SUCCEEDED"};
        for (int i = 0; i < 3; ++i) {
            tshost::db::TrialRow row;
            row.id = "t" + std::to_string(i);
            row.sequence_id = i;
            row.parameter_id = i;
            row.parameters_json = tshost::engine::pack_parameters(i, {{"x", 0.25 * (i + 1)}});
            row.status = statuses[i];
            row.submit_time_ms = 1000 + i;
            row.start_time_ms = 2000 + i;
            row.end_time_ms = 3000 + i;
            row.message = i == 1 ? "exit code 3" : "";
            if (row.status == "SUCCEEDED") {
                row.final_metric = 0.25 * (i + 1);
            }
            db.insert_trial(row);
            db.add_status_change({row.id, row.submit_time_ms, "WAITING", ""});
            db.add_status_change({row.id, row.end_time_ms, row.status, row.message});
            db.insert_metric({row.id, 0, "0", 0, 2500, "PERIODICAL", 0, "0.1", 0.1});
            db.insert_metric({row.id, 0, "0", 1, 2600, "PERIODICAL", 1, "0.2", 0.2});
            if (row.final_metric) {
                db.insert_metric({row.id, 0, "0", 2, 2900, "FINAL", 0,
                                  json(*row.final_metric).dump(), *row.final_metric});
            }
        }
    }

    void start(tshost::portal::PortalOptions options = {}) {
        options.port = 0;
        options.read_only = true;
        const auto config = tshost::config::load_config(dir_ / "config.yml");
        portal_ = std::make_unique<tshost::portal::Portal>(
            dir_ / "experiment.db", tshost::portal::portal_info("exp1", config, false, dir_),
            options, nullptr, nullptr);
        portal_->start();
    }

    tshost::test::HttpResponse get(const std::string& target, const std::string& headers = "") {
        auto r = http_request(portal_->port(), "GET", target, "", headers);
        EXPECT_TRUE(r) << target;
        return r.value_or(tshost::test::HttpResponse{});
    }

    fs::path dir_;
    std::unique_ptr<tshost::portal::Portal> portal_;
};

TEST_F(PortalApiTest, OverviewHasEveryContractKey) {
    start();
    const auto r = get("/api/v1/tshost/overview");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto o = json::parse(r.body);
    EXPECT_EQ(o["id"], "exp1");
    EXPECT_EQ(o["status"], "VIEWED");
    EXPECT_EQ(o["platform"], "local");
    EXPECT_EQ(o["optimizeMode"], "maximize");
    EXPECT_EQ(o["startTime"], 1000);
    EXPECT_EQ(o["endTime"], 9000);
    EXPECT_EQ(o["elapsedMs"], 8000);
    EXPECT_EQ(o["limits"], json::parse(R"({"trialConcurrency":2,"maxTrialNumber":5,
        "maxExperimentDurationMs":3600000,"maxTrialDurationMs":null})"));
    EXPECT_EQ(o["submitted"], 3);
    EXPECT_EQ(o["counts"], json::parse(R"({"WAITING":0,"RUNNING":0,"SUCCEEDED":2,"FAILED":1,
        "USER_CANCELED":0,"SYS_CANCELED":0,"EARLY_STOPPED":0})"));
    EXPECT_EQ(o["best"], json::parse(R"({"trialId":"t2","sequenceId":2,"value":0.75})"));
    ASSERT_EQ(o["errors"].size(), 1u);
    EXPECT_EQ(o["errors"][0]["message"], "trial t1: exit code 3");
    EXPECT_EQ(o["searchSpace"]["x"]["_type"], "uniform");
    EXPECT_EQ(o["config"]["trainingService"]["storage"]["storageAccountKey"], "<redacted>");
}

// A trial's change reaches the open overviews as an overview event at once, not at the
// engine's next progress report (none comes here: only on_trial is called), and the counts and
// the best follow it, also when the best trial is retried and loses its value.
TEST_F(PortalApiTest, TheOverviewFollowsEachTrialChangeAtOnce) {
    using namespace std::chrono_literals;
    start();
    tshost::test::RawConnection events(portal_->port());
    ASSERT_TRUE(events.send_all("GET /api/v1/tshost/events HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(events.read_until(
        [](std::string_view got) { return got.find("event: hello") != std::string_view::npos; },
        10s));

    auto t2 = tshost::db::TrialRow{};
    t2.id = "t2";
    t2.sequence_id = 2;
    t2.parameters_json = tshost::engine::pack_parameters(2, {{"x", 0.75}});
    t2.status = "RUNNING";
    t2.attempt = 1;  // retried: its value of attempt 0 no longer counts
    portal_->observer().on_trial(t2);
    ASSERT_TRUE(events.read_until(
        [](std::string_view got) {
            return got.find("event: overview") != std::string_view::npos &&
                   got.find(R"("RUNNING":1)") != std::string_view::npos;
        },
        10s))
        << events.received();
    auto o = json::parse(get("/api/v1/tshost/overview").body);
    EXPECT_EQ(o["counts"]["RUNNING"], 1);
    EXPECT_EQ(o["counts"]["SUCCEEDED"], 1);
    EXPECT_EQ(o["best"], json::parse(R"({"trialId":"t0","sequenceId":0,"value":0.25})"));

    auto t3 = t2;
    t3.id = "t3";
    t3.sequence_id = 3;
    t3.attempt = 0;
    t3.status = "SUCCEEDED";
    t3.final_metric = 0.5;
    portal_->observer().on_trial(t3);
    o = json::parse(get("/api/v1/tshost/overview").body);
    EXPECT_EQ(o["submitted"], 4);
    EXPECT_EQ(o["counts"]["SUCCEEDED"], 2);
    EXPECT_EQ(o["best"], json::parse(R"({"trialId":"t3","sequenceId":3,"value":0.5})"));

    t2.status = "SUCCEEDED";
    t2.final_metric = 0.5;  // a tie keeps the first to reach it
    portal_->observer().on_trial(t2);
    t3.final_metric = 0.125;  // the best got worse: another is best now
    portal_->observer().on_trial(t3);
    o = json::parse(get("/api/v1/tshost/overview").body);
    EXPECT_EQ(o["counts"]["SUCCEEDED"], 3);
    EXPECT_EQ(o["counts"]["RUNNING"], 0);
    EXPECT_EQ(o["best"], json::parse(R"({"trialId":"t2","sequenceId":2,"value":0.5})"));
}

// The whole list and NNI's trial-jobs are kept between requests, but only while the
// database is unchanged: a commit by another connection (the engine's) shows at once.
TEST_F(PortalApiTest, KeptAnswersFollowEveryCommit) {
    start();
    const auto before = get("/api/v1/tshost/trials").body;
    EXPECT_EQ(get("/api/v1/tshost/trials").body, before);
    EXPECT_EQ(json::parse(get("/api/v1/nni/trial-jobs").body).size(), 3u);
    {
        auto db = tshost::db::ExperimentDb::open(dir_ / "experiment.db");
        auto t0 = *db.trial("t0");
        t0.message = "changed after the first answer";
        db.update_trial(t0);
        auto t3 = t0;
        t3.id = "t3";
        t3.sequence_id = 3;
        db.insert_trial(t3);
    }
    const auto after = json::parse(get("/api/v1/tshost/trials").body)["trials"];
    ASSERT_EQ(after.size(), 4u);
    EXPECT_EQ(after[0]["message"], "changed after the first answer");
    const auto jobs = json::parse(get("/api/v1/nni/trial-jobs").body);
    ASSERT_EQ(jobs.size(), 4u);
    EXPECT_EQ(jobs[0]["message"], "changed after the first answer");
    EXPECT_EQ(json::parse(get("/api/v1/nni/trial-jobs?status=FAILED").body).size(), 1u);
}

TEST_F(PortalApiTest, TrialsAndTrialDetail) {
    start();
    const auto list = json::parse(get("/api/v1/tshost/trials").body);
    ASSERT_EQ(list["trials"].size(), 3u);
    const auto& t0 = list["trials"][0];
    EXPECT_EQ(t0, json::parse(R"({"id":"t0","sequenceId":0,"status":"SUCCEEDED","attempt":0,
        "submitTime":1000,"startTime":2000,"endTime":3000,"parameters":{"x":0.25},
        "finalMetric":0.25,"jobName":"","url":"","message":""})"));
    EXPECT_TRUE(list["trials"][1]["finalMetric"].is_null());

    const auto detail = json::parse(get("/api/v1/tshost/trials/t1").body);
    EXPECT_EQ(detail["statusHistory"].size(), 2u);
    EXPECT_EQ(detail["statusHistory"][1],
              json::parse(R"({"time":3001,"status":"FAILED","message":"exit code 3"})"));
    EXPECT_EQ(detail["metrics"].size(), 2u);
    EXPECT_EQ(detail["metrics"][1], json::parse(R"({"time":2600,"type":"PERIODICAL",
        "sequence":1,"replica":"0","attempt":0,"primary":true,"value":0.2,"data":"0.2"})"));
    EXPECT_TRUE(detail["manifest"].is_null());
    json trial_part = detail;
    for (const char* extra : {"statusHistory", "metrics", "manifest", "replicas"}) {
        trial_part.erase(extra);
    }
    EXPECT_EQ(trial_part, list["trials"][1]);  // the same Trial in the list and the detail
    EXPECT_EQ(detail["replicas"], json::array());

    // The table's first page: the first trials of the same list, and how many there are.
    const auto first = json::parse(get("/api/v1/tshost/trials?limit=2").body);
    EXPECT_EQ(first["total"], 3);
    ASSERT_EQ(first["trials"].size(), 2u);
    EXPECT_EQ(first["trials"][0], list["trials"][0]);
    EXPECT_EQ(first["trials"][1], list["trials"][1]);
    EXPECT_FALSE(list.contains("total"));
    EXPECT_EQ(json::parse(get("/api/v1/tshost/trials?limit=100").body)["trials"], list["trials"]);

    const auto finals = json::parse(get("/api/v1/tshost/metrics?type=FINAL&trials=t0,t2").body);
    ASSERT_EQ(finals["metrics"].size(), 2u);
    EXPECT_EQ(
        finals["metrics"][1],
        json::parse(R"({"trialId":"t2","time":2900,"type":"FINAL","sequence":0,"value":0.75})"));
}

// t0 as a two-replica trial retried once: the engine kept the second replica's records and
// those of attempt 0, but only the primary replica of attempt 1 reached the tuner, and only
// that is what the metric routes show (NNI's too: what NNI's tuner saw).
TEST_F(PortalApiTest, MetricRoutesShowOnlyThePrimaryReplicaOfTheCurrentAttempt) {
    {
        auto db = tshost::db::ExperimentDb::open(dir_ / "experiment.db");
        auto t0 = *db.trial("t0");
        t0.attempt = 1;
        db.update_trial(t0);
        db.set_manifest("t0", R"({"kind":"TFJob","metadata":{"name":"job-t0"}})");
        db.insert_metric({"t0", 1, "worker-0", 0, 4000, "PERIODICAL", 0, "0.3", 0.3, true});
        db.insert_metric({"t0", 1, "worker-0", 1, 4100, "FINAL", 0, "0.4", 0.4, true});
        db.insert_metric({"t0", 1, "ps-0", 0, 4050, "PERIODICAL", 0, "0.8", 0.8, false});
        db.insert_metric({"t0", 1, "ps-0", 1, 4150, "FINAL", 0, "0.9", 0.9, false});
    }
    start();
    const auto points = json::parse(get("/api/v1/tshost/metrics?trials=t0").body)["metrics"];
    ASSERT_EQ(points.size(), 2u) << points.dump();
    EXPECT_EQ(points[0]["value"], 0.3);
    EXPECT_EQ(points[1]["value"], 0.4);

    const auto nni = json::parse(get("/api/v1/nni/metric-data/t0").body);
    ASSERT_EQ(nni.size(), 2u) << nni.dump();
    EXPECT_EQ(nni[1]["data"], "\"0.4\"");
    const auto latest = json::parse(get("/api/v1/nni/metric-data-latest").body);
    for (const auto& m : latest) {
        EXPECT_NE(m["data"], "\"0.9\"") << "a secondary replica's record: " << m.dump();
        EXPECT_NE(m["data"], "\"0.8\"") << "a secondary replica's record: " << m.dump();
    }
    const auto job = json::parse(get("/api/v1/nni/trial-jobs/t0").body);
    ASSERT_EQ(job["finalMetricData"].size(), 1u) << job.dump();
    EXPECT_EQ(job["finalMetricData"][0]["data"], "\"0.4\"");
    for (const auto& listed : json::parse(get("/api/v1/nni/trial-jobs").body)) {
        if (listed["trialJobId"] == "t0") {
            EXPECT_EQ(listed["finalMetricData"], job["finalMetricData"]);
        }
    }
    for (const auto& row : json::parse(get("/api/v1/nni/export-data").body)) {
        if (row["trialJobId"] == "t0") {
            EXPECT_EQ(row["value"], "0.4");
        }
    }

    // The trial page lists every record, saying which replica reached the tuner, and the job.
    const auto detail = json::parse(get("/api/v1/tshost/trials/t0").body);
    EXPECT_EQ(detail["metrics"].size(), 7u);
    int secondary = 0;
    for (const auto& m : detail["metrics"]) {
        secondary += m["primary"] == false ? 1 : 0;
        EXPECT_EQ(m["primary"], m["replica"] != "ps-0") << m.dump();
    }
    EXPECT_EQ(secondary, 2);
    EXPECT_EQ(detail["manifest"],
              "{\n  \"kind\": \"TFJob\",\n  \"metadata\": {\n    \"name\": \"job-t0\"\n  }\n}");
}

TEST_F(PortalApiTest, NniRoutesKeepNnisShapes) {
    start();
    EXPECT_EQ(json::parse(get("/api/v1/nni/check-status").body)["status"], "VIEWED");
    const auto jobs = json::parse(get("/api/v1/nni/trial-jobs?status=SUCCEEDED").body);
    ASSERT_EQ(jobs.size(), 2u);
    EXPECT_EQ(jobs[0]["finalMetricData"][0]["data"], "\"0.25\"");  // double-encoded, as NNI
    EXPECT_EQ(jobs[0]["hyperParameters"][0].get<std::string>().find("\"parameter_id\":0"), 1u);
    const auto failed = json::parse(get("/api/v1/nni/trial-jobs/t1").body);
    EXPECT_EQ(failed["stderrPath"], "/stderr");
    EXPECT_FALSE(failed.contains("finalMetricData"));
    const auto latest = json::parse(get("/api/v1/nni/metric-data-latest").body);
    EXPECT_EQ(latest.size(), 5u);  // the last PERIODICAL of 3 trials, and 2 FINALs
    const auto stats = json::parse(get("/api/v1/nni/job-statistics").body);
    EXPECT_EQ(stats, json::parse(R"([{"trialJobStatus":"FAILED","trialJobNumber":1},
        {"trialJobStatus":"SUCCEEDED","trialJobNumber":2}])"));
    const auto exported = json::parse(get("/api/v1/nni/export-data").body);
    EXPECT_EQ(exported[1],
              json::parse(R"({"parameter":{"x":0.75},"value":"0.75","trialJobId":"t2"})"));
    const auto file = get("/api/v1/nni/trial-file/t0/stdout");
    EXPECT_EQ(file.status, 501);
    EXPECT_THAT(file.body, HasSubstr("no storage plugin"));
}

TEST_F(PortalApiTest, ActionsOnAReadOnlyPortalAre409) {
    start();
    const auto port = portal_->port();
    for (const auto& [method, target, body] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"POST", "/api/v1/tshost/actions/stop", ""},
             {"POST", "/api/v1/tshost/trials/t0/cancel", ""},
             {"PATCH", "/api/v1/tshost/limits", R"({"trialConcurrency": 3})"},
             {"DELETE", "/api/v1/nni/trial-jobs/t0", ""},
             {"DELETE", "/api/v1/nni/experiment", ""}}) {
        const auto r = http_request(port, method, target, body);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 409) << method << " " << target;
        EXPECT_THAT(r->body, HasSubstr("read-only")) << method << " " << target;
    }
}

TEST_F(PortalApiTest, BadRequestsGet4xxWithAMessage) {
    start();
    const auto port = portal_->port();
    struct Case {
        std::string method, target, body;
        int status;
        std::string says;
    };
    const std::vector<Case> cases = {
        {"GET", "/api/v1/tshost/nope", "", 404, "no such route"},
        {"GET", "/api/v1/tshost/trials?limit=0", "", 400, "limit must be"},
        {"GET", "/api/v1/tshost/trials?limit=ten", "", 400, "limit must be"},
        {"GET", "/api/v1/tshost/trials?limit=-1", "", 400, "limit must be"},
        {"GET", "/api/v1/tshost/trials/zz", "", 404, "no trial zz"},
        {"GET", "/api/v1/tshost/trials/zz/log", "", 404, "no trial zz"},
        {"GET", "/api/v1/tshost/trials/t0/log?tail=-5", "", 400, "tail must be"},
        {"GET", "/api/v1/tshost/trials/t0/log", "", 501, "no storage plugin"},
        {"GET", "/api/v1/tshost/metrics?type=BOGUS", "", 400, "PERIODICAL or FINAL"},
        {"PATCH", "/api/v1/tshost/limits", "{not json", 400, "JSON object"},
        {"PATCH", "/api/v1/tshost/limits", R"({"trialConcurrency": 0})", 400, ">= 1"},
        {"PATCH", "/api/v1/tshost/limits", R"({"trialConcurrency": "2"})", 400, ">= 1"},
        {"PATCH", "/api/v1/tshost/limits", R"({"maxExperimentDuration": "2 parsecs"})", 400,
         "NNI duration"},
        {"PATCH", "/api/v1/tshost/limits", R"({"colour": "red"})", 400, "unknown limit"},
        {"PATCH", "/api/v1/tshost/limits", "{}", 400, "nothing to change"},
        {"PUT", "/api/v1/nni/experiment?update_type=BOGUS", R"({"params": {}})", 400,
         "update_type"},
        {"PUT", "/api/v1/nni/experiment?update_type=TRIAL_CONCURRENCY", "[1]", 400, "profile"},
        {"GET", "/api/v1/nni/trial-file/t0/secrets.txt", "", 404, "trial.log"},
        {"POST", "/api/v1/nni/check-status", "{}", 405, "use GET"},
        {"GET", "/assets/../../etc/passwd", "", 400, "bad path"},
    };
    for (const auto& c : cases) {
        const auto r = http_request(port, c.method, c.target, c.body);
        ASSERT_TRUE(r) << c.target;
        EXPECT_EQ(r->status, c.status) << c.method << " " << c.target << ": " << r->body;
        EXPECT_THAT(json::parse(r->body, nullptr, false).value("error", ""), HasSubstr(c.says))
            << c.method << " " << c.target;
    }
    // A body over the limit is refused before it is read.
    const auto huge =
        http_request(port, "PATCH", "/api/v1/tshost/limits", std::string(3u << 19, ' '));
    ASSERT_TRUE(huge);
    EXPECT_EQ(huge->status, 413);
    // Still answering after all of it.
    EXPECT_EQ(get("/api/v1/nni/check-status").status, 200);
}

TEST_F(PortalApiTest, NoResponseContainsTheConfigsSecret) {
    start();
    for (const char* target :
         {"/api/v1/tshost/overview", "/api/v1/nni/experiment", "/api/v1/tshost/trials",
          "/api/v1/tshost/trials/t0", "/api/v1/nni/trial-jobs", "/api/v1/nni/metric-data",
          "/api/v1/nni/export-data", "/api/v1/nni/check-status", "/"}) {
        const auto r = get(target);
        EXPECT_EQ(r.status, 200) << target;
        EXPECT_THAT(r.body, Not(HasSubstr(kSecret))) << target;
    }
    EXPECT_THAT(get("/api/v1/nni/experiment").body, HasSubstr("<redacted>"));
}

TEST_F(PortalApiTest, WithATokenEveryRequestNeedsIt) {
    tshost::portal::PortalOptions options;
    options.token = "tok-123";
    start(options);
    const auto denied = get("/api/v1/tshost/overview");
    EXPECT_EQ(denied.status, 401);
    EXPECT_THAT(denied.body, HasSubstr("access token"));
    EXPECT_EQ(get("/api/v1/tshost/overview", "Authorization: Bearer wrong\r\n").status, 401);
    EXPECT_EQ(get("/api/v1/tshost/overview", "Authorization: Bearer tok-123\r\n").status, 200);
    const auto first = get("/?token=tok-123");
    EXPECT_EQ(first.status, 200);
    EXPECT_EQ(first.header("set-cookie"),
              "tshost_portal=tok-123; HttpOnly; SameSite=Strict; Path=/");
    EXPECT_EQ(get("/api/v1/tshost/trials", "Cookie: a=b; tshost_portal=tok-123\r\n").status, 200);
    EXPECT_EQ(get("/api/v1/tshost/trials", "Cookie: tshost_portal=tok-12\r\n").status, 401);
}

TEST_F(PortalApiTest, ANonLoopbackBindNeedsAToken) {
    ::unsetenv("TSHOST_PORTAL_TOKEN");
    try {
        tshost::portal::resolve_token("0.0.0.0", "");
        ADD_FAILURE() << "accepted an exposed portal without a token";
    } catch (const std::runtime_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("--portal-token-file"));
    }
    EXPECT_EQ(tshost::portal::resolve_token("127.0.0.1", ""), "");
    std::ofstream(dir_ / "token") << "from-file\n";
    EXPECT_EQ(tshost::portal::resolve_token("0.0.0.0", (dir_ / "token").string()), "from-file");
}

TEST_F(PortalApiTest, WithoutAWebDirectoryTheRootSaysHowToBuildIt) {
    start();
    const auto page = get("/");
    EXPECT_EQ(page.status, 200);
    EXPECT_THAT(page.header("content-type"), HasSubstr("text/html"));
    EXPECT_THAT(page.body, HasSubstr("npm run build"));
    fs::create_directories(dir_ / "web" / "assets");
    std::ofstream(dir_ / "web" / "index.html") << "<html>portal</html>";
    std::ofstream(dir_ / "web" / "assets" / "index-AbCd1234.js") << "console.log(1)";
    portal_.reset();
    tshost::portal::PortalOptions options;
    options.web_dir = (dir_ / "web").string();
    start(options);
    EXPECT_EQ(get("/").body, "<html>portal</html>");
    const auto asset = get("/assets/index-AbCd1234.js");
    EXPECT_EQ(asset.body, "console.log(1)");
    EXPECT_THAT(asset.header("cache-control"), HasSubstr("immutable"));
    EXPECT_EQ(get("/assets/missing.js").status, 404);
}

}  // namespace
