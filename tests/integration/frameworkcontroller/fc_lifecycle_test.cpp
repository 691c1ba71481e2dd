// The plugin's lifecycle against the kube emulator, loaded through the host's plugin loader and
// driven as the engine drives it: cancel (Stop, then delete), a Framework deleted behind the
// host's back, a failing trial, and re-adoption by a new instance after a "restart". The trial
// agent is a stand-in that records its environment and execs the role's command (the real agent
// is tested on its own and in fc_e2e_test.cpp).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "plugin_lifecycle_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::HasSubstr;
using tshost::plugin::PlatformInstance;

constexpr const char* kExp = "fclife1";

constexpr const char* kStubAgent = R"py(
import json, os, sys
argv = sys.argv
command = argv[argv.index('--') + 1:]
record = os.path.join(os.environ['NNI_SYS_DIR'], 'agent-env.json')
with open(record + '.tmp', 'w') as f:
    json.dump(dict(os.environ), f)
os.rename(record + '.tmp', record)
os.execvp(command[0], command)
)py";

class FrameworkControllerLifecycle : public tshost::test::PluginLifecycle {
  protected:
    FrameworkControllerLifecycle() : PluginLifecycle(kExp, kStubAgent) {}

    std::unique_ptr<PlatformInstance> platform(const std::string& command,
                                               const json& role_extra = json::object()) {
        json section = {{"namespace", "nni"},
                        // These tests look at a Framework after its trial ended.
                        {"keepFinishedJobs", true},
                        {"kubeconfig", emulator_->kubeconfig()},
                        {"taskRoles",
                         {{{"name", "worker"},
                           {"dockerImage", "python:3-slim"},
                           {"taskNumber", 1},
                           {"command", command},
                           {"gpuNumber", 0},
                           {"cpuNumber", 1},
                           {"memorySize", 512},
                           {"frameworkAttemptCompletionPolicy",
                            {{"minFailedTaskCount", 1}, {"minSucceedTaskCount", -1}}}}}}};
        section["taskRoles"][0].update(role_extra);
        return start_platform(TSHOST_FC_PLUGIN, section);
    }

    std::string framework_path(const std::string& id) const {
        return "/apis/frameworkcontroller.microsoft.com/v1/namespaces/nni/frameworks/nniexp" +
               std::string(kExp) + "trial" + id;
    }
};

TEST_F(FrameworkControllerLifecycle, CancelStopsTheFrameworkThenDeletesIt) {
    auto p = platform("sleep 120");
    const json out = json::parse(p->submit(trial("aaaa1")));
    EXPECT_EQ(out["jobName"], "nniexp" + std::string(kExp) + "trialaaaa1");
    const json running = wait_for("aaaa1", "RUNNING");
    EXPECT_GT(running.value("startTime", int64_t{0}), 0);
    // The pod's environment carries the metrics endpoint and the trial's own token.
    const json env =
        json::parse(read_when_there(share_ / "nni" / kExp / "aaaa1" / "agent-env.json"));
    EXPECT_EQ(env["TSHOST_METRICS_TOKEN"], "tok-aaaa1");
    EXPECT_EQ(env["FC_TASK_INDEX"], "0");

    p->cancel("aaaa1", TSH_CANCEL_USER);
    const json end = wait_status("aaaa1", [](const json& s) { return s["status"] != "RUNNING"; });
    EXPECT_EQ(end["status"], "USER_CANCELED");
    EXPECT_EQ(emulator_->request("GET", framework_path("aaaa1")).code, 404);
    expect_no_pods();
    p->cancel("aaaa1", TSH_CANCEL_USER);  // again: already ended, still success
    EXPECT_THROW(p->cancel("zzzz9", TSH_CANCEL_USER), tshost::plugin::PluginError);
}

TEST_F(FrameworkControllerLifecycle, AFrameworkDeletedBehindTheHostsBackFailsTheTrial) {
    auto p = platform("sleep 120");
    p->submit(trial("bbbb2"));
    wait_for("bbbb2", "RUNNING");
    ASSERT_EQ(emulator_->request("DELETE", framework_path("bbbb2")).code, 200);
    const json end = wait_status("bbbb2", [](const json& s) { return s["status"] != "RUNNING"; });
    EXPECT_EQ(end["status"], "FAILED");
    EXPECT_EQ(end["reason"], "FrameworkDeleted");
}

TEST_F(FrameworkControllerLifecycle, AFailingTrialFailsWithItsExitCodeInsteadOfRestarting) {
    auto p = platform("sh -c 'exit 3'");
    p->submit(trial("cccc3"));
    const json end = wait_status("cccc3", [](const json& s) {
        return s["status"] != "WAITING" && s["status"] != "RUNNING";
    });
    EXPECT_EQ(end["status"], "FAILED");
    EXPECT_EQ(end["exitCode"], 3);
    const json fw = emulator_->request("GET", framework_path("cccc3")).json_body();
    EXPECT_EQ(fw["status"]["retryPolicyStatus"].value("totalRetriedCount", 0), 0);
}

TEST_F(FrameworkControllerLifecycle, ANewInstanceAdoptsRunningTrialsByLabelAndCleansUp) {
    {
        auto first = platform("sleep 120");
        first->submit(trial("dddd4"));
        wait_for("dddd4", "RUNNING");
    }  // the host process "dies": no end_experiment
    auto second = platform("sleep 120");
    const json listed = json::parse(second->list_trials());
    ASSERT_EQ(listed.size(), 1U) << listed.dump();
    EXPECT_EQ(listed[0]["trialId"], "dddd4");
    EXPECT_EQ(listed[0]["status"], "RUNNING");
    seen_.clear();
    second->adopt(trial("dddd4"));
    wait_for("dddd4", "RUNNING");
    EXPECT_THROW(second->adopt(trial("eeee5")), tshost::plugin::PluginError);  // never submitted

    second->end_experiment();
    const json end = wait_status("dddd4", [](const json& s) { return s["status"] != "RUNNING"; });
    EXPECT_EQ(end["status"], "SYS_CANCELED");
    const json left = emulator_
                          ->request("GET",
                                    "/apis/frameworkcontroller.microsoft.com/v1/namespaces/nni/"
                                    "frameworks")
                          .json_body();
    EXPECT_TRUE(left["items"].empty()) << left.dump();
    expect_no_pods();
}

TEST_F(FrameworkControllerLifecycle, TheRegistrySecretLivesExactlyAsLongAsTheExperiment) {
    const fs::path auth = root_ / "docker-config.json";
    std::ofstream(auth) << R"({"auths": {"registry.example": {"auth": "c2VjcmV0"}}})";
    auto p = platform("sleep 120", {{"privateRegistryAuthPath", auth.string()}});
    const std::string secrets =
        "/api/v1/namespaces/nni/secrets?labelSelector=app%3Dnni-kubernetes-trial%2CexpId%3D" +
        std::string(kExp);
    const json before = emulator_->request("GET", secrets).json_body();
    ASSERT_EQ(before["items"].size(), 1U) << before.dump();  // created by start(), once
    const json& secret = before["items"][0];
    EXPECT_EQ(secret["type"], "kubernetes.io/dockerconfigjson");
    const std::string name = secret["metadata"]["name"];
    p->submit(trial("ffff6"));
    wait_for("ffff6", "RUNNING");
    const json fw = emulator_->request("GET", framework_path("ffff6")).json_body();
    EXPECT_EQ(fw["spec"]["taskRoles"][0]["task"]["pod"]["spec"]["imagePullSecrets"][0]["name"],
              name);
    p->end_experiment();
    EXPECT_TRUE(emulator_->request("GET", secrets).json_body()["items"].empty());
}

TEST_F(FrameworkControllerLifecycle, TheEndOfATrialArrivesAfterTheWatchIsDroppedAndExpired) {
    // The trial runs until the test creates <share>/go, which the pod sees at /tmp/mount/go.
    auto p = platform("sh -c 'while [ ! -e /tmp/mount/go ]; do sleep 0.05; done'");
    p->submit(trial("gggg7"));
    wait_for("gggg7", "RUNNING");
    // Every open watch is cut, and the next resume is told 410 Gone: the informer must
    // re-list, and the trial's end must still arrive.
    const auto faults = emulator_->request("POST", "/emulator/v1/faults",
                                           R"({"dropWatches": true, "expireNextWatches": 1})");
    ASSERT_EQ(faults.code, 200) << faults.body;
    std::ofstream(share_ / "go");
    const json end = wait_status("gggg7", [](const json& s) { return s["status"] != "RUNNING"; });
    EXPECT_EQ(end["status"], "SUCCEEDED");
    EXPECT_EQ(end["exitCode"], 0);
}

}  // namespace
