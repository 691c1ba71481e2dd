// The fixture of the FrameworkController end-to-end tests: the real tshost binary with the
// frameworkcontroller plugin and a storage plugin, against the kube emulator. With NFS, the nfs
// plugin runs in localMountPath mode on the directory the emulator maps the nfs volume
// (127.0.0.1:/export) to, so what the host writes through the storage plugin is what the pods
// see at /tmp/mount.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "db/experiment_db.hpp"
#include "emulator_fixture.hpp"
#include "tshost_process.hpp"

namespace fc_e2e {

namespace fs = std::filesystem;
using nlohmann::json;

/// What varies between the experiments of the tests.
struct Experiment {
    Experiment(std::string roles_yaml, int max_trials)
        : roles(std::move(roles_yaml)), trials(max_trials) {}
    std::string roles;           // the YAML list of task roles (see role())
    int trials = 3;              // maxTrialNumber
    int concurrency = 2;         // trialConcurrency
    std::string extra;           // more top-level YAML lines, e.g. "maxTrialRetries: 1\n"
    std::string platform_extra;  // more trainingService lines, e.g. "  podPendingTimeout: 3s\n"
    std::string storage_yaml;    // the storage section's lines; empty: nfs on the emulator's share
};

/// One task role in the config's YAML; `args` are appended to `python3 trial.py`.
std::string role(const std::string& name, int tasks, const std::string& args = "");

class FrameworkControllerE2E : public testing::Test {
  protected:
    static constexpr const char* kExp = "fce2e1";

    void SetUp() override;
    void TearDown() override;
    /// Where the emulator maps azureFile volumes' shares (<this>/<shareName>).
    virtual fs::path azure_root() const { return root_ / "azure"; }

    /// Writes the experiment's config file; its path.
    std::string config(const Experiment& e);
    std::string config(const std::string& roles, int trials) {
        return config(Experiment{roles, trials});
    }

    /// `tshost run` to completion.
    TshostRun run(const std::string& config_path, int timeout_s = 240);
    /// `tshost run` in the background (output in <root>/<log_name>); its pid.
    pid_t start(const std::string& config_path, const std::string& log_name);
    std::vector<std::string> run_args(const std::string& config_path) const;

    tshost::db::ExperimentDb db() const;
    /// Lines of replica `replica`'s metrics journal of `trial_dir` (a trial id, or
    /// `<id>.attempt-N`) on the share.
    size_t journalled(const std::string& trial_dir, const std::string& replica) const;
    /// Items of a list at `path` on the emulator.
    size_t count(const std::string& path) const;
    /// Requests the emulator received for `resource` with `verb` (its stats endpoint).
    int64_t requests(const std::string& resource, const std::string& verb) const;
    /// Until `done()` holds (checked every 20 ms), at most `timeout`; whether it did.
    static bool wait_until(const std::function<bool()>& done,
                           std::chrono::milliseconds timeout = std::chrono::seconds(60));
    /// The file the trials started with --wait-for wait on (their view: /tmp/mount/go), on
    /// the nfs share or another one.
    void release_trials() const { release_trials_on(share_); }
    static void release_trials_on(const fs::path& share);
    /// Every Framework, pod and experiment Secret is gone (pods once the GC followed).
    void expect_cluster_empty();
    /// The experiment is DONE with `trials` single-replica trials, each SUCCEEDED with a final
    /// result and the three records its agent journalled stored exactly once.
    void expect_done_with_every_metric(size_t trials);
    /// Each trial's stored metrics match its agent's journal one to one, with unique seqs.
    void expect_metrics_match_journals(const tshost::db::TrialRow& t,
                                       const std::vector<std::string>& replicas);

    fs::path root_, share_;
    std::unique_ptr<kemu::test::Emulator> emulator_;
};

}  // namespace fc_e2e
