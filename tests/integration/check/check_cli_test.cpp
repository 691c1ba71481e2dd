// `tshost check CONFIG` as a user runs it: the real binary, the frameworkcontroller and nfs
// plugins, and the kube emulator started with whatever the case needs (--strict-namespaces,
// --without-resource, --deny). With --probe-image the emulator runs the probe pod as a local
// process, which fetches the metrics endpoint the host started for the check.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include <filesystem>
#include <fstream>
#include <set>

#include "emulator_fixture.hpp"
#include "tshost_process.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::ContainsRegex;
using testing::HasSubstr;
using testing::Not;

constexpr const char* kProbeLabel = "tshost.io%2Fprobe%3Dmetrics";

struct ConfigOptions {
    std::string platform_extra;  // more trainingService keys, each "  key: value\n"
    std::string storage;         // the storage section's keys; default: the local share
    std::string top_extra;       // more top-level keys
};

class CheckCli : public testing::Test {
  protected:
    static void SetUpTestSuite() {
        // Sanitizer builds only: `check` unloads the nfs plugin, whose thread_local state the
        // main thread used, before exiting; GCC 12's LeakSanitizer then follows the freed
        // dynamic-TLS block at exit and crashes ("Tracer caught signal 11"), depending on heap
        // layout. Not scanning TLS works around it without hiding leaks (TLS would only add
        // roots, so leaks are reported at least as often). No effect without ASan.
        ::setenv("LSAN_OPTIONS", "use_tls=0", 0);
    }

    void SetUp() override {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        root_ = fs::path(testing::TempDir()) / ("check-cli-" + std::string(info->name()));
        fs::remove_all(root_);
        share_ = root_ / "nfs" / "127.0.0.1" / "export";
        fs::create_directories(share_);
    }

    void start_emulator(std::vector<std::string> flags = {}) {
        flags.insert(flags.end(), {"--nfs-root", (root_ / "nfs").string()});
        emulator_ = std::make_unique<kemu::test::Emulator>(flags);
    }

    std::string config(const ConfigOptions& o = {}) const {
        const fs::path path = root_ / "config.yml";
        const std::string storage = !o.storage.empty()
                                        ? o.storage
                                        : "    storageType: nfs\n    server: 127.0.0.1\n"
                                          "    path: /export\n    localMountPath: " +
                                              share_.string() + "\n";
        std::ofstream(path) << "experimentName: check\n"
                            << "searchSpace:\n  x: {_type: uniform, _value: [0, 1]}\n"
                            << "trialCommand: python3 trial.py\n"
                            << "trialConcurrency: 1\n"
                            << "tuner: {name: Random}\n"
                            << o.top_extra << "trainingService:\n"
                            << "  platform: frameworkcontroller\n"
                            << "  namespace: nni\n"
                            << "  kubeconfig: " << emulator_->kubeconfig() << "\n"
                            << o.platform_extra << "  taskRoles:\n"
                            << "    - name: worker\n      dockerImage: python:3-slim\n"
                            << "      taskNumber: 1\n      command: python3 trial.py\n"
                            << "      gpuNumber: 0\n      cpuNumber: 1\n      memorySize: 512mb\n"
                            << "      frameworkAttemptCompletionPolicy: {minFailedTaskCount: 1, "
                               "minSucceedTaskCount: -1}\n"
                            << "  storage:\n"
                            << storage;
        return path.string();
    }

    /// A Kubeflow experiment (operator: tf-operator or pytorch-operator) on the local share.
    std::string kubeflow_config(const std::string& op) const {
        const fs::path path = root_ / "kubeflow.yml";
        const bool tf = op == "tf-operator";
        std::ofstream out(path);
        out << "experimentName: check\n"
            << "searchSpace:\n  x: {_type: uniform, _value: [0, 1]}\n"
            << "trialConcurrency: 1\n"
            << "tuner: {name: Random}\n"
            << "trainingService:\n"
            << "  platform: kubeflow\n"
            << "  operator: " << op << "\n"
            << "  namespace: nni\n"
            << "  kubeconfig: " << emulator_->kubeconfig() << "\n"
            << "  storage:\n    storageType: nfs\n    server: 127.0.0.1\n"
            << "    path: /export\n    localMountPath: " << share_.string() << "\n";
        for (const char* role : {tf ? "ps" : "master", "worker"}) {
            out << "  " << role << ":\n    replicas: 1\n    command: python3 trial.py\n"
                << "    gpuNumber: 0\n    cpuNumber: 1\n    memorySize: 512mb\n"
                << "    dockerImage: python:3-slim\n";
        }
        return path.string();
    }

    static json checks_of(const TshostRun& run) {
        const auto start = run.output.find('{');
        const json report = start == std::string::npos
                                ? json()
                                : json::parse(run.output.substr(start), nullptr, false);
        return report.is_object() ? report : json();
    }

    /// check --probe-image IMAGE with the endpoint on 127.0.0.1 and pods told `nni_manager_ip`.
    TshostRun check_with_probe(const std::string& nni_manager_ip, const std::string& image) {
        return run_tshost({"check", config({"", "", "nniManagerIp: " + nni_manager_ip + "\n"}),
                           "--probe-image", image, "--port", "0", "--metrics-bind", "127.0.0.1"});
    }

    /// The probe pods left in the namespace, once the deletion has gone through (bounded).
    size_t probe_pods_left() const {
        const json pods = emulator_->wait_for(
            std::string("/api/v1/namespaces/nni/pods?labelSelector=") + kProbeLabel,
            [](const json& l) { return l.value("items", json::array()).empty(); });
        return pods.value("items", json::array()).size();
    }

    fs::path root_, share_;
    std::unique_ptr<kemu::test::Emulator> emulator_;
};

TEST_F(CheckCli, EveryCheckPassesAgainstAClusterThatHasWhatTheExperimentNeeds) {
    start_emulator();
    const TshostRun run = run_tshost({"check", config()});
    ASSERT_EQ(run.exit_code, 0) << run.output << "\n" << emulator_->log();
    for (const char* row : {"ok    config", "ok    storage connect", "ok    storage write",
                            "ok    kubeconfig", "ok    API server", "ok    namespace",
                            "ok    CRD frameworks.frameworkcontroller.microsoft.com",
                            "ok    access frameworks.frameworkcontroller.microsoft.com",
                            "ok    access secrets", "ok    access pods"}) {
        EXPECT_THAT(run.output, HasSubstr(row)) << run.output;
    }
    EXPECT_THAT(run.output, Not(HasSubstr("FAIL")));
    EXPECT_THAT(run.output, HasSubstr("0 failed"));
    EXPECT_THAT(run.output, HasSubstr("namespace 'nni' exists"));
    // The kubeconfig's bearer token never reaches the output.
    EXPECT_THAT(run.output, Not(HasSubstr("kube-emulator-token")));

    const TshostRun as_json = run_tshost({"check", config(), "--json"});
    ASSERT_EQ(as_json.exit_code, 0) << as_json.output;
    const json report = checks_of(as_json);
    ASSERT_TRUE(report.is_object()) << as_json.output;
    EXPECT_EQ(report["ok"], true);
    std::set<std::string> parts;
    for (const json& c : report["checks"]) {
        EXPECT_TRUE(c["ok"].get<bool>()) << c.dump();
        parts.insert(c["part"].get<std::string>());
    }
    EXPECT_EQ(parts, (std::set<std::string>{"config", "storage", "platform"}));
}

// The Kubeflow plugins share the Kubernetes preflight: they check their own job kind.
TEST_F(CheckCli, KubeflowPlatformsCheckTheirOwnJobKind) {
    start_emulator({"--deny", "delete:pytorchjobs.kubeflow.org"});
    const TshostRun tf = run_tshost({"check", kubeflow_config("tf-operator")});
    ASSERT_EQ(tf.exit_code, 0) << tf.output << "\n" << emulator_->log();
    EXPECT_THAT(tf.output, HasSubstr("ok    CRD tfjobs.kubeflow.org"));
    EXPECT_THAT(tf.output, HasSubstr("ok    access tfjobs.kubeflow.org"));
    EXPECT_THAT(tf.output, Not(HasSubstr("frameworks.")));

    const TshostRun pytorch = run_tshost({"check", kubeflow_config("pytorch-operator")});
    EXPECT_EQ(pytorch.exit_code, 1) << pytorch.output;
    EXPECT_THAT(pytorch.output, HasSubstr("ok    CRD pytorchjobs.kubeflow.org"));
    EXPECT_THAT(pytorch.output, ContainsRegex("FAIL +access pytorchjobs.kubeflow.org +denied: "));
    EXPECT_THAT(pytorch.output, HasSubstr("--verb=delete --resource=pytorchjobs.kubeflow.org"));
}

TEST_F(CheckCli, AContextTheKubeconfigDoesNotDefineFailsWithTheSettingToChange) {
    start_emulator();
    const TshostRun run = run_tshost({"check", config({"  context: nope\n", "", ""})});
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_THAT(run.output, ContainsRegex("FAIL +kubeconfig .*context 'nope' is not defined"));
    EXPECT_THAT(run.output, HasSubstr("fix: set trainingService.context"));
    // Nothing that needs the server is attempted without credentials.
    EXPECT_THAT(run.output, Not(HasSubstr("API server")));
}

TEST_F(CheckCli, AMissingNamespaceFailsWithTheCommandThatCreatesIt) {
    start_emulator({"--strict-namespaces"});
    const TshostRun run = run_tshost({"check", config()});
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_THAT(run.output, ContainsRegex("FAIL +namespace +namespace 'nni' does not exist"));
    EXPECT_THAT(run.output, HasSubstr("kubectl create namespace nni"));
    EXPECT_THAT(run.output, ContainsRegex("ok +API server"));

    // Created, the same check passes: the emulator really answers by what exists.
    const auto created =
        emulator_->request("POST", "/api/v1/namespaces",
                           R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"nni"}})");
    ASSERT_EQ(created.code, 201) << created.body;
    const TshostRun again = run_tshost({"check", config()});
    EXPECT_EQ(again.exit_code, 0) << again.output;
}

TEST_F(CheckCli, ACrdTheServerDoesNotServeFailsNamingWhatToInstall) {
    start_emulator({"--without-resource", "frameworks.frameworkcontroller.microsoft.com"});
    const TshostRun run = run_tshost({"check", config()});
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_THAT(run.output,
                ContainsRegex("FAIL +CRD frameworks.frameworkcontroller.microsoft.com +the API "
                              "server does not serve frameworkcontroller.microsoft.com/v1"));
    EXPECT_THAT(run.output, HasSubstr("fix: install FrameworkController"));
    EXPECT_THAT(run.output, ContainsRegex("ok +access secrets"));
}

TEST_F(CheckCli, ADeniedCreateFailsNamingVerbAndResourceWithAGrant) {
    start_emulator({"--deny", "create:frameworks.frameworkcontroller.microsoft.com", "--deny",
                    "deletecollection:secrets"});
    const TshostRun run = run_tshost({"check", config()});
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_THAT(run.output,
                ContainsRegex("FAIL +access frameworks.frameworkcontroller.microsoft.com +denied: "
                              "create \\(kube-emulator --deny create:frameworks"));
    EXPECT_THAT(run.output,
                HasSubstr("--verb=create --resource=frameworks.frameworkcontroller.microsoft.com"));
    EXPECT_THAT(run.output, ContainsRegex("FAIL +access secrets +denied: deletecollection"));
    EXPECT_THAT(run.output, ContainsRegex("ok +access pods"));
    EXPECT_THAT(run.output, HasSubstr("2 failed"));
}

TEST_F(CheckCli, AnUnreachableStoreFailsInTheStoragePartWhileTheClusterPasses) {
    start_emulator();
    // Nothing listens on port 1: the connection is refused at once.
    const std::string storage =
        "    storageType: nfs\n    server: 127.0.0.1\n    path: /export\n    port: 1\n"
        "    mountPort: 1\n    retries: 0\n    timeoutMs: 2000\n";
    const TshostRun run = run_tshost({"check", config({"", storage, ""}), "--json"});
    EXPECT_EQ(run.exit_code, 1) << run.output;
    const json report = checks_of(run);
    ASSERT_TRUE(report.is_object()) << run.output;
    EXPECT_EQ(report["ok"], false);
    for (const json& c : report["checks"]) {
        if (c["part"] == "storage" && !c["skipped"].get<bool>()) {
            EXPECT_FALSE(c["ok"].get<bool>()) << c.dump();
            EXPECT_THAT(c["fix"].get<std::string>(), HasSubstr("could not be reached"));
        } else {
            EXPECT_TRUE(c["ok"].get<bool>()) << c.dump();
        }
    }
}

TEST_F(CheckCli, AProbePodReachesTheMetricsEndpointAndIsDeletedAfterwards) {
    start_emulator();
    const TshostRun run = check_with_probe("127.0.0.1", "python:3-slim");
    ASSERT_EQ(run.exit_code, 0) << run.output << "\n" << emulator_->log();
    EXPECT_THAT(run.output, ContainsRegex("ok +probe: pod reaches the metrics port +a pod with "
                                          "image python:3-slim fetched http://127.0.0.1:[0-9]+"
                                          "/tshost/v1/healthz"));
    // The host saw the pod's request: the probe did not pass on its own say-so.
    EXPECT_THAT(run.output, HasSubstr("1 healthz request(s) reached this host"));
    EXPECT_EQ(probe_pods_left(), 0U);
}

TEST_F(CheckCli, AProbeThatCannotReachTheAdvertisedAddressFailsWithTheFix) {
    start_emulator();
    // The endpoint listens on 127.0.0.1 only while pods are told 127.0.0.2: refused at once,
    // as a wrong nniManagerIp or a firewall makes it in a real cluster.
    const TshostRun run = check_with_probe("127.0.0.2", "python:3-slim");
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_THAT(run.output,
                ContainsRegex("FAIL +probe: pod reaches the metrics port +a pod with image "
                              "python:3-slim could not fetch http://127.0.0.2:[0-9]+/tshost/v1/"
                              "healthz \\(exit code 1"));
    EXPECT_THAT(run.output, HasSubstr("its log: tshost probe: cannot fetch"));
    EXPECT_THAT(run.output, HasSubstr("fix: pods must reach this host at 127.0.0.2:"));
    EXPECT_THAT(run.output, HasSubstr("set nniManagerIp"));
    EXPECT_THAT(run.output, HasSubstr("0 healthz request(s) reached this host"));
    EXPECT_EQ(probe_pods_left(), 0U);
}

TEST_F(CheckCli, AProbeImageThatCannotBePulledFailsFast) {
    start_emulator();
    const TshostRun run = check_with_probe("127.0.0.1", "does-not-exist:1");
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_THAT(run.output, HasSubstr("image does-not-exist:1 cannot be pulled"));
    EXPECT_THAT(run.output, HasSubstr("fix: check the image's name and tag"));
    EXPECT_EQ(probe_pods_left(), 0U);
}

TEST_F(CheckCli, ALocalPlatformConfigSaysWhatWasChecked) {
    const fs::path path = root_ / "local.yml";
    std::ofstream(path) << "searchSpace:\n  x: {_type: uniform, _value: [0, 1]}\n"
                        << "trialCommand: python3 trial.py\ntrialConcurrency: 1\n"
                        << "tuner: {name: Random}\ntrainingService:\n  platform: local\n";
    const TshostRun run = run_tshost({"check", path.string()});
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_THAT(run.output, ContainsRegex("ok +platform local +'local' has no cluster to check"));
    EXPECT_THAT(run.output, HasSubstr("checked: the config, its plugins"));
}

TEST_F(CheckCli, A1_0PluginStillRunsItsPlainPreflightAndTheProbeIsReportedSkipped) {
    const fs::path path = root_ / "v10.yml";
    std::ofstream(path) << "searchSpace:\n  x: {_type: uniform, _value: [0, 1]}\n"
                        << "trialCommand: python3 trial.py\ntrialConcurrency: 1\n"
                        << "tuner: {name: Random}\ntrainingService:\n  platform: v1-0-preflight\n";
    const TshostRun run =
        run_tshost({"--plugin-dir", TSHOST_ABI_FIXTURE_DIR, "check", path.string(), "--probe-image",
                    "busybox", "--port", "0", "--metrics-bind", "127.0.0.1"});
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_THAT(run.output, ContainsRegex("ok +cluster +from a 1.0 plugin"));
    EXPECT_THAT(run.output, ContainsRegex("FAIL +quota +no room"));
    EXPECT_THAT(run.output, HasSubstr("fix: free some"));
    EXPECT_THAT(run.output, ContainsRegex("skip +probe +plugin 'v1-0-preflight' was built for "
                                          "plugin ABI 1.0"));
}

TEST_F(CheckCli, UsageAndConfigErrorsExitTwo) {
    EXPECT_EQ(run_tshost({"check"}).exit_code, 2);
    EXPECT_EQ(run_tshost({"check", (root_ / "missing.yml").string()}).exit_code, 2);
    start_emulator();
    const TshostRun bad_timeout =
        run_tshost({"check", config(), "--probe-image", "x", "--probe-timeout", "0"});
    EXPECT_EQ(bad_timeout.exit_code, 2) << bad_timeout.output;
    EXPECT_THAT(bad_timeout.output, HasSubstr("--probe-timeout must be between 1 and 3600"));
}

}  // namespace
