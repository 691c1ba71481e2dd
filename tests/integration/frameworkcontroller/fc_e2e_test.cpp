// A FrameworkController experiment end to end, as a user runs it: the real tshost binary with
// the frameworkcontroller and nfs plugins, against the kube emulator. The nfs plugin runs in
// localMountPath mode on the directory the emulator maps the nfs volume (127.0.0.1:/export) to,
// so what the host writes through the storage plugin is what the pods see at /tmp/mount.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "db/experiment_db.hpp"
#include "emulator_fixture.hpp"
#include "pod_lifecycle_checks.hpp"
#include "tshost_process.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::HasSubstr;

constexpr const char* kExp = "fce2e1";

class FrameworkControllerE2E : public testing::Test {
  protected:
    void SetUp() override {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        root_ = fs::path(testing::TempDir()) / ("fc-e2e-" + std::string(info->name()));
        fs::remove_all(root_);
        fs::create_directories(root_ / "code");
        fs::copy_file(TRIAL_SCRIPT, root_ / "code" / "trial.py");
        emulator_ = std::make_unique<kemu::test::Emulator>(
            std::vector<std::string>{"--nfs-root", (root_ / "nfs").string()});
        // The emulator's mapping: nfs volume server:path → <nfs-root>/<server>/<path>.
        share_ = root_ / "nfs" / "127.0.0.1" / "export";
        fs::create_directories(share_);
    }

    /// One experiment config; `roles` is the YAML list of task roles, `extra` more keys of the
    /// trainingService section.
    std::string config(const std::string& roles, int trials, const std::string& extra = "") {
        const fs::path path = root_ / "config.yml";
        std::ofstream(path) << "experimentName: fc-e2e\n"
                            << "searchSpace:\n  x: {_type: uniform, _value: [0, 1]}\n"
                            << "trialCodeDirectory: " << (root_ / "code").string() << "\n"
                            << "trialConcurrency: 2\n"
                            << "maxTrialNumber: " << trials << "\n"
                            << "tuner: {name: Random, classArgs: {seed: 3}}\n"
                            << "trainingService:\n"
                            << "  platform: frameworkcontroller\n"
                            << "  reuseMode: false\n"
                            << "  namespace: nni\n"
                            << "  serviceAccountName: frameworkbarrier\n"
                            << "  kubeconfig: " << emulator_->kubeconfig() << "\n"
                            << extra << "  taskRoles:\n"
                            << roles << "  storage:\n"
                            << "    storageType: nfs\n    server: 127.0.0.1\n    path: /export\n"
                            << "    localMountPath: " << share_.string() << "\n";
        return path.string();
    }

    static std::string role(const std::string& name, int tasks,
                            const std::string& image = "python:3-slim") {
        return "    - name: " + name + "\n      dockerImage: " + image +
               "\n      taskNumber: " + std::to_string(tasks) +
               "\n      command: python3 trial.py\n      gpuNumber: 0\n      cpuNumber: 1\n"
               "      memorySize: 512mb\n      frameworkAttemptCompletionPolicy:\n"
               "        minFailedTaskCount: 1\n        minSucceedTaskCount: -1\n";
    }

    TshostRun run(const std::string& config_path) {
        return run_tshost({"--data-dir", (root_ / "data").string(), "run", config_path, "--id",
                           kExp, "--port", "0"},
                          240);
    }

    tshost::db::ExperimentDb db() const {
        return tshost::db::ExperimentDb::open(root_ / "data" / kExp / "experiment.db");
    }

    /// Records replica `replica` of `trial` journalled on the share.
    size_t journalled(const std::string& trial, const std::string& replica) const {
        std::ifstream in(share_ / "nni" / kExp / trial / ".tshost" / "metrics" /
                         (replica + ".jsonl"));
        size_t n = 0;
        for (std::string line; std::getline(in, line);) {
            ++n;
        }
        return n;
    }

    size_t count(const std::string& path) const {
        const auto response = emulator_->request("GET", path);
        EXPECT_EQ(response.code, 200) << path << ": " << response.body;
        const json list = response.json_body();
        return list.value("items", json::array()).size();
    }

    /// Nothing of the experiment is left: Frameworks and Secrets at once, pods once the
    /// garbage collector has followed the deletion (bounded wait on the emulator's state).
    void expect_cluster_empty() {
        const std::string sel =
            "?labelSelector=app%3Dnni-kubernetes-trial%2CexpId%3D" + std::string(kExp);
        EXPECT_EQ(count("/apis/frameworkcontroller.microsoft.com/v1/namespaces/nni/frameworks"),
                  0U);
        EXPECT_EQ(count("/api/v1/namespaces/nni/secrets" + sel), 0U);
        const json pods = emulator_->wait_for("/api/v1/namespaces/nni/pods", [](const json& l) {
            return l.value("items", json::array()).empty();
        });
        EXPECT_TRUE(pods.value("items", json::array()).empty()) << pods.dump();
    }

    /// One trial whose pod never starts, with podPendingTimeout 3s: the trouble is shown, then
    /// fails the trial, and nothing is left.
    void expect_pod_trouble_fails_the_trial(const std::string& roles, const std::string& trouble,
                                            const std::string& detail) {
        const TshostRun result = run(config(roles, 1, "  podPendingTimeout: 3s\n"));
        ASSERT_EQ(result.exit_code, 0) << result.output << "\n" << emulator_->log();
        pod_checks::expect_failed_by_pod_trouble(
            db(), emulator_->request("GET", "/emulator/v1/stats").json_body(), "frameworks",
            trouble, detail);
        expect_cluster_empty();
    }

    fs::path root_, share_;
    std::unique_ptr<kemu::test::Emulator> emulator_;
};

TEST_F(FrameworkControllerE2E, EveryTrialSucceedsWithItsMetricsStoredOnceAndNothingIsLeft) {
    const TshostRun result = run(config(role("worker", 1), 3));
    ASSERT_EQ(result.exit_code, 0) << result.output << "\n" << emulator_->log();

    auto d = db();
    const auto trials = d.trials();
    ASSERT_EQ(trials.size(), 3U) << result.output;
    for (const auto& t : trials) {
        EXPECT_EQ(t.status, "SUCCEEDED") << t.id << ": " << t.message;
        EXPECT_EQ(t.job_name, "nniexp" + std::string(kExp) + "trial" + t.id);
        // Where its outputs are, from the storage plugin.
        EXPECT_EQ(t.url, "nfs://127.0.0.1/export/nni/" + std::string(kExp) + "/" + t.id);
        EXPECT_GT(t.start_time_ms, 0) << t.id;
        EXPECT_GE(t.end_time_ms, t.start_time_ms) << t.id;
        ASSERT_TRUE(t.final_metric) << t.id;
        const auto metrics = d.metrics(t.id);
        // Two intermediates and the final, each once, and exactly what the agent journalled.
        EXPECT_EQ(metrics.size(), 3U) << t.id;
        EXPECT_EQ(metrics.size(), journalled(t.id, "worker-0")) << t.id;
        std::set<int64_t> seqs;
        for (const auto& m : metrics) {
            EXPECT_EQ(m.replica, "worker-0");
            EXPECT_TRUE(seqs.insert(m.seq).second) << t.id << " seq " << m.seq;
        }
        // The run script is on the share; the metrics token is not.
        const fs::path dir = share_ / "nni" / kExp / t.id;
        ASSERT_TRUE(fs::exists(dir / "run_worker.sh"));
        std::ifstream script(dir / "run_worker.sh");
        const std::string text((std::istreambuf_iterator<char>(script)), {});
        EXPECT_THAT(text, testing::Not(HasSubstr("TSHOST_METRICS_TOKEN=")));
    }
    expect_cluster_empty();
}

TEST_F(FrameworkControllerE2E, AnImageThatCannotBePulledIsShownThenFailsTheTrialAfterTheTimeout) {
    expect_pod_trouble_fails_the_trial(role("worker", 1, "registry.example/does-not-exist:1"),
                                       "ImagePull", "does-not-exist");
}

TEST_F(FrameworkControllerE2E, APodNoNodeFitsIsShownThenFailsTheTrialAfterTheTimeout) {
    expect_pod_trouble_fails_the_trial(role("worker", 1) +
                                           "      podSpecPatch:\n"
                                           "        nodeSelector: {accelerator: nvidia-a100}\n",
                                       "Unschedulable",
                                       "didn't match Pod's node affinity/selector");
}

TEST_F(FrameworkControllerE2E, AFinishedTrialsFrameworkIsDeletedWhileTheExperimentRuns) {
    // The gated trial: each waits after its first result until `go` is in its directory.
    fs::copy_file(GATED_TRIAL_SCRIPT, root_ / "code" / "trial.py",
                  fs::copy_options::overwrite_existing);
    std::ofstream(root_ / "code" / "gate") << "gate";
    const pid_t host = start_tshost({"--data-dir", (root_ / "data").string(), "run",
                                     config(role("worker", 1), 2), "--id", kExp, "--port", "0"},
                                    (root_ / "host.log").string());
    const auto ids =
        pod_checks::wait_for_reporting_trials(root_ / "data" / kExp / "experiment.db", 2);
    ASSERT_EQ(ids.size(), 2U) << "the experiment never got going\n" << emulator_->log();
    const std::string done = "nniexp" + std::string(kExp) + "trial" + ids[0];
    const std::string gated = "nniexp" + std::string(kExp) + "trial" + ids[1];
    std::ofstream(share_ / "nni" / kExp / ids[0] / "go") << "go";
    const std::string frameworks =
        "/apis/frameworkcontroller.microsoft.com/v1/namespaces/nni/frameworks/";
    // The finished one goes while the other, still gated, keeps the experiment running.
    const json gone = emulator_->wait_for(
        frameworks + done, [](const json& fw) { return fw.value("code", 0) == 404; });
    EXPECT_EQ(gone.value("code", 0), 404) << "the finished Framework is still there";
    EXPECT_EQ(emulator_->request("GET", frameworks + gated).code, 200);
    EXPECT_EQ(db().trial(ids[0])->status, "SUCCEEDED");
    std::ofstream(share_ / "nni" / kExp / ids[1] / "go") << "go";
    ASSERT_EQ(wait_process(host, 240), 0) << emulator_->log();
    for (const auto& t : db().trials()) {
        EXPECT_EQ(t.status, "SUCCEEDED") << t.id << ": " << t.message;
        EXPECT_EQ(db().metrics(t.id).size(), 3U) << t.id;  // outputs collected before deletion
    }
    const json stats = emulator_->request("GET", "/emulator/v1/stats").json_body();
    // The first Framework by its own DELETE; the last one may go with the experiment's end.
    EXPECT_GE(stats["requests"]["resources"]["frameworks"].value("delete", 0), 1) << stats.dump();
    expect_cluster_empty();
}

TEST_F(FrameworkControllerE2E, MultiRoleFrameworkRunsEveryReplicaBehindTheBarrier) {
    // One task per role: the emulator runs every pod on this host with one shared /tmp, where
    // two replicas of one role would share the run script's pod-local code directory
    // (/tmp/tshost-code/<trial>-<role>), which on a real cluster is private to each pod.
    const TshostRun result = run(config(role("ps", 1) + role("worker", 1), 1));
    ASSERT_EQ(result.exit_code, 0) << result.output << "\n" << emulator_->log();
    auto d = db();
    const auto trials = d.trials();
    ASSERT_EQ(trials.size(), 1U);
    const auto& t = trials[0];
    EXPECT_EQ(t.status, "SUCCEEDED") << t.message;
    // Every replica ran its role's script (the barrier's injector.sh sourced first) and
    // journalled its metrics; the host stored each replica's records once.
    for (const char* replica : {"ps-0", "worker-0"}) {
        EXPECT_EQ(journalled(t.id, replica), 3U) << replica;
    }
    std::map<std::string, size_t> per_replica;
    for (const auto& m : d.metrics(t.id)) {
        ++per_replica[m.replica];
    }
    EXPECT_EQ(per_replica["ps-0"], 3U);
    EXPECT_EQ(per_replica["worker-0"], 3U);
    expect_cluster_empty();
}

}  // namespace

namespace {

// `tshost render`: the first trial's objects as a List kubectl reads, secrets redacted, and
// nothing written to the share or sent to the cluster.
TEST_F(FrameworkControllerE2E, RenderPrintsTheFirstTrialForKubectlWithSecretsRedacted) {
    const std::string cfg = config(role("worker", 1), 3);
    const TshostRun objects = run_tshost({"render", cfg});
    ASSERT_EQ(objects.exit_code, 0) << objects.output;
    const json list = json::parse(objects.output);
    EXPECT_EQ(list.at("kind"), "List");
    ASSERT_EQ(list.at("items").size(), 1U) << objects.output;
    const json& framework = list["items"][0];
    EXPECT_EQ(framework.at("kind"), "Framework");
    const json& env =
        framework["spec"]["taskRoles"][0]["task"]["pod"]["spec"]["containers"][0]["env"];
    bool token_seen = false;
    for (const auto& var : env) {
        if (var.at("name") == "TSHOST_METRICS_TOKEN") {
            token_seen = true;
            EXPECT_EQ(var.at("value"), "<redacted>");
        }
    }
    EXPECT_TRUE(token_seen) << env.dump();
    EXPECT_TRUE(fs::is_empty(share_)) << "render must not write to the store";
    expect_cluster_empty();

    const TshostRun scripts = run_tshost({"render", cfg, "--scripts"});
    ASSERT_EQ(scripts.exit_code, 0) << scripts.output;
    EXPECT_THAT(scripts.output, HasSubstr("/run_worker.sh\n#!/bin/sh"));
    EXPECT_THAT(scripts.output, HasSubstr("tshost_agent.py"));

    if (!fs::exists("/usr/bin/kubectl")) {
        GTEST_SKIP() << "kubectl is not installed; the rest checks that kubectl accepts the List";
    }
    // kubectl resolves each kind through the emulator's discovery and decodes each object;
    // its client-side schema check is off because it asks for OpenAPI as protobuf, which the
    // emulator does not serve (render already checked the objects against the CRD rules).
    const fs::path file = root_ / "rendered.json";
    std::ofstream(file) << objects.output;
    const std::string command = "kubectl --kubeconfig " + emulator_->kubeconfig() +
                                " apply --dry-run=client --validate=false -f " + file.string() +
                                " >" + (root_ / "kubectl.log").string() + " 2>&1";
    std::ifstream log_in;
    const int status = std::system(command.c_str());
    log_in.open(root_ / "kubectl.log");
    const std::string log((std::istreambuf_iterator<char>(log_in)), {});
    EXPECT_EQ(status, 0) << log;
    EXPECT_THAT(log, HasSubstr("created (dry run)"));
}

}  // namespace
