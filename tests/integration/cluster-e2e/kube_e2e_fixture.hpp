// The fixture of the Kubernetes platforms' end-to-end tests: the real tshost binary with a
// platform plugin (frameworkcontroller, kubeflow-tf, kubeflow-pytorch) and a storage plugin,
// against the kube emulator. With NFS, the nfs plugin speaks NFSv3 (libnfs) to a real
// nfs-ganesha of the test's own, and the emulator maps the pods' nfs volume (127.0.0.1:/export)
// to ganesha's export directory, which pods write directly as a kernel NFS mount would; with
// Azure Files, the azure-file plugin talks to the local Azure Files endpoint (which checks every
// Shared Key signature) and the emulator maps azureFile volumes to that endpoint's share
// directory. Either way, what the host writes through the storage plugin is what the pods see at
// /tmp/mount, and the share's directory (share_) is what the pods wrote.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "db/experiment_db.hpp"
#include "emulator.hpp"
#include "emulator_fixture.hpp"
#include "nfs_server.hpp"
#include "tshost_process.hpp"

namespace kube_e2e {

namespace fs = std::filesystem;
using nlohmann::json;

/// What tells the three platforms apart in a test: how the config names it, where its jobs
/// are on the API server, and its replicas.
struct Platform {
    const char* name;                // test parameter name
    const char* kind;                // Framework | TFJob | PyTorchJob
    const char* plural;              // frameworks | tfjobs | pytorchjobs
    const char* group_version;       // of the job resource
    const char* primary;             // the replica whose metrics reach the tuner
    std::vector<const char*> roles;  // the default roles, one replica each (primary's first)
    bool stops_gracefully;           // a PATCH (FC executionType: Stop) before the delete
};

inline const Platform kFrameworkController{
    "fc",       "Framework", "frameworks", "frameworkcontroller.microsoft.com/v1",
    "worker-0", {"worker"},  true};
inline const Platform kTf{"tf",       "TFJob",          "tfjobs", "kubeflow.org/v1",
                          "worker-0", {"worker", "ps"}, false};
inline const Platform kPyTorch{"pytorch",  "PyTorchJob",         "pytorchjobs", "kubeflow.org/v1",
                               "master-0", {"master", "worker"}, false};

enum class Storage { nfs, azure };

inline const char* storage_name(Storage s) {
    return s == Storage::nfs ? "nfs" : "azure";
}

// How gtest prints the parameters (ctest's test names carry them): the names, not an address
// that changes from run to run.
inline void PrintTo(const Platform* p, std::ostream* os) {
    *os << p->name;
}
inline void PrintTo(Storage s, std::ostream* os) {
    *os << storage_name(s);
}

/// What varies between the experiments of the tests.
struct Experiment {
    int trials = 3;       // maxTrialNumber
    int concurrency = 2;  // trialConcurrency
    std::string args;     // appended to `python3 trial.py` in every role
    std::string image = "python:3-slim";
    std::string role_extra;      // more keys of every role, one per line, unindented
    std::string extra;           // more top-level YAML lines, e.g. "maxTrialRetries: 1\n"
    std::string platform_extra;  // more trainingService lines, e.g. "  podPendingTimeout: 3s\n"
    std::string roles;           // frameworkcontroller only: the taskRoles YAML (role())
};

/// An experiment of `trials` trials whose roles run `python3 trial.py <args>`, with `extra`
/// top-level YAML lines.
inline Experiment experiment(int trials, std::string args = "", std::string extra = "") {
    Experiment e;
    e.trials = trials;
    e.args = std::move(args);
    e.extra = std::move(extra);
    return e;
}

/// One FrameworkController task role in the config's YAML; `args` are appended to
/// `python3 trial.py`, `extra` keys (unindented lines) added.
std::string role(const std::string& name, int tasks, const std::string& args = "",
                 const std::string& extra = "");

class KubeE2E : public testing::Test {
  protected:
    static constexpr const char* kExp = "kube2e1";

    KubeE2E(const Platform& platform, Storage storage) : platform_(platform), storage_(storage) {}
    void SetUp() override;
    void TearDown() override;

    /// Writes the experiment's config file; its path.
    std::string config(const Experiment& e);
    /// The config's `storage` section (from its `  storage:` line) for the test's backend.
    std::string storage_yaml() const;
    /// `tshost run` to completion.
    TshostRun run(const std::string& config_path, int timeout_s = 240);
    /// `tshost run` in the background (output in <root>/<log_name>); its pid.
    pid_t start(const std::string& config_path, const std::string& log_name);
    std::vector<std::string> run_args(const std::string& config_path) const;
    /// `tshost resume` in the background (output in <root>/<log_name>); its pid.
    pid_t resume(const std::string& log_name);

    tshost::db::ExperimentDb db() const;
    fs::path db_path() const { return root_ / "data" / kExp / "experiment.db"; }
    /// The experiment's trials once `n` of them are RUNNING with a metric of their primary
    /// replica stored (read only: the host is the writer), at most 90 s; fewer when the deadline
    /// passed.
    std::vector<std::string> wait_for_running_reporters(size_t n) const;
    /// Lines of replica `replica`'s metrics journal of `trial_dir` (a trial id, or
    /// `<id>.attempt-N`) on the share.
    size_t journalled(const std::string& trial_dir, const std::string& replica) const;
    /// The trial's directory on the share.
    fs::path trial_dir(const std::string& trial_dir) const {
        return share_ / "nni" / kExp / trial_dir;
    }
    /// Items of a list at `path` on the emulator.
    size_t count(const std::string& path) const;
    /// Requests the emulator received for `resource` with `verb` (its stats endpoint).
    int64_t requests(const std::string& resource, const std::string& verb) const;
    /// Until `done()` holds (checked every 20 ms), at most `timeout`; whether it did.
    static bool wait_until(const std::function<bool()>& done,
                           std::chrono::milliseconds timeout = std::chrono::seconds(60));
    /// The file the trials started with --wait-for /tmp/mount/go wait on.
    void release_trials() const;
    /// Lets one trial started with --gate go on.
    void release_trial(const std::string& id) const;

    /// The experiment's jobs on the API server (the list path), and one job's path.
    std::string jobs_path() const;
    std::string job_path(const std::string& trial_id) const;
    /// NNI's job name of a trial's first attempt.
    std::string job_name(const std::string& trial_id) const;
    /// The pod specs of every role of a job.
    std::vector<json> pod_specs(const json& job) const;

    /// Every job, pod and experiment Secret is gone (pods once the GC followed), and no
    /// unfinished upload is left on the share.
    void expect_cluster_empty();
    /// The experiment is DONE with `trials` trials, each SUCCEEDED with a final result and the
    /// three records its primary replica journalled stored exactly once.
    void expect_done_with_every_metric(size_t trials);
    /// The trial's stored metrics match its replicas' journals one to one, with unique seqs.
    void expect_metrics_match_journals(const tshost::db::TrialRow& t,
                                       const std::vector<std::string>& replicas);
    /// The one trial `id` was stopped by the host (cancel, early stop, maxTrialDuration): it
    /// ended `status`, the one result it reported before is stored once, and its job was
    /// stopped gracefully where the platform can, and deleted on its own.
    void expect_stopped(const std::string& id, const std::string& status);

    const Platform& platform_;
    const Storage storage_;
    fs::path root_, share_;
    std::string key_;  // Azure Files: the account key
    std::unique_ptr<azure_test::Emulator> azure_;
    std::unique_ptr<tshost::test::NfsServer> nfs_;  // one per test: parallel tests never share
    std::unique_ptr<kemu::test::Emulator> emulator_;
};

/// gtest's name of a platform × storage parameter.
std::string matrix_name(const Platform& p, Storage s);

}  // namespace kube_e2e
