#include "fc_e2e_fixture.hpp"

#include <fstream>
#include <set>
#include <thread>

namespace fc_e2e {

std::string role(const std::string& name, int tasks, const std::string& args) {
    return "    - name: " + name +
           "\n      dockerImage: python:3-slim\n      taskNumber: " + std::to_string(tasks) +
           "\n      command: python3 trial.py" + (args.empty() ? "" : " " + args) +
           "\n      gpuNumber: 0\n      cpuNumber: 1\n"
           "      memorySize: 512mb\n      frameworkAttemptCompletionPolicy:\n"
           "        minFailedTaskCount: 1\n        minSucceedTaskCount: -1\n";
}

void FrameworkControllerE2E::SetUp() {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::path(testing::TempDir()) /
            ("fc-e2e-" + std::string(info->test_suite_name()) + "-" + info->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "code");
    fs::copy_file(TRIAL_SCRIPT, root_ / "code" / "trial.py");
    std::vector<std::string> args = kemu::test::nfs_root_args(root_);
    args.insert(args.end(), {"--azure-root", azure_root().string()});
    emulator_ = std::make_unique<kemu::test::Emulator>(args);
    share_ = kemu::test::nfs_export_dir(root_);
}

void FrameworkControllerE2E::TearDown() {
    if (HasFailure() && emulator_) {
        std::cerr << "--- kube-emulator log (tail) ---\n";
        const std::string log = emulator_->log();
        std::cerr << log.substr(log.size() > 4000 ? log.size() - 4000 : 0) << "\n";
    }
}

std::string FrameworkControllerE2E::config(const Experiment& e) {
    const fs::path path = root_ / "config.yml";
    std::ofstream(path) << "experimentName: fc-e2e\n"
                        << "searchSpace:\n  x: {_type: uniform, _value: [0, 1]}\n"
                        << "trialCodeDirectory: " << (root_ / "code").string() << "\n"
                        << "trialConcurrency: " << e.concurrency << "\n"
                        << "maxTrialNumber: " << e.trials << "\n"
                        << "tuner: {name: Random, classArgs: {seed: 3}}\n"
                        << e.extra << "trainingService:\n"
                        << "  platform: frameworkcontroller\n"
                        << "  reuseMode: false\n"
                        << "  namespace: nni\n"
                        << "  serviceAccountName: frameworkbarrier\n"
                        << "  kubeconfig: " << emulator_->kubeconfig() << "\n"
                        << e.platform_extra << "  taskRoles:\n"
                        << e.roles << "  storage:\n"
                        << (e.storage_yaml.empty() ? "    storageType: nfs\n    server: 127.0.0.1\n"
                                                     "    path: /export\n    localMountPath: " +
                                                         share_.string() + "\n"
                                                   : e.storage_yaml);
    return path.string();
}

std::vector<std::string> FrameworkControllerE2E::run_args(const std::string& config_path) const {
    return {"--data-dir", (root_ / "data").string(), "run", config_path, "--id", kExp, "--port",
            "0"};
}

TshostRun FrameworkControllerE2E::run(const std::string& config_path, int timeout_s) {
    return run_tshost(run_args(config_path), timeout_s);
}

pid_t FrameworkControllerE2E::start(const std::string& config_path, const std::string& log_name) {
    return start_tshost(run_args(config_path), (root_ / log_name).string());
}

tshost::db::ExperimentDb FrameworkControllerE2E::db() const {
    return tshost::db::ExperimentDb::open(root_ / "data" / kExp / "experiment.db");
}

size_t FrameworkControllerE2E::journalled(const std::string& trial_dir,
                                          const std::string& replica) const {
    std::ifstream in(share_ / "nni" / kExp / trial_dir / ".tshost" / "metrics" /
                     (replica + ".jsonl"));
    size_t n = 0;
    for (std::string line; std::getline(in, line);) {
        ++n;
    }
    return n;
}

size_t FrameworkControllerE2E::count(const std::string& path) const {
    const auto response = emulator_->request("GET", path);
    EXPECT_EQ(response.code, 200) << path << ": " << response.body;
    const json list = response.json_body();
    return list.value("items", json::array()).size();
}

int64_t FrameworkControllerE2E::requests(const std::string& resource,
                                         const std::string& verb) const {
    // Absent until the first request for the resource.
    const json by_verb = emulator_->request("GET", "/emulator/v1/stats")
                             .json_body()
                             .value("requests", json::object())
                             .value("resources", json::object())
                             .value(resource, json::object());
    return by_verb.value(verb, int64_t{0});
}

bool FrameworkControllerE2E::wait_until(const std::function<bool()>& done,
                                        std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

void FrameworkControllerE2E::release_trials_on(const fs::path& share) {
    std::ofstream(share / "go.tmp") << "go\n";
    fs::rename(share / "go.tmp", share / "go");
}

void FrameworkControllerE2E::expect_cluster_empty() {
    const std::string sel =
        "?labelSelector=app%3Dnni-kubernetes-trial%2CexpId%3D" + std::string(kExp);
    EXPECT_EQ(count("/apis/frameworkcontroller.microsoft.com/v1/namespaces/nni/frameworks"), 0U);
    EXPECT_EQ(count("/api/v1/namespaces/nni/secrets" + sel), 0U);
    const json pods = emulator_->wait_for("/api/v1/namespaces/nni/pods", [](const json& l) {
        return l.value("items", json::array()).empty();
    });
    EXPECT_TRUE(pods.value("items", json::array()).empty()) << pods.dump();
}

void FrameworkControllerE2E::expect_done_with_every_metric(size_t trials) {
    auto d = db();
    EXPECT_EQ(d.meta("status"), "DONE");
    const auto rows = d.trials();
    EXPECT_EQ(rows.size(), trials);
    for (const auto& t : rows) {
        EXPECT_EQ(t.status, "SUCCEEDED") << t.id << ": " << t.message;
        EXPECT_EQ(journalled(t.id, "worker-0"), 3U) << t.id;
        expect_metrics_match_journals(t, {"worker-0"});
        EXPECT_TRUE(t.final_metric) << t.id;
    }
}

void FrameworkControllerE2E::expect_metrics_match_journals(
    const tshost::db::TrialRow& t, const std::vector<std::string>& replicas) {
    std::map<std::string, size_t> stored;
    std::set<std::pair<std::string, int64_t>> keys;
    for (const auto& m : db().metrics(t.id)) {
        ++stored[m.replica];
        EXPECT_TRUE(keys.insert({m.replica, m.seq}).second)
            << t.id << " " << m.replica << " seq " << m.seq << " stored twice";
    }
    for (const auto& replica : replicas) {
        EXPECT_EQ(stored[replica], journalled(t.id, replica)) << t.id << " " << replica;
    }
}

}  // namespace fc_e2e
