// local: runs each trial as a process on this machine, the way NNI's local
// training service does, so NNI trial code runs unchanged. The simplest real
// platform, and a template for plugin authors:
//   settings.*        config schema and the merged config/experiment settings
//   trial_dir.*       the on-disk layout of a trial attempt (all a restarted host needs)
//   launch.*          the process: NNI's environment, a wrapper that records the exit code
//   process.*         signals and liveness checks
//   monitor.*         the one thread that follows trials and emits their events
//   file_follower.*, metric_scanner.*, events.*   what the monitor is built from
#include <tshost/plugin.hpp>

#include <algorithm>
#include <csignal>
#include <nlohmann/json.hpp>
#include <thread>

#include "events.hpp"
#include "launch.hpp"
#include "monitor.hpp"
#include "process.hpp"
#include "settings.hpp"
#include "trial_dir.hpp"

namespace local_platform {
namespace {

using nlohmann::json;

void require_valid_id(std::string_view trial_id) {
    if (!valid_trial_id(trial_id)) {
        throw tshost::Error(TSH_ERR_INVALID_ARGUMENT,
                            "trial id '" + std::string(trial_id) +
                                "' is not usable as a directory name ([A-Za-z0-9_-], 1-128)");
    }
}

// The attempt number from the trial's spec_json (absent = 0). The spec holds a
// secret, so errors never quote it.
std::optional<int64_t> attempt_of(std::string_view spec_json) {
    const json spec = json::parse(spec_json.empty() ? "{}" : spec_json, nullptr, false);
    if (!spec.is_object()) {
        throw tshost::Error(TSH_ERR_INVALID_ARGUMENT, "the trial's spec is not a JSON object");
    }
    const auto it = spec.find("attempt");
    if (it == spec.end()) {
        return std::nullopt;
    }
    if (!it->is_number_integer() || it->get<int64_t>() < 0) {
        throw tshost::Error(TSH_ERR_INVALID_ARGUMENT, "the trial's attempt is not an integer >= 0");
    }
    return it->get<int64_t>();
}

std::string or_empty(const std::optional<std::string>& s) {
    return s.value_or("");
}

}  // namespace

class LocalPlatform {
  public:
    static constexpr tshost::Meta meta{
        .name = "local",
        .version = "1.0.0",
        .description =
            "Runs each trial as a process on this machine (NNI's local training service)",
        .config_schema = kConfigSchema,
    };

    explicit LocalPlatform(const tshost::CreateArgs& args)
        : host_(args.host),
          settings_(parse_settings(args.config_json, args.experiment_json)),
          monitor_(host_, settings_.kill_grace) {}

    std::string submit(const tshost::Trial& trial) {
        require_valid_id(trial.id);
        const int64_t attempt = attempt_of(trial.spec_json).value_or(0);
        const TrialPaths paths = attempt_paths(settings_.trials_dir, trial.id, attempt);
        const TrialMeta record{settings_.experiment_id, std::string(trial.id), attempt,
                               trial.sequence_id, now_ms()};
        create_attempt_dir(paths, record, trial.parameters_json);  // parameter.cfg before the start

        pid_t pid = 0;
        try {
            pid = launch_trial(Launch{settings_.trial_command, settings_.code_dir, paths,
                                      nni_environment(trial, paths)});
        } catch (const tshost::Error&) {
            // The shell's "could not run" code, so the directory tells the same story.
            write_file_atomic(paths.exit_code_file(), "127\n");
            throw;
        }
        // Also written by the wrapper; here so the pid is on disk when submit returns.
        write_file_atomic(paths.pid_file(), std::to_string(pid) + "\n");
        monitor_.watch(WatchSpec{std::string(trial.id), attempt, paths, pid, true, record.start_ms,
                                 std::nullopt});
        return json{{"jobName", "pid-" + std::to_string(pid)},
                    {"pid", pid},
                    {"trialDir", paths.dir.string()},
                    {"url", "file://" + paths.dir.string()}}
            .dump();
    }

    void cancel(std::string_view trial_id, tshost::CancelReason reason) {
        if (monitor_.cancel(trial_id, reason) == Monitor::CancelResult::unknown) {
            throw tshost::Error(TSH_ERR_NOT_FOUND, "no trial '" + std::string(trial_id) + "'");
        }
    }

    // From the files alone, so it works in a fresh process after the host died.
    std::string list_trials() {
        json trials = json::array();
        for (const FoundTrial& found : scan_trials(settings_.trials_dir, settings_.experiment_id)) {
            const DiskState state = read_disk_state(found.paths);
            json item{{"trialId", found.meta.trial_id},
                      {"status", state.status},
                      {"attempt", found.meta.attempt},
                      {"trialDir", found.paths.dir.string()}};
            if (state.pid) {
                item["pid"] = *state.pid;
            }
            if (state.exit_code) {
                item["exitCode"] = *state.exit_code;
            }
            trials.push_back(std::move(item));
        }
        return trials.dump();
    }

    // Metrics are re-read from the start: their seq numbers are stable, so the host
    // drops the ones it stored before the restart.
    void adopt(const tshost::Trial& trial) {
        require_valid_id(trial.id);
        if (monitor_.tracks(trial.id)) {
            return;  // already followed by this instance
        }
        const auto found = find_trial(settings_.trials_dir, settings_.experiment_id, trial.id,
                                      attempt_of(trial.spec_json));
        if (!found) {
            throw tshost::Error(TSH_ERR_NOT_FOUND, "no trial directory for '" +
                                                       std::string(trial.id) + "' in " +
                                                       settings_.trials_dir.string());
        }
        monitor_.watch(WatchSpec{found->meta.trial_id, found->meta.attempt, found->paths,
                                 read_pid(found->paths).value_or(0), false, found->meta.start_ms,
                                 cancel_reason_of(or_empty(read_cancel_status(found->paths)))});
    }

    std::string query(std::string_view trial_id) {
        const auto found =
            find_trial(settings_.trials_dir, settings_.experiment_id, trial_id, std::nullopt);
        if (!found) {
            throw tshost::Error(TSH_ERR_NOT_FOUND, "no trial '" + std::string(trial_id) + "'");
        }
        const TrialPaths& p = found->paths;
        const DiskState state = read_disk_state(p);
        json detail{{"trialId", found->meta.trial_id},
                    {"status", monitor_.status(trial_id).value_or(state.status)},
                    {"attempt", found->meta.attempt},
                    {"startTime", found->meta.start_ms},
                    {"trialDir", p.dir.string()},
                    {"parameterFile", p.parameter_file().string()},
                    {"stdout", p.stdout_file().string()},
                    {"stderr", p.stderr_file().string()},
                    {"metricsFile", p.metrics_file().string()}};
        if (state.pid) {
            detail["pid"] = *state.pid;
        }
        if (state.exit_code) {
            detail["exitCode"] = *state.exit_code;
        }
        return detail.dump();
    }

    // Cancels every trial still running, including ones an earlier host process
    // started and this one never adopted, and waits (bounded) for them to die.
    void end_experiment() {
        for (const std::string& id : monitor_.live_trials()) {
            monitor_.cancel(id, tshost::CancelReason::system);
        }
        std::vector<pid_t> orphans;
        for (const FoundTrial& found : scan_trials(settings_.trials_dir, settings_.experiment_id)) {
            const DiskState state = read_disk_state(found.paths);
            if (state.status == "RUNNING" && !monitor_.tracks(found.meta.trial_id)) {
                write_file_atomic(found.paths.cancel_file(), "SYS_CANCELED\n");
                signal_group(*state.pid, SIGTERM);
                orphans.push_back(*state.pid);
            }
        }
        const auto deadline = std::chrono::steady_clock::now() + settings_.kill_grace;
        monitor_.wait_all_ended(deadline);
        // Not our children and not followed: nothing wakes us when they die, so poll.
        while (std::chrono::steady_clock::now() < deadline &&
               std::any_of(orphans.begin(), orphans.end(), group_alive)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        for (const pid_t pgid : orphans) {
            signal_group(pgid, SIGKILL);
        }
        // The monitor SIGKILLs what it follows at the deadline and then reports it.
        monitor_.wait_all_ended(deadline + std::chrono::seconds(3));
    }

  private:
    // The environment NNI's local training service gives a trial (nni-protocol.md
    // §7.2, §7.7). Without NNI_TRIAL_COMMAND_CHANNEL, NNI_PLATFORM=local makes the
    // trial SDK use the legacy file channel: parameter.cfg in, .nni/metrics out.
    EnvVars nni_environment(const tshost::Trial& trial, const TrialPaths& paths) {
        return {{"NNI_PLATFORM", "local"},
                {"NNI_EXP_ID", settings_.experiment_id},
                {"NNI_TRIAL_JOB_ID", std::string(trial.id)},
                {"NNI_SYS_DIR", paths.dir.string()},
                {"NNI_OUTPUT_DIR", paths.dir.string()},
                {"NNI_TRIAL_SEQ_ID", std::to_string(trial.sequence_id)},
                {"MULTI_PHASE", "false"},
                {"NNI_CODE_DIR", settings_.code_dir.string()},
                {"CUDA_VISIBLE_DEVICES", next_gpus()}};
    }

    // trialGpuNumber GPUs from gpuIndices, round-robin; "" hides every GPU from a
    // trial that asked for none.
    std::string next_gpus() {
        std::string devices;
        for (int64_t i = 0; i < settings_.gpus_per_trial; ++i) {
            devices +=
                (devices.empty() ? "" : ",") + std::to_string(settings_.gpu_indices[gpu_cursor_]);
            gpu_cursor_ = (gpu_cursor_ + 1) % settings_.gpu_indices.size();
        }
        return devices;
    }

    tshost::Host host_;
    Settings settings_;
    size_t gpu_cursor_ = 0;  // platform calls are serialised by the host
    Monitor monitor_;        // last: its thread starts once everything else exists
};

}  // namespace local_platform

TSHOST_PLATFORM_PLUGIN(local_platform::LocalPlatform)
