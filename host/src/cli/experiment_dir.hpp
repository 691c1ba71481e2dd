// Where experiments live: <data-dir>/<experiment id>/ holds the experiment
// database, the normalised config, the lock of the host running it, and the
// platform's working files.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tshost::cli {

/// --data-dir, else $TSHOST_DATA_DIR, else $XDG_DATA_HOME/tshost/experiments,
/// else ~/.local/share/tshost/experiments.
std::filesystem::path resolve_data_dir(const std::string& option);

struct ExperimentPaths {
    std::filesystem::path dir;
    std::filesystem::path database() const { return dir / "experiment.db"; }
    std::filesystem::path config() const { return dir / "config.json"; }
    std::filesystem::path lock() const { return dir / "host.lock"; }
    /// The trial metrics port of the last run, so a resumed host can listen there again.
    std::filesystem::path metrics_port() const { return dir / "metrics.port"; }
};

/// Ids of every experiment under `data_dir`, oldest first.
std::vector<std::string> list_experiments(const std::filesystem::path& data_dir);

/// Exclusive ownership of an experiment by one host process (flock), released
/// when destroyed or when the process dies, even by kill -9.
class ExperimentLock {
  public:
    /// std::nullopt when another process holds it; `holder` then gets its pid.
    static std::optional<ExperimentLock> acquire(const ExperimentPaths& paths, long* holder);
    /// The pid of the process holding the lock, if any.
    static std::optional<long> holder(const ExperimentPaths& paths);

    ExperimentLock(ExperimentLock&& other) noexcept;
    ExperimentLock& operator=(ExperimentLock&&) = delete;
    ~ExperimentLock();

  private:
    explicit ExperimentLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace tshost::cli
