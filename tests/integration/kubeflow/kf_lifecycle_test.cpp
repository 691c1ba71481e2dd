// The Kubeflow plugins' lifecycle against the kube emulator, loaded through the host's plugin
// loader and driven as the engine drives them: cancel, a job deleted behind the host's back, a
// failing trial, and re-adoption by a new instance after a "restart". The trial agent is a
// stand-in that records its environment and execs the role's command (the real agent runs in
// kf_e2e_test.cpp).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "kf_platforms.hpp"
#include "plugin_lifecycle_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using tshost::plugin::PlatformInstance;

constexpr const char* kExp = "kflife1";

constexpr const char* kStubAgent = R"py(
import json, os, sys
command = sys.argv[sys.argv.index('--') + 1:]
role = sys.argv[sys.argv.index('--role') + 1]
record = os.path.join(os.environ['NNI_SYS_DIR'], 'env-%s.json' % role)
with open(record + '.tmp', 'w') as f:
    json.dump(dict(os.environ), f)
os.rename(record + '.tmp', record)
os.execvp(command[0], command)
)py";

class KubeflowLifecycle : public tshost::test::PluginLifecycle,
                          public testing::WithParamInterface<kf_it::Platform> {
  protected:
    KubeflowLifecycle() : PluginLifecycle(kExp, kStubAgent) {}

    std::unique_ptr<PlatformInstance> platform(const std::string& command) {
        json section = {{"operator", GetParam().operator_},
                        {"apiVersion", "v1"},
                        {"namespace", "nni"},
                        // These tests look at a job after its trial ended.
                        {"keepFinishedJobs", true},
                        {"kubeconfig", emulator_->kubeconfig()}};
        for (const char* role : GetParam().roles) {
            section[role] = {{"replicas", 1},  {"command", command},
                             {"cpuNumber", 1}, {"memorySize", 256},
                             {"gpuNumber", 0}, {"dockerImage", "python:3-slim"}};
        }
        return start_platform(
            GetParam().name == std::string("tf") ? TSHOST_KF_TF_PLUGIN : TSHOST_KF_PYTORCH_PLUGIN,
            section);
    }

    std::string path_of(const std::string& trial) const {
        return kf_it::job_path(GetParam(), "nni", kf_it::job_name(kExp, trial));
    }
};

TEST_P(KubeflowLifecycle, CancelDeletesTheJobAndItsPodsAndEndsTheTrialAsCancelled) {
    auto p = platform("sleep 120");
    const json out = json::parse(p->submit(trial("aaaa1")));
    EXPECT_EQ(out["jobName"], kf_it::job_name(kExp, "aaaa1"));
    const json running = wait_for("aaaa1", "RUNNING");
    EXPECT_GT(running.value("startTime", int64_t{0}), 0);
    p->cancel("aaaa1", TSH_CANCEL_EARLY_STOP);
    const json end = wait_status("aaaa1", ended);
    EXPECT_EQ(end["status"], "EARLY_STOPPED");
    EXPECT_EQ(emulator_->request("GET", path_of("aaaa1")).code, 404);
    expect_no_pods();
    p->cancel("aaaa1", TSH_CANCEL_USER);  // again: already ended, still success
    EXPECT_THROW(p->cancel("zzzz9", TSH_CANCEL_USER), tshost::plugin::PluginError);
}

TEST_P(KubeflowLifecycle, AJobDeletedBehindTheHostsBackFailsTheTrialWithTheReason) {
    auto p = platform("sleep 120");
    p->submit(trial("bbbb2"));
    wait_for("bbbb2", "RUNNING");
    ASSERT_EQ(emulator_->request("DELETE", path_of("bbbb2")).code, 200);
    const json end = wait_status("bbbb2", ended);
    EXPECT_EQ(end["status"], "FAILED");
    EXPECT_EQ(end["reason"], std::string(GetParam().kind) + "Deleted");
    EXPECT_THAT(end.value("message", ""), testing::HasSubstr("deleted outside tshost"));
}

TEST_P(KubeflowLifecycle, AFailingTrialFailsOnceInsteadOfRestarting) {
    auto p = platform("sh -c 'exit 3'");
    p->submit(trial("cccc3"));
    const json end = wait_status("cccc3", ended);
    EXPECT_EQ(end["status"], "FAILED");
    EXPECT_THAT(end.value("message", ""), testing::HasSubstr("failed"));
    const json job = emulator_->request("GET", path_of("cccc3")).json_body();
    EXPECT_EQ(job["status"].dump().find("Restarting"), std::string::npos) << job.dump();
    // restartPolicy Never: a failed pod stays failed, nothing restarts it; and cleanPodPolicy
    // Running removed whatever was still running when the job failed.
    const json pods = emulator_->wait_for("/api/v1/namespaces/nni/pods", [](const json& l) {
        for (const auto& pod : l.value("items", json::array())) {
            const std::string phase = pod["status"].value("phase", "");
            if (phase == "Running" || phase == "Pending") {
                return false;
            }
        }
        return true;
    });
    ASSERT_FALSE(pods.value("items", json::array()).empty()) << "the failed pods are kept";
    for (const auto& pod : pods["items"]) {
        EXPECT_EQ(pod["status"].value("phase", ""), "Failed") << pod.dump();
        for (const auto& cs : pod["status"].value("containerStatuses", json::array())) {
            EXPECT_EQ(cs.value("restartCount", 0), 0) << pod.dump();
        }
    }
}

TEST_P(KubeflowLifecycle, TheEnvironmentNamesTheReplicaAndCarriesTheTrialsToken) {
    auto p = platform("sleep 120");
    p->submit(trial("dddd4"));
    wait_for("dddd4", "RUNNING");
    for (const char* role : GetParam().roles) {
        const fs::path record =
            share_ / "nni" / kExp / "dddd4" / ("env-" + std::string(role) + ".json");
        const json vars = json::parse(read_when_there(record));
        EXPECT_EQ(vars["TSHOST_METRICS_TOKEN"], "tok-dddd4") << role;
        EXPECT_EQ(vars["NNI_PLATFORM"], "kubeflow") << role;
        EXPECT_EQ(vars["NNI_TRIAL_JOB_ID"], "dddd4") << role;
    }
    p->end_experiment();
}

// What submit reports as the trial's manifest is the job the API server received, but
// with the trial's metrics token redacted: the host stores and shows it.
TEST_P(KubeflowLifecycle, SubmitReportsTheJobAsCreatedWithTheTokenRedacted) {
    auto p = platform("sleep 120");
    const json out = json::parse(p->submit(trial("gggg7")));
    const std::string created = emulator_->request("GET", path_of("gggg7")).body;
    ASSERT_NE(created.find("tok-gggg7"), std::string::npos) << "the job carries the token";
    ASSERT_TRUE(out.contains("manifest") && out["manifest"].is_object()) << out.dump();
    EXPECT_EQ(out.dump().find("tok-gggg7"), std::string::npos) << out.dump();
    const json& manifest = out["manifest"];
    json expected = json::parse(created);
    for (auto& [key, roles] : expected["spec"].items()) {
        if (!key.ends_with("ReplicaSpecs")) {
            continue;
        }
        for (json& role : roles) {
            for (json& container : role["template"]["spec"]["containers"]) {
                for (json& var : container["env"]) {
                    if (var["name"] == "TSHOST_METRICS_TOKEN") {
                        var["value"] = "<redacted>";
                    }
                }
            }
        }
    }
    EXPECT_EQ(manifest["kind"], GetParam().kind);
    EXPECT_EQ(manifest["metadata"]["name"], expected["metadata"]["name"]);
    EXPECT_EQ(manifest["metadata"]["labels"], expected["metadata"]["labels"]);
    EXPECT_EQ(manifest["spec"], expected["spec"]);
    p->end_experiment();
}

TEST_P(KubeflowLifecycle, ANewInstanceAdoptsRunningJobsByLabelAndCleansUp) {
    {
        auto first = platform("sleep 120");
        first->submit(trial("eeee5"));
        wait_for("eeee5", "RUNNING");
    }  // the host process "dies": no end_experiment
    auto second = platform("sleep 120");
    const json listed = json::parse(second->list_trials());
    ASSERT_EQ(listed.size(), 1U) << listed.dump();
    EXPECT_EQ(listed[0]["trialId"], "eeee5");
    EXPECT_EQ(listed[0]["status"], "RUNNING");
    EXPECT_EQ(listed[0]["attempt"], 0);
    second->adopt(trial("eeee5"));
    wait_for("eeee5", "RUNNING");
    EXPECT_THROW(second->adopt(trial("ffff6")), tshost::plugin::PluginError);  // never submitted

    second->end_experiment();
    EXPECT_EQ(wait_status("eeee5", ended)["status"], "SYS_CANCELED");
    const json left = emulator_
                          ->request("GET", std::string("/apis/kubeflow.org/v1/namespaces/nni/") +
                                               GetParam().plural)
                          .json_body();
    EXPECT_TRUE(left["items"].empty()) << left.dump();
    expect_no_pods();
}

INSTANTIATE_TEST_SUITE_P(Operators, KubeflowLifecycle, testing::Values(kf_it::kTf, kf_it::kPyTorch),
                         [](const auto& tp) { return std::string(tp.param.name); });

}  // namespace
