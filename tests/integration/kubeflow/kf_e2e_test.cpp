// The Kubeflow platforms end to end, as a user runs them: the real tshost binary with the
// kubeflow-tf / kubeflow-pytorch and nfs plugins against the kube emulator (training-operator
// simulated, pods as local processes). The nfs plugin runs in localMountPath mode on the
// directory the emulator maps the nfs volume (127.0.0.1:/export) to, so what the host writes is
// what the pods see at /tmp/mount.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "db/experiment_db.hpp"
#include "emulator_fixture.hpp"
#include "kf_platforms.hpp"
#include "metrics/trial_tokens.hpp"
#include "pod_lifecycle_checks.hpp"
#include "raw_http.hpp"
#include "tshost_process.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kExp = "kfe2e1";

class KubeflowE2E : public testing::TestWithParam<kf_it::Platform> {
  protected:
    void SetUp() override {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        std::string name = info->name();
        std::replace(name.begin(), name.end(), '/', '-');
        root_ = fs::path(testing::TempDir()) / ("kf-e2e-" + name);
        fs::remove_all(root_);
        fs::create_directories(root_ / "code");
        fs::copy_file(TRIAL_SCRIPT, root_ / "code" / "trial.py");
        emulator_ = std::make_unique<kemu::test::Emulator>(
            std::vector<std::string>{"--nfs-root", (root_ / "nfs").string()});
        share_ = root_ / "nfs" / "127.0.0.1" / "export";
        fs::create_directories(share_);
    }

    /// `extra`: more keys of the trainingService section; `image` of every role;
    /// `registry_auth`: a docker config file every role pulls its image with (a Secret).
    std::string config(int trials, const std::string& extra = "",
                       const std::string& image = "python:3-slim",
                       const std::string& registry_auth = "") {
        const kf_it::Platform& p = GetParam();
        const fs::path path = root_ / "config.yml";
        std::ofstream out(path);
        out << "experimentName: kf-e2e\n"
            << "searchSpace:\n  x: {_type: uniform, _value: [0, 1]}\n"
            << "trialCodeDirectory: " << (root_ / "code").string() << "\n"
            << "trialConcurrency: 2\n"
            << "maxTrialNumber: " << trials << "\n"
            << "tuner: {name: Random, classArgs: {seed: 3}}\n"
            << "trainingService:\n"
            << "  platform: kubeflow\n"
            << "  operator: " << p.operator_ << "\n"
            << "  apiVersion: v1\n"
            << "  reuseMode: false\n"
            << "  namespace: nni\n"
            << "  kubeconfig: " << emulator_->kubeconfig() << "\n"
            << extra;
        for (const char* role : p.roles) {
            out << "  " << role << ":\n"
                << "    replicas: 1\n    command: python3 trial.py\n    gpuNumber: 0\n"
                << "    cpuNumber: 1\n    memorySize: 512mb\n    dockerImage: " << image << "\n";
            if (!registry_auth.empty()) {
                out << "    privateRegistryAuthPath: " << registry_auth << "\n";
            }
        }
        out << "  storage:\n"
            << "    storageType: nfs\n    server: 127.0.0.1\n    path: /export\n"
            << "    localMountPath: " << share_.string() << "\n";
        return path.string();
    }

    std::vector<std::string> args(std::vector<std::string> rest) const {
        std::vector<std::string> all{"--data-dir", (root_ / "data").string()};
        all.insert(all.end(), rest.begin(), rest.end());
        return all;
    }

    tshost::db::ExperimentDb db() const {
        return tshost::db::ExperimentDb::open(root_ / "data" / kExp / "experiment.db");
    }

    /// Records replica `replica` of `trial` journalled on the share by the agent.
    size_t journalled(const std::string& trial, const std::string& replica) const {
        std::ifstream in(share_ / "nni" / kExp / trial / ".tshost" / "metrics" /
                         (replica + ".jsonl"));
        size_t n = 0;
        for (std::string line; std::getline(in, line);) {
            ++n;
        }
        return n;
    }

    /// Every trial SUCCEEDED, run by its attempt-0 job, with the primary replica's three
    /// records stored exactly once (what its agent journalled, no seq twice).
    void expect_succeeded_exactly_once(size_t trials, const std::string& output) {
        auto d = db();
        const auto all = d.trials();
        ASSERT_EQ(all.size(), trials) << output;
        for (const auto& t : all) {
            EXPECT_EQ(t.status, "SUCCEEDED") << t.id << ": " << t.message;
            EXPECT_EQ(t.job_name, kf_it::job_name(kExp, t.id)) << "submitted again?";
            EXPECT_GT(t.start_time_ms, 0) << t.id;
            EXPECT_GE(t.end_time_ms, t.start_time_ms) << t.id;
            EXPECT_TRUE(t.final_metric) << t.id;
            std::set<int64_t> seqs;
            size_t primary = 0;
            for (const auto& m : d.metrics(t.id)) {
                if (m.replica == GetParam().primary) {
                    ++primary;
                    EXPECT_TRUE(seqs.insert(m.seq).second) << t.id << " seq " << m.seq;
                }
            }
            EXPECT_EQ(primary, 3U) << t.id;
            EXPECT_EQ(primary, journalled(t.id, GetParam().primary)) << t.id;
        }
    }

    /// The id of the experiment's only trial once `replicas` of its replicas have a record
    /// stored ("" if not within 90 s). Read-only: the engine is the only writer.
    std::string held_trial_with_replicas(size_t replicas) const {
        const fs::path path = root_ / "data" / kExp / "experiment.db";
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
        while (std::chrono::steady_clock::now() < deadline) {
            try {
                const auto d = tshost::db::ExperimentDb::open_read_only(path);
                const auto trials = d.trials();
                std::set<std::string> seen;
                for (const auto& m : trials.size() == 1 ? d.metrics(trials[0].id)
                                                        : std::vector<tshost::db::MetricRow>{}) {
                    seen.insert(m.replica);
                }
                if (seen.size() >= replicas) {
                    return trials[0].id;
                }
            } catch (const std::runtime_error&) {
                // not created yet
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling, bounded
        }
        return "";
    }

    size_t count(const std::string& path) const {
        const auto response = emulator_->request("GET", path);
        EXPECT_EQ(response.code, 200) << path << ": " << response.body;
        return response.json_body().value("items", json::array()).size();
    }

    /// Nothing of the experiment is left: jobs and Secrets at once, pods once the garbage
    /// collector has followed the deletion.
    void expect_cluster_empty() {
        EXPECT_EQ(count(std::string("/apis/kubeflow.org/v1/namespaces/nni/") + GetParam().plural),
                  0U);
        EXPECT_EQ(count("/api/v1/namespaces/nni/secrets?labelSelector=app%3Dnni-kubernetes-"
                        "trial%2CexpId%3D" +
                        std::string(kExp)),
                  0U);
        const json pods = emulator_->wait_for("/api/v1/namespaces/nni/pods", [](const json& l) {
            return l.value("items", json::array()).empty();
        });
        EXPECT_TRUE(pods.value("items", json::array()).empty()) << pods.dump();
    }

    fs::path root_, share_;
    std::unique_ptr<kemu::test::Emulator> emulator_;
};

TEST_P(KubeflowE2E, EveryTrialSucceedsWithItsMetricsStoredOnceAndNothingIsLeft) {
    const TshostRun result = run_tshost(args({"run", config(3), "--id", kExp, "--port", "0"}), 240);
    ASSERT_EQ(result.exit_code, 0) << result.output << "\n" << emulator_->log();
    expect_succeeded_exactly_once(3, result.output);
    for (const auto& t : db().trials()) {
        EXPECT_EQ(t.url, "nfs://127.0.0.1/export/nni/" + std::string(kExp) + "/" + t.id);
        for (const char* role : GetParam().roles) {
            EXPECT_TRUE(
                fs::exists(share_ / "nni" / kExp / t.id / ("run_" + std::string(role) + ".sh")))
                << role;
        }
    }
    expect_cluster_empty();
}

TEST_P(KubeflowE2E, KillNineThenResumeAdoptsTheRunningJobsAndLosesNoMetric) {
    std::ofstream(root_ / "code" / "gate") << "gate";
    const pid_t host = start_tshost(args({"run", config(2), "--id", kExp, "--port", "0"}),
                                    (root_ / "first.log").string());
    // Kill the host once both trials' first metric is stored: the jobs go on without it.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    bool ready = false;
    while (!ready && std::chrono::steady_clock::now() < deadline) {
        if (fs::exists(root_ / "data" / kExp / "experiment.db")) {
            auto d = db();
            const auto trials = d.trials();
            ready = trials.size() == 2 &&
                    std::all_of(trials.begin(), trials.end(),
                                [&](const auto& t) { return !d.metrics(t.id).empty(); });
        }
        if (!ready) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    ASSERT_TRUE(ready) << "the experiment never got going\n" << emulator_->log();
    ASSERT_EQ(::kill(host, SIGKILL), 0);
    EXPECT_EQ(wait_process(host), -SIGKILL);
    const size_t jobs_before =
        count(std::string("/apis/kubeflow.org/v1/namespaces/nni/") + GetParam().plural);
    EXPECT_EQ(jobs_before, 2U);

    // The trials finish without a host; their later metrics can only be journalled.
    for (const auto& t : db().trials()) {
        std::ofstream(share_ / "nni" / kExp / t.id / "go") << "go";
    }
    const TshostRun resumed = run_tshost(args({"resume", kExp, "--port", "0"}), 240);
    ASSERT_EQ(resumed.exit_code, 0) << resumed.output << "\n" << emulator_->log();
    expect_succeeded_exactly_once(2, resumed.output);
    expect_cluster_empty();
}

TEST_P(KubeflowE2E, AnImageThatCannotBePulledIsShownThenFailsTheTrialAfterTheTimeout) {
    const TshostRun result = run_tshost(
        args({"run", config(1, "  podPendingTimeout: 3s\n", "registry.example/does-not-exist:1"),
              "--id", kExp, "--port", "0"}),
        240);
    ASSERT_EQ(result.exit_code, 0) << result.output << "\n" << emulator_->log();
    pod_checks::expect_failed_by_pod_trouble(
        db(), emulator_->request("GET", "/emulator/v1/stats").json_body(), GetParam().plural,
        "ImagePull", "does-not-exist");
    expect_cluster_empty();
}

TEST_P(KubeflowE2E, AFinishedTrialsJobIsDeletedWhileTheExperimentRuns) {
    std::ofstream(root_ / "code" / "gate") << "gate";
    const pid_t host = start_tshost(args({"run", config(2), "--id", kExp, "--port", "0"}),
                                    (root_ / "host.log").string());
    const auto ids =
        pod_checks::wait_for_reporting_trials(root_ / "data" / kExp / "experiment.db", 2);
    ASSERT_EQ(ids.size(), 2U) << "the experiment never got going\n" << emulator_->log();
    std::ofstream(share_ / "nni" / kExp / ids[0] / "go") << "go";
    // The finished one goes while the other, still gated, keeps the experiment running.
    const json gone =
        emulator_->wait_for(kf_it::job_path(GetParam(), "nni", kf_it::job_name(kExp, ids[0])),
                            [](const json& job) { return job.value("code", 0) == 404; });
    EXPECT_EQ(gone.value("code", 0), 404) << "the finished job is still there";
    EXPECT_EQ(
        emulator_->request("GET", kf_it::job_path(GetParam(), "nni", kf_it::job_name(kExp, ids[1])))
            .code,
        200);
    std::ofstream(share_ / "nni" / kExp / ids[1] / "go") << "go";
    ASSERT_EQ(wait_process(host, 240), 0) << emulator_->log();
    expect_succeeded_exactly_once(2, "");
    const json stats = emulator_->request("GET", "/emulator/v1/stats").json_body();
    // The first job by its own DELETE; the last one may go with the experiment's end.
    EXPECT_GE(stats["requests"]["resources"][GetParam().plural].value("delete", 0), 1)
        << stats.dump();
    expect_cluster_empty();
}

std::string file_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The trial page of a two-replica trial: the job as created, stored without the registry
// credentials or the trial's metrics token (neither in the database file nor in any
// answer of the portal), and metric routes that show the primary replica's records only.
TEST_P(KubeflowE2E, TheTrialPageShowsTheRedactedJobAndOnlyThePrimaryReplicasMetrics) {
    const std::string registry_secret = "cmVnaXN0cnktcGFzc3dvcmQtUDRzc3cwcmQ=";
    const fs::path auth = root_ / "docker-config.json";
    const std::string docker_config =
        R"({"auths": {"registry.example": {"auth": ")" + registry_secret + R"("}}})";
    std::ofstream(auth) << docker_config;
    // The Secret's data as the plugin sends it (base64 of the file).
    std::string encoded(4 * ((docker_config.size() + 2) / 3) + 1, '\0');
    encoded.resize(static_cast<size_t>(
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                        reinterpret_cast<const unsigned char*>(docker_config.data()),
                        static_cast<int>(docker_config.size()))));
    const std::vector<std::string> secrets_of_run = {registry_secret, encoded};
    // Every replica waits at the gate after its first result until the test has seen both
    // replicas' first records stored: a secondary replica's records count only while its
    // trial runs (the primary's end ends the trial), so that is when they are checked.
    std::ofstream(root_ / "code" / "gate") << "gate";
    const fs::path run_log = root_ / "run.log";
    const pid_t host = start_tshost(
        args({"run", config(1, "", "python:3-slim", auth.string()), "--id", kExp, "--port", "0"}),
        run_log.string());
    const std::string both = held_trial_with_replicas(2);
    ASSERT_FALSE(both.empty()) << file_text(run_log) << "\n" << emulator_->log();
    std::ofstream(share_ / "nni" / kExp / both / "go") << "go";
    ASSERT_EQ(wait_process(host, 240), 0) << file_text(run_log) << "\n" << emulator_->log();
    const auto trials = db().trials();
    ASSERT_EQ(trials.size(), 1U);
    const auto& trial = trials[0];
    const std::string token =
        tshost::metrics::TrialTokens::from_key(file_text(root_ / "data" / kExp / "metrics.key"))
            .token(trial.id, 0);

    const auto stored_manifest = db().manifest(trial.id);
    ASSERT_TRUE(stored_manifest) << "the engine stores the submitted job";
    const json manifest = json::parse(*stored_manifest);
    EXPECT_EQ(manifest["kind"], GetParam().kind);
    EXPECT_EQ(manifest["metadata"]["name"], kf_it::job_name(kExp, trial.id));
    EXPECT_NE(stored_manifest->find("imagePullSecrets"), std::string::npos);
    EXPECT_NE(stored_manifest->find("<redacted>"), std::string::npos) << "the token's place";
    for (const auto& entry : fs::directory_iterator(root_ / "data" / kExp)) {
        if (entry.path().filename().string().starts_with("experiment.db")) {
            const std::string bytes = file_text(entry.path());
            for (const auto& secret : secrets_of_run) {
                EXPECT_EQ(bytes.find(secret), std::string::npos) << entry.path();
            }
            EXPECT_EQ(bytes.find(token), std::string::npos) << entry.path();
        }
    }
    // Both replicas' records are kept, and marked.
    std::map<std::string, int> stored;
    for (const auto& m : db().metrics(trial.id)) {
        EXPECT_EQ(m.primary, m.replica == GetParam().primary) << m.replica;
        ++stored[m.replica];
    }
    ASSERT_EQ(stored.size(), 2U) << "both replicas report (trial.py)";
    EXPECT_EQ(stored[GetParam().primary], 3);

    const fs::path log = root_ / "view.log";
    struct ViewProcess {
        pid_t pid;
        ~ViewProcess() {
            if (pid > 0) {  // a failed assertion left it running
                ::kill(pid, SIGKILL);
                wait_process(pid, 30);
            }
        }
    } view{start_tshost(args({"view", kExp, "--port", "0"}), log.string())};
    const uint16_t port = wait_for_portal_port(log.string());
    ASSERT_NE(port, 0) << file_text(log);
    const auto get = [&](const std::string& target) {
        const auto r = tshost::test::http_request(port, "GET", target);
        EXPECT_TRUE(r && r->status == 200) << target << ": " << (r ? r->body : "no answer");
        if (r) {
            for (const auto& secret : secrets_of_run) {
                EXPECT_EQ(r->body.find(secret), std::string::npos) << target;
            }
            EXPECT_EQ(r->body.find(token), std::string::npos) << target;
        }
        return r ? json::parse(r->body, nullptr, false) : json();
    };
    const json detail = get("/api/v1/tshost/trials/" + trial.id);
    ASSERT_TRUE(detail["manifest"].is_string()) << detail.dump();
    EXPECT_EQ(json::parse(detail["manifest"].get<std::string>()), manifest);
    get("/api/v1/tshost/overview");
    get("/api/v1/tshost/trials");
    const json points = get("/api/v1/tshost/metrics?trials=" + trial.id)["metrics"];
    EXPECT_EQ(points.size(), static_cast<size_t>(stored[GetParam().primary])) << points.dump();
    EXPECT_EQ(get("/api/v1/nni/metric-data/" + trial.id).size(),
              static_cast<size_t>(stored[GetParam().primary]));
    size_t listed = 0;
    for (const auto& m : detail["metrics"]) {
        listed += m["primary"] == true ? 1 : 0;
    }
    EXPECT_EQ(listed, static_cast<size_t>(stored[GetParam().primary]));
    EXPECT_EQ(detail["metrics"].size(), db().metrics(trial.id).size());
    ::kill(view.pid, SIGTERM);
    EXPECT_EQ(wait_process(std::exchange(view.pid, -1), 30), 0);
}

INSTANTIATE_TEST_SUITE_P(Operators, KubeflowE2E, testing::Values(kf_it::kTf, kf_it::kPyTorch),
                         [](const auto& tp) { return std::string(tp.param.name); });

}  // namespace
