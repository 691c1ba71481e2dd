#include "kube_e2e_fixture.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

namespace kube_e2e {

namespace {

/// `lines` (one key per line, unindented) indented by `indent`.
std::string indented(const std::string& lines, const std::string& indent) {
    std::istringstream in(lines);
    std::string out;
    for (std::string line; std::getline(in, line);) {
        out += indent + line + "\n";
    }
    return out;
}

/// A fresh key in the shape of a storage account key (base64 of 64 bytes: the last character
/// before the padding carries 2 bits of data and 4 zero bits).
std::string random_account_key() {
    static const char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::random_device rd;
    std::string key;
    for (int i = 0; i < 85; ++i) {
        key += kAlphabet[rd() % 64];
    }
    return key + "AQgw"[rd() % 4] + "==";
}

constexpr const char* kKeyEnv = "KUBE_E2E_AZURE_KEY";

}  // namespace

std::string role(const std::string& name, int tasks, const std::string& args,
                 const std::string& extra) {
    return "    - name: " + name +
           "\n      dockerImage: python:3-slim\n      taskNumber: " + std::to_string(tasks) +
           "\n      command: python3 trial.py" + (args.empty() ? "" : " " + args) +
           "\n      gpuNumber: 0\n      cpuNumber: 1\n"
           "      memorySize: 512mb\n      frameworkAttemptCompletionPolicy:\n"
           "        minFailedTaskCount: 1\n        minSucceedTaskCount: -1\n" +
           indented(extra, "      ");
}

std::string matrix_name(const Platform& p, Storage s) {
    return std::string(p.name) + "_" + storage_name(s);
}

void KubeE2E::SetUp() {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "-" + info->name();
    std::replace(name.begin(), name.end(), '/', '-');
    root_ = fs::path(testing::TempDir()) / ("kube-e2e-" + name);
    fs::remove_all(root_);
    fs::create_directories(root_ / "code");
    fs::copy_file(TRIAL_SCRIPT, root_ / "code" / "trial.py");
    fs::path azure_root = root_ / "azure";
    if (storage_ == Storage::nfs) {
        const std::string reason = tshost::test::NfsServer::unavailable_reason();
        if (!reason.empty()) {
            GTEST_SKIP() << reason;
        }
        // Pods write into the export directory behind ganesha's back: it must not serve the
        // host attributes (journal sizes, listings) it cached before.
        tshost::test::NfsServerOptions options;
        options.revalidate_attributes = true;
        nfs_ = std::make_unique<tshost::test::NfsServer>(options);
        share_ = nfs_->export_dir();
        // The emulator's mapping: nfs volume server:path → <nfs-root>/<server>/<path>.
        fs::create_directories(root_ / "nfs" / "127.0.0.1");
        fs::create_directory_symlink(share_, root_ / "nfs" / "127.0.0.1" / "export");
    } else {
        key_ = random_account_key();
        ::setenv(kKeyEnv, key_.c_str(), 1);
        azure_ = std::make_unique<azure_test::Emulator>(
            azure_test::EmulatorOptions{"devaccount", key_, 5000});
        share_ = azure_->share_dir("data");
        fs::create_directories(share_);  // the user's existing share
        azure_root = share_.parent_path();
    }
    emulator_ = std::make_unique<kemu::test::Emulator>(std::vector<std::string>{
        "--nfs-root", (root_ / "nfs").string(), "--azure-root", azure_root.string()});
}

void KubeE2E::TearDown() {
    if (HasFailure() && emulator_) {
        std::cerr << "--- kube-emulator log (tail) ---\n";
        const std::string log = emulator_->log();
        std::cerr << log.substr(log.size() > 4000 ? log.size() - 4000 : 0) << "\n";
    }
}

std::string KubeE2E::config(const Experiment& e) {
    const fs::path path = root_ / "config.yml";
    std::ofstream out(path);
    out << "experimentName: kube-e2e\n"
        << "searchSpace:\n  x: {_type: uniform, _value: [0, 1]}\n"
        << "trialCodeDirectory: " << (root_ / "code").string() << "\n"
        << "trialConcurrency: " << e.concurrency << "\n"
        << "maxTrialNumber: " << e.trials << "\n"
        << "tuner: {name: Random, classArgs: {seed: 3}}\n"
        << e.extra << "trainingService:\n";
    const std::string command = "python3 trial.py" + (e.args.empty() ? "" : " " + e.args);
    if (&platform_ == &kFrameworkController) {
        out << "  platform: frameworkcontroller\n"
            << "  serviceAccountName: frameworkbarrier\n";
    } else {
        out << "  platform: kubeflow\n"
            << "  operator: " << (&platform_ == &kTf ? "tf-operator" : "pytorch-operator") << "\n"
            << "  apiVersion: v1\n";
    }
    out << "  reuseMode: false\n"
        << "  namespace: nni\n"
        << "  kubeconfig: " << emulator_->kubeconfig() << "\n"
        << e.platform_extra;
    if (&platform_ == &kFrameworkController) {
        out << "  taskRoles:\n"
            << (e.roles.empty() ? role("worker", 1, e.args, e.role_extra) : e.roles);
        EXPECT_EQ(e.image, "python:3-slim") << "FrameworkController roles: set roles";
    } else {
        for (const char* name : platform_.roles) {
            out << "  " << name << ":\n"
                << "    replicas: 1\n    command: " << command << "\n    gpuNumber: 0\n"
                << "    cpuNumber: 1\n    memorySize: 512mb\n    dockerImage: " << e.image << "\n"
                << indented(e.role_extra, "    ");
        }
    }
    out << storage_yaml();
    return path.string();
}

std::string KubeE2E::storage_yaml() const {
    if (storage_ == Storage::nfs) {
        return "  storage:\n" + nfs_->storage_yaml("    ");
    }
    return "  storage:\n    storageType: azureStorage\n    azureAccount: devaccount\n"
           "    azureShare: data\n    accountKeyEnv: " +
           std::string(kKeyEnv) + "\n    endpoint: " + azure_->endpoint() + "\n";
}

std::vector<std::string> KubeE2E::run_args(const std::string& config_path) const {
    return {"--data-dir", (root_ / "data").string(), "run", config_path, "--id", kExp, "--port",
            "0"};
}

TshostRun KubeE2E::run(const std::string& config_path, int timeout_s) {
    return run_tshost(run_args(config_path), timeout_s);
}

pid_t KubeE2E::start(const std::string& config_path, const std::string& log_name) {
    return start_tshost(run_args(config_path), (root_ / log_name).string());
}

pid_t KubeE2E::resume(const std::string& log_name) {
    return start_tshost({"--data-dir", (root_ / "data").string(), "resume", kExp, "--port", "0"},
                        (root_ / log_name).string());
}

tshost::db::ExperimentDb KubeE2E::db() const {
    return tshost::db::ExperimentDb::open(db_path());
}

std::vector<std::string> KubeE2E::wait_for_running_reporters(size_t n) const {
    std::vector<std::string> ids;
    wait_until(
        [&] {
            ids.clear();
            try {
                const auto d = tshost::db::ExperimentDb::open_read_only(db_path());
                for (const auto& t : d.trials()) {
                    const auto metrics = d.metrics(t.id);
                    if (t.status == "RUNNING" &&
                        std::any_of(metrics.begin(), metrics.end(), [&](const auto& m) {
                            return m.replica == platform_.primary;
                        })) {
                        ids.push_back(t.id);
                    }
                }
            } catch (const std::runtime_error&) {
                // not created yet
            }
            return ids.size() >= n;
        },
        std::chrono::seconds(90));
    return ids;
}

size_t KubeE2E::journalled(const std::string& trial_dir_name, const std::string& replica) const {
    std::ifstream in(trial_dir(trial_dir_name) / ".tshost" / "metrics" / (replica + ".jsonl"));
    size_t n = 0;
    for (std::string line; std::getline(in, line);) {
        ++n;
    }
    return n;
}

size_t KubeE2E::count(const std::string& path) const {
    const auto response = emulator_->request("GET", path);
    EXPECT_EQ(response.code, 200) << path << ": " << response.body;
    return response.json_body().value("items", json::array()).size();
}

int64_t KubeE2E::requests(const std::string& resource, const std::string& verb) const {
    // Absent until the first request for the resource.
    const json by_verb = emulator_->request("GET", "/emulator/v1/stats")
                             .json_body()
                             .value("requests", json::object())
                             .value("resources", json::object())
                             .value(resource, json::object());
    return by_verb.value(verb, int64_t{0});
}

bool KubeE2E::wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

void KubeE2E::release_trials() const {
    std::ofstream(share_ / "go.tmp") << "go\n";
    fs::rename(share_ / "go.tmp", share_ / "go");
}

void KubeE2E::release_trial(const std::string& id) const {
    std::ofstream(trial_dir(id) / "go") << "go";
}

std::string KubeE2E::jobs_path() const {
    return "/apis/" + std::string(platform_.group_version) + "/namespaces/nni/" + platform_.plural;
}

std::string KubeE2E::job_name(const std::string& trial_id) const {
    return &platform_ == &kFrameworkController
               ? "nniexp" + std::string(kExp) + "trial" + trial_id
               : "nni-exp-" + std::string(kExp) + "-trial-" + trial_id;
}

std::string KubeE2E::job_path(const std::string& trial_id) const {
    return jobs_path() + "/" + job_name(trial_id);
}

std::vector<json> KubeE2E::pod_specs(const json& job) const {
    std::vector<json> specs;
    if (&platform_ == &kFrameworkController) {
        for (const auto& r : job["spec"]["taskRoles"]) {
            specs.push_back(r["task"]["pod"]["spec"]);
        }
        return specs;
    }
    for (const auto& [key, roles] : job["spec"].items()) {
        if (key.ends_with("ReplicaSpecs")) {
            for (const auto& [name, r] : roles.items()) {
                specs.push_back(r["template"]["spec"]);
            }
        }
    }
    return specs;
}

void KubeE2E::expect_cluster_empty() {
    const std::string sel =
        "?labelSelector=app%3Dnni-kubernetes-trial%2CexpId%3D" + std::string(kExp);
    EXPECT_EQ(count(jobs_path()), 0U);
    EXPECT_EQ(count("/api/v1/namespaces/nni/secrets" + sel), 0U);
    const json pods = emulator_->wait_for("/api/v1/namespaces/nni/pods", [](const json& l) {
        return l.value("items", json::array()).empty();
    });
    EXPECT_TRUE(pods.value("items", json::array()).empty()) << pods.dump();
    // The storage plugins write through temporaries they rename: none may be left behind.
    for (const auto& entry : fs::recursive_directory_iterator(share_)) {
        EXPECT_EQ(entry.path().filename().string().find(".tsh-tmp-"), std::string::npos)
            << entry.path();
    }
}

void KubeE2E::expect_done_with_every_metric(size_t trials) {
    auto d = db();
    EXPECT_EQ(d.meta("status"), "DONE");
    const auto rows = d.trials();
    EXPECT_EQ(rows.size(), trials);
    for (const auto& t : rows) {
        EXPECT_EQ(t.status, "SUCCEEDED") << t.id << ": " << t.message;
        EXPECT_EQ(journalled(t.id, platform_.primary), 3U) << t.id;
        expect_metrics_match_journals(t, {platform_.primary});
        EXPECT_TRUE(t.final_metric) << t.id;
    }
}

void KubeE2E::expect_metrics_match_journals(const tshost::db::TrialRow& t,
                                            const std::vector<std::string>& replicas) {
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

void KubeE2E::expect_stopped(const std::string& id, const std::string& status) {
    const auto t = db().trial(id);
    ASSERT_TRUE(t) << id;
    EXPECT_EQ(t->status, status) << id << ": " << t->message;
    EXPECT_GE(t->end_time_ms, t->start_time_ms) << id;
    // It was stopped after its first result, which is stored once, as journalled.
    EXPECT_EQ(journalled(id, platform_.primary), 1U) << id;
    expect_metrics_match_journals(*t, {platform_.primary});
    EXPECT_FALSE(t->final_metric) << id;
    EXPECT_EQ(emulator_->request("GET", job_path(id)).code, 404) << id;
    // Deleted on its own, not by the experiment end's deletecollection.
    EXPECT_GE(requests(platform_.plural, "delete"), 1);
    if (platform_.stops_gracefully) {
        EXPECT_GE(requests(platform_.plural, "patch"), 1) << "not stopped before the delete";
    }
}

}  // namespace kube_e2e
