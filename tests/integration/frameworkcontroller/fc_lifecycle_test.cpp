// The plugin's lifecycle against the kube emulator, loaded through the host's plugin loader and
// driven as the engine drives it: cancel (Stop, then delete), a Framework deleted behind the
// host's back, a failing trial, and re-adoption by a new instance after a "restart". The trial
// agent is a stand-in that records its environment and execs the role's command (the real agent
// is tested on its own and in fc_e2e_test.cpp).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "emulator_fixture.hpp"
#include "plugin/event_queue.hpp"
#include "plugin/instance.hpp"
#include "plugin/loader.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::HasSubstr;
using tshost::plugin::EventQueue;
using tshost::plugin::PlatformInstance;
using tshost::plugin::TrialSpec;

constexpr const char* kExp = "fclife1";
constexpr auto kTimeout = std::chrono::seconds(60);

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

tshost::plugin::Plugin load(const char* path) {
    auto loaded = tshost::plugin::load_plugin(path);
    if (!loaded.plugin) {
        throw std::runtime_error(loaded.refusal->message());
    }
    return *loaded.plugin;
}

/// The content of `p` once it exists (the agent renames it into place), bounded by kTimeout.
std::string read_when_there(const fs::path& p) {
    const auto deadline = std::chrono::steady_clock::now() + kTimeout;
    while (!fs::exists(p) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

class FrameworkControllerLifecycle : public testing::Test {
  protected:
    void SetUp() override {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        root_ = fs::path(testing::TempDir()) / ("fc-life-" + std::string(info->name()));
        fs::remove_all(root_);
        emulator_ = std::make_unique<kemu::test::Emulator>(
            std::vector<std::string>{"--nfs-root", (root_ / "nfs").string()});
        share_ = root_ / "nfs" / "127.0.0.1" / "export";
        fs::create_directories(share_ / "nni" / kExp / ".tshost" / "kit");
        storage_ = std::make_unique<tshost::plugin::StorageInstance>(
            load(TSHOST_NFS_PLUGIN),
            json{{"server", "127.0.0.1"}, {"path", "/export"}, {"localMountPath", share_}}.dump(),
            tshost::plugin::InstanceOptions{});
        // What the host uploads once per experiment: the kit and an (empty) code manifest.
        const fs::path kit = share_ / "nni" / kExp / ".tshost" / "kit";
        fs::copy_file(TSHOST_MATERIALIZE_SH, kit / "materialize_code.sh");
        std::ofstream(kit / "tshost_agent.py") << kStubAgent;
        std::ofstream(share_ / "nni" / kExp / "code.manifest");
    }

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
        tshost::plugin::InstanceOptions options;
        options.experiment_json = json{{"experimentId", kExp}}.dump();
        options.events = &events_;
        options.storage = storage_->access();
        auto p =
            std::make_unique<PlatformInstance>(load(TSHOST_FC_PLUGIN), section.dump(), options);
        p->start();
        return p;
    }

    TrialSpec trial(const std::string& id) {
        const std::string dir = "nni/" + std::string(kExp) + "/" + id;
        storage_->write_file(dir + "/parameter.cfg", R"({"parameters": {"x": 1}})");
        const json spec = {{"attempt", 0},
                           {"trialDir", dir},
                           {"kitDir", "nni/" + std::string(kExp) + "/.tshost/kit"},
                           {"codeManifest", "nni/" + std::string(kExp) + "/code.manifest"},
                           {"casDir", "nni/.cas"},
                           {"metrics", {{"url", "http://127.0.0.1:9"}, {"token", "tok-" + id}}}};
        return TrialSpec{id, 0, R"({"parameters": {"x": 1}})", spec.dump()};
    }

    /// Status payloads of `id` until one satisfies `done` (bounded by kTimeout).
    json wait_status(const std::string& id, const std::function<bool(const json&)>& done) {
        const auto deadline = std::chrono::steady_clock::now() + kTimeout;
        while (std::chrono::steady_clock::now() < deadline) {
            auto e = events_.pop(std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now()));
            if (!e) {
                break;
            }
            if (e->type != "trial.status" || e->trial_id != id) {
                continue;
            }
            json p = json::parse(e->payload_json);
            seen_.push_back(p["status"]);
            if (done(p)) {
                return p;
            }
        }
        ADD_FAILURE() << "timed out waiting on trial " << id << "; seen " << json(seen_).dump();
        return json::object();
    }
    json wait_for(const std::string& id, const std::string& status) {
        return wait_status(id, [&](const json& p) { return p["status"] == status; });
    }

    std::string framework_path(const std::string& id) const {
        return "/apis/frameworkcontroller.microsoft.com/v1/namespaces/nni/frameworks/nniexp" +
               std::string(kExp) + "trial" + id;
    }

    void expect_no_pods() {
        const json pods = emulator_->wait_for("/api/v1/namespaces/nni/pods", [](const json& l) {
            return l.value("items", json::array()).empty();
        });
        EXPECT_TRUE(pods.value("items", json::array()).empty()) << pods.dump();
    }

    fs::path root_, share_;
    std::unique_ptr<kemu::test::Emulator> emulator_;
    std::unique_ptr<tshost::plugin::StorageInstance> storage_;
    EventQueue events_;
    std::vector<std::string> seen_;
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
