// The on-disk layout of one trial attempt. Everything a restarted host needs to
// find a trial, tell whose it is and judge how it ended lives in these files, so
// nothing depends on the memory of the process that started it.
//
//   <trialsDirectory>/<trialId>/              attempt 0
//   <trialsDirectory>/<trialId>.attempt-<n>/  attempt n > 0 (earlier attempts are kept)
//       parameter.cfg     NNI's packed parameter, verbatim: the trial SDK reads it
//       stdout, stderr    the trial command's output (NNISDK_MEb'...' lines are metrics)
//       .nni/metrics      NNI's legacy file channel: ME<6-digit length><record + "\n">...
//       .nni/trial.json   {"experimentId","trialId","attempt","sequenceId","startTime"}
//                         (+ "agent": true, "shareTrialDir" for a trial run by the agent)
//       .nni/pid          the wrapper shell's pid, which is also the trial's process group
//       .nni/exitcode     the command's exit status, written by the wrapper as it ends
//       .nni/cancel       the end status a cancel asked for (USER_CANCELED, ...)
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace local_platform {

struct TrialPaths {
    std::filesystem::path dir;

    std::filesystem::path parameter_file() const { return dir / "parameter.cfg"; }
    std::filesystem::path stdout_file() const { return dir / "stdout"; }
    std::filesystem::path stderr_file() const { return dir / "stderr"; }
    std::filesystem::path nni_dir() const { return dir / ".nni"; }
    std::filesystem::path metrics_file() const { return nni_dir() / "metrics"; }
    std::filesystem::path meta_file() const { return nni_dir() / "trial.json"; }
    std::filesystem::path pid_file() const { return nni_dir() / "pid"; }
    std::filesystem::path exit_code_file() const { return nni_dir() / "exitcode"; }
    std::filesystem::path cancel_file() const { return nni_dir() / "cancel"; }
};

struct TrialMeta {
    std::string experiment_id;
    std::string trial_id;
    int64_t attempt = 0;
    int64_t sequence_id = 0;
    int64_t start_ms = 0;  // when the process was started, ms since the epoch
    /// Run through the trial agent (useTrialAgent): the agent delivers the metrics and
    /// NNI_SYS_DIR is `share_trial_dir` on the share; this directory keeps the
    /// bookkeeping (pid, exit code, cancel) and the agent's own stdout/stderr.
    bool agent = false;
    std::string share_trial_dir;  // absolute local path of the trial's directory on the share
};

struct FoundTrial {
    TrialMeta meta;
    TrialPaths paths;
};

/// Trial ids become directory names, so only [A-Za-z0-9_-] is accepted (the ABI
/// promises [a-z0-9]+; NNI's own ids are [a-zA-Z0-9]).
bool valid_trial_id(std::string_view id);

TrialPaths attempt_paths(const std::filesystem::path& trials_dir, std::string_view trial_id,
                         int64_t attempt);

/// Creates the attempt's directory with parameter.cfg, .nni/, an empty
/// .nni/metrics and .nni/trial.json. Throws tshost::Error(TSH_ERR_EXISTS) when the
/// directory exists already: an attempt never reuses another's files.
void create_attempt_dir(const TrialPaths& paths, const TrialMeta& meta,
                        std::string_view parameters_json);

/// Writes a temporary file and renames it over `path`, so a reader (or a host
/// restarted after a crash) never sees a partial file.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

/// Records `.nni/trial.json` (the start time is known only once the process runs).
void write_meta(const TrialPaths& paths, const TrialMeta& meta);

/// Every trial of `experiment_id` under `trials_dir`, newest attempt only.
std::vector<FoundTrial> scan_trials(const std::filesystem::path& trials_dir,
                                    std::string_view experiment_id);

/// One trial's attempt (newest when `attempt` is empty), if it belongs to the experiment.
std::optional<FoundTrial> find_trial(const std::filesystem::path& trials_dir,
                                     std::string_view experiment_id, std::string_view trial_id,
                                     std::optional<int64_t> attempt);

std::optional<pid_t> read_pid(const TrialPaths& paths);
std::optional<int> read_exit_code(const TrialPaths& paths);
std::optional<std::string> read_cancel_status(const TrialPaths& paths);
/// ms since the epoch, or 0 when the file does not exist.
int64_t file_mtime_ms(const std::filesystem::path& path);

/// What the files (and /proc) say about an attempt, without any memory of it.
struct DiskState {
    std::string status;  // RUNNING, SUCCEEDED, FAILED or a cancel status
    std::optional<pid_t> pid;
    std::optional<int> exit_code;
    int64_t end_ms = 0;  // 0 while running
};
DiskState read_disk_state(const TrialPaths& paths);

}  // namespace local_platform
