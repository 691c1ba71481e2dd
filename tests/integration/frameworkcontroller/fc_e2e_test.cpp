// What only FrameworkController has, end to end: several task roles with several tasks each,
// and `tshost render` of a Framework. The real tshost binary with the frameworkcontroller and
// nfs plugins, against the kube emulator (kube_e2e_fixture.hpp); what every platform shares
// runs for all of them in ../cluster-e2e/matrix_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "kube_e2e_fixture.hpp"

namespace fc_e2e {
namespace {

using kube_e2e::json;
using kube_e2e::role;
using testing::HasSubstr;
namespace fs = std::filesystem;

class FrameworkControllerE2E : public kube_e2e::KubeE2E {
  protected:
    FrameworkControllerE2E() : KubeE2E(kube_e2e::kFrameworkController, kube_e2e::Storage::nfs) {}

    std::string config(const std::string& roles, int trials) {
        kube_e2e::Experiment e;
        e.roles = roles;
        e.trials = trials;
        return KubeE2E::config(e);
    }
};

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

}  // namespace
}  // namespace fc_e2e
