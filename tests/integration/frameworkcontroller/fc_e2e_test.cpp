// A FrameworkController experiment end to end, as a user runs it: the real tshost binary with
// the frameworkcontroller and nfs plugins, against the kube emulator (fc_e2e_fixture.hpp).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "fc_e2e_fixture.hpp"
#include "pod_lifecycle_checks.hpp"

namespace fc_e2e {
namespace {

using testing::HasSubstr;

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

TEST_F(FrameworkControllerE2E, EveryReplicaOfEveryRoleRunsAndOnlyThePrimaryReachesTheTuner) {
    // Two roles with two tasks each; worker is the first role, so worker-0 is the primary.
    // Each replica checks that its /tmp is its own, as on a real cluster: the run script
    // unpacks the code there, and replicas sharing it would race.
    const std::string args = "--by-replica --private-tmp 4";
    const TshostRun result = run(config(role("worker", 2, args) + role("ps", 2, args), 2));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    auto d = db();
    const auto trials = d.trials();
    ASSERT_EQ(trials.size(), 2U);
    const std::vector<std::string> replicas = {"worker-0", "worker-1", "ps-0", "ps-1"};
    for (const auto& t : trials) {
        EXPECT_EQ(t.status, "SUCCEEDED") << t.id << ": " << t.message;
        // Every replica ran its role's script (the barrier's injector.sh sourced first) and
        // journalled its metrics; the host stored each replica's records once.
        for (const auto& replica : replicas) {
            EXPECT_EQ(journalled(t.id, replica), 3U) << t.id << " " << replica;
        }
        expect_metrics_match_journals(t, replicas);
        // The tuner's result is the primary's: the others report 100 and more on top of x.
        const double x = json::parse(t.parameters_json)["parameters"]["x"];
        ASSERT_TRUE(t.final_metric) << t.id;
        EXPECT_DOUBLE_EQ(*t.final_metric, x) << t.id;
        std::map<std::string, double> finals;
        for (const auto& m : d.metrics(t.id)) {
            if (m.type == "FINAL") {
                finals[m.replica] = m.default_value;
            }
        }
        EXPECT_DOUBLE_EQ(finals["worker-1"], 200 + x);
        EXPECT_DOUBLE_EQ(finals["ps-0"], 1100 + x);
        EXPECT_DOUBLE_EQ(finals["ps-1"], 1200 + x);
    }
    expect_cluster_empty();
}

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

// A role whose image is `image` instead of the fixture's.
std::string with_image(std::string roles, const std::string& image) {
    const std::string from = "dockerImage: python:3-slim";
    for (size_t at = roles.find(from); at != std::string::npos; at = roles.find(from, at + 1)) {
        roles.replace(at, from.size(), "dockerImage: " + image);
    }
    return roles;
}

class FrameworkControllerPods : public FrameworkControllerE2E {
  protected:
    /// One trial whose pod never starts, with podPendingTimeout 3s: the trouble is shown, then
    /// fails the trial, and nothing is left.
    void expect_pod_trouble_fails_the_trial(const std::string& roles, const std::string& trouble,
                                            const std::string& detail) {
        Experiment e{roles, 1};
        e.platform_extra = "  podPendingTimeout: 3s\n";
        const TshostRun result = run(config(e));
        ASSERT_EQ(result.exit_code, 0) << result.output;
        pod_checks::expect_failed_by_pod_trouble(
            db(), emulator_->request("GET", "/emulator/v1/stats").json_body(), "frameworks",
            trouble, detail);
        expect_cluster_empty();
    }
};

TEST_F(FrameworkControllerPods, AnImageThatCannotBePulledIsShownThenFailsTheTrialAfterTheTimeout) {
    expect_pod_trouble_fails_the_trial(
        with_image(role("worker", 1), "registry.example/does-not-exist:1"), "ImagePull",
        "does-not-exist");
}

TEST_F(FrameworkControllerPods, APodNoNodeFitsIsShownThenFailsTheTrialAfterTheTimeout) {
    expect_pod_trouble_fails_the_trial(role("worker", 1) +
                                           "      podSpecPatch:\n"
                                           "        nodeSelector: {accelerator: nvidia-a100}\n",
                                       "Unschedulable",
                                       "didn't match Pod's node affinity/selector");
}

TEST_F(FrameworkControllerPods, AFinishedTrialsFrameworkIsDeletedWhileTheExperimentRuns) {
    // The gated trial: each waits after its first result until `go` is in its directory.
    fs::copy_file(GATED_TRIAL_SCRIPT, root_ / "code" / "trial.py",
                  fs::copy_options::overwrite_existing);
    std::ofstream(root_ / "code" / "gate") << "gate";
    const pid_t host = start(config(role("worker", 1), 2), "host.log");
    const auto ids =
        pod_checks::wait_for_reporting_trials(root_ / "data" / kExp / "experiment.db", 2);
    ASSERT_EQ(ids.size(), 2U) << "the experiment never got going";
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
    ASSERT_EQ(wait_process(host, 240), 0);
    for (const auto& t : db().trials()) {
        EXPECT_EQ(t.status, "SUCCEEDED") << t.id << ": " << t.message;
        EXPECT_EQ(db().metrics(t.id).size(), 3U) << t.id;  // outputs collected before deletion
    }
    // The first Framework by its own DELETE; the last one may go with the experiment's end.
    EXPECT_GE(requests("frameworks", "delete"), 1);
    expect_cluster_empty();
}

}  // namespace
}  // namespace fc_e2e
