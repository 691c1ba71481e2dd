// One metrics experiment as a user runs it: the real tshost binary, the local
// platform running trials through the trial agent, and whichever shared storage the
// caller names (the NFS plugin over a local directory, over a real nfs-ganesha, or
// the Azure File plugin over the local Azure Files endpoint). Plain C++ (no gtest)
// so the end-to-end tests and the latency benchmark share it.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "db/experiment_db.hpp"

namespace metrics_e2e {

namespace fs = std::filesystem;

/// Where trials write and how the host reaches the same files.
struct SharedStorage {
    /// The lines of the `storage:` section under trainingService, each ending in
    /// "\n" and indented by four spaces.
    std::string yaml;
    /// The storage's root as it looks on this machine: the local platform's
    /// shareDirectory, i.e. what a pod mounting the share would see.
    fs::path local_root;
};

/// NFS plugin in localMountPath mode: host and trials use one local directory.
inline SharedStorage local_nfs(const fs::path& dir) {
    fs::create_directories(dir);
    return {
        "    storageType: nfs\n    server: 127.0.0.1\n    path: /export\n"
        "    localMountPath: " +
            dir.string() + "\n",
        dir};
}

class MetricsExperiment {
  public:
    static constexpr const char* kId = "metrics1";

    /// Fresh directories under `root`; `trial_script` (when not empty) is copied into
    /// the code directory under its own name.
    MetricsExperiment(fs::path root, const fs::path& trial_script) : root_(std::move(root)) {
        fs::remove_all(root_);
        fs::create_directories(root_ / "code");
        fs::create_directories(root_ / "markers");
        if (!trial_script.empty()) {
            fs::copy_file(trial_script, root_ / "code" / trial_script.filename());
        }
        // Trials inherit the host's environment (the local platform passes it on).
        ::setenv("E2E_DB", db_path().c_str(), 1);
        ::setenv("E2E_MARKERS", (root_ / "markers").c_str(), 1);
        ::setenv("TSHOST_METRICS_FLUSH_SECONDS", "1", 1);
    }

    const fs::path& root() const { return root_; }
    /// Without the agent, trials are plain local processes (the RSS benchmark's
    /// trials, whose metrics the benchmark posts itself).
    void set_trial_agent(bool on) { trial_agent_ = on; }
    fs::path db_path() const { return root_ / "data" / kId / "experiment.db"; }

    /// Writes the experiment config and returns its path. `command` is the trial
    /// command (run in the code directory); `top` is extra top-level YAML.
    std::string config(const SharedStorage& storage, const std::string& command,
                       const std::string& top = "", int trials = 3, int concurrency = 2) {
        share_ = storage.local_root;
        const auto path = root_ / "config.yml";
        std::ofstream(path) << "experimentName: metrics-e2e\n"
                            << "searchSpace:\n  x: {_type: uniform, _value: [0, 1]}\n"
                            << "trialCommand: " << command << "\n"
                            << "trialCodeDirectory: " << (root_ / "code").string() << "\n"
                            << "trialConcurrency: " << concurrency << "\n"
                            << "maxTrialNumber: " << trials << "\n"
                            << "tuner: {name: Random, classArgs: {seed: 3}}\n"
                            << top << "trainingService:\n"
                            << "  platform: local\n  useTrialAgent: "
                            << (trial_agent_ ? "true" : "false") << "\n"
                            << "  shareDirectory: " << storage.local_root.string() << "\n"
                            << "  storage:\n"
                            << storage.yaml;
        return path.string();
    }

    /// tshost arguments with this experiment's data directory in front.
    std::vector<std::string> args(std::vector<std::string> rest) const {
        rest.insert(rest.begin(), {"--data-dir", (root_ / "data").string()});
        return rest;
    }

    tshost::db::ExperimentDb db() const { return tshost::db::ExperimentDb::open(db_path()); }

    /// The records trial `trial` (attempt 0) journalled on the share, one per line.
    size_t journal_records(const std::string& trial) const {
        if (share_.empty()) {
            throw std::logic_error("journal_records before config()");
        }
        size_t n = 0;
        const auto dir = share_ / "nni" / kId / trial / ".tshost" / "metrics";
        for (const auto& entry : fs::directory_iterator(dir)) {
            std::ifstream in(entry.path());
            for (std::string line; std::getline(in, line);) {
                ++n;
            }
        }
        return n;
    }

  private:
    fs::path root_;
    fs::path share_;
    bool trial_agent_ = true;
};

}  // namespace metrics_e2e
