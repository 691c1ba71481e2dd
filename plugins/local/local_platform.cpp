// local: runs each trial as a process on this machine, the way NNI's local
// training service does, so NNI trial code runs unchanged. The simplest real
// platform, and a template for plugin authors:
//   settings.*        config schema and the merged config/experiment settings
//   trial_dir.*       the on-disk layout of a trial attempt (all a restarted host needs)
//   launch.*          the process: NNI's environment, a wrapper that records the exit code
//   process.*         signals and liveness checks
//   monitor.*         the one thread that follows trials and emits their events
//   file_follower.*, metric_scanner.*, events.*   what the monitor is built from
//
// With useTrialAgent the trial runs as on the Kubernetes platforms: a run script
// rendered by plugins/common (tshost/trial/run_script.hpp) is written to the trial's
// directory on the configured storage and started from shareDirectory; it
// materializes the code and execs the trial agent, which runs the command and
// delivers the metrics to the host itself. The process bookkeeping stays in
// trialsDirectory, so cancel, adopt and list_trials work the same way.
#include <tshost/plugin.hpp>
#include <tshost/trial/run_script.hpp>

#include <algorithm>
#include <csignal>
#include <nlohmann/json.hpp>
#include <stdexcept>
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

// What the host puts into a trial's spec when the experiment has storage (sdk/ABI.md):
// share-relative paths, and the metrics endpoint with the trial's own token.
struct AgentTrialSpec {
    std::string trial_dir;
    std::string kit_dir;
    std::string code_manifest;
    std::string cas_dir;
    std::optional<std::string> metrics_url;    // absent in storage-only mode
    std::optional<std::string> metrics_token;  // a secret: never logged or quoted
};

AgentTrialSpec agent_spec_of(std::string_view spec_json) {
    const json spec = json::parse(spec_json.empty() ? "{}" : spec_json, nullptr, false);
    if (!spec.is_object()) {
        throw tshost::Error(TSH_ERR_INVALID_ARGUMENT, "the trial's spec is not a JSON object");
    }
    AgentTrialSpec a;
    std::string missing;
    auto take = [&](const char* key, std::string& out) {
        const auto it = spec.find(key);
        if (it != spec.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
            out = it->get<std::string>();
        } else {
            missing += (missing.empty() ? "" : ", ") + std::string(key);
        }
    };
    take("trialDir", a.trial_dir);
    take("kitDir", a.kit_dir);
    take("codeManifest", a.code_manifest);
    take("casDir", a.cas_dir);
    if (!missing.empty()) {
        throw tshost::Error(TSH_ERR_INVALID_ARGUMENT,
                            "useTrialAgent needs a storage section: the trial's spec has no " +
                                missing +
                                " (the host sends them when the experiment configures storage)");
    }
    const auto metrics = spec.find("metrics");
    if (metrics != spec.end() && metrics->is_object()) {
        const auto url = metrics->find("url");
        if (url != metrics->end() && url->is_string()) {
            a.metrics_url = url->get<std::string>();
        }
        const auto token = metrics->find("token");
        if (token != metrics->end() && token->is_string()) {
            a.metrics_token = token->get<std::string>();
        }
    }
    return a;
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
        TrialMeta record{settings_.experiment_id,
                         std::string(trial.id),
                         attempt,
                         trial.sequence_id,
                         now_ms(),
                         false,
                         {}};
        Launch launch{settings_.trial_command, settings_.code_dir, paths, {}};
        if (settings_.use_trial_agent) {
            // Everything that can fail on the share happens before the attempt's
            // directory exists, so a refused submit leaves nothing behind here.
            const AgentTrialSpec agent = agent_spec_of(trial.spec_json);
            record.agent = true;
            record.share_trial_dir = (settings_.share_dir / agent.trial_dir).string();
            launch = agent_launch(trial, paths, agent);
        } else {
            launch.nni_env = nni_environment(trial, paths);
        }
        create_attempt_dir(paths, record, trial.parameters_json);  // parameter.cfg before the start

        pid_t pid = 0;
        try {
            pid = launch_trial(launch);
        } catch (const tshost::Error&) {
            // The shell's "could not run" code, so the directory tells the same story.
            write_file_atomic(paths.exit_code_file(), "127\n");
            throw;
        }
        // Also written by the wrapper; here so the pid is on disk when submit returns.
        write_file_atomic(paths.pid_file(), std::to_string(pid) + "\n");
        monitor_.watch(WatchSpec{std::string(trial.id), attempt, paths, pid, true, record.start_ms,
                                 std::nullopt, record.agent});
        json out{{"jobName", "pid-" + std::to_string(pid)},
                 {"pid", pid},
                 {"trialDir", paths.dir.string()},
                 {"url", "file://" + paths.dir.string()}};
        if (record.agent) {
            out["shareTrialDir"] = record.share_trial_dir;
            out["url"] = "file://" + record.share_trial_dir;
        }
        return out.dump();
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
                                 cancel_reason_of(or_empty(read_cancel_status(found->paths))),
                                 found->meta.agent});
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
        if (found->meta.agent) {
            // NNI_SYS_DIR is on the share; the agent keeps the command's output and the
            // metrics there (layout in the metrics contract); stdout/stderr above are
            // the agent's own.
            const std::filesystem::path share(found->meta.share_trial_dir);
            detail["shareTrialDir"] = share.string();
            detail["parameterFile"] = (share / "parameter.cfg").string();
            detail["runScript"] = (share / "run_local.sh").string();
            detail["outputDir"] = (share / "output" / kAgentReplica).string();
            detail["metricsFile"] =
                (share / ".tshost" / "metrics" / (std::string(kAgentReplica) + ".jsonl")).string();
        }
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
        struct Orphan {
            pid_t pgid;
            bool agent;                   // the agent's command has a group of its own
            std::vector<GroupId> groups;  // agent: the tree's groups before the SIGTERM
        };
        std::vector<Orphan> orphans;
        for (const FoundTrial& found : scan_trials(settings_.trials_dir, settings_.experiment_id)) {
            const DiskState state = read_disk_state(found.paths);
            if (state.status == "RUNNING" && !monitor_.tracks(found.meta.trial_id)) {
                write_file_atomic(found.paths.cancel_file(), "SYS_CANCELED\n");
                Orphan orphan{*state.pid, found.meta.agent, {}};
                if (orphan.agent) {
                    orphan.groups = trial_tree_groups(orphan.pgid);
                }
                signal_group(*state.pid, SIGTERM);
                orphans.push_back(std::move(orphan));
            }
        }
        const auto deadline = std::chrono::steady_clock::now() + settings_.kill_grace;
        monitor_.wait_all_ended(deadline);
        // Not our children and not followed: nothing wakes us when they die, so poll.
        const auto alive = [](const Orphan& o) {
            return o.agent ? any_group_alive(trial_tree_groups(o.pgid, o.groups))
                           : group_alive(o.pgid);
        };
        while (std::chrono::steady_clock::now() < deadline &&
               std::any_of(orphans.begin(), orphans.end(), alive)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        for (const Orphan& o : orphans) {
            if (!alive(o)) {
                continue;  // gone already: its group id may belong to someone else by now
            }
            if (o.agent) {
                signal_groups(trial_tree_groups(o.pgid, o.groups), SIGKILL);
            } else {
                signal_group(o.pgid, SIGKILL);
            }
        }
        // kill() only queues the SIGKILL: each process dies when it next runs, which on
        // a busy machine can be after this returns. The monitor waits for that for the
        // trials it follows (Monitor::tree_done); the orphans get the same wait, with
        // the same bound for a process stuck in uninterruptible I/O. The monitor
        // SIGKILLs what it follows at the deadline and then reports it.
        const auto settled = deadline + std::chrono::seconds(3);
        while (std::chrono::steady_clock::now() < settled &&
               std::any_of(orphans.begin(), orphans.end(), alive)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        monitor_.wait_all_ended(settled);
    }

  private:
    // The one replica of a local trial, as the agent names it (<role>-<index>).
    static constexpr const char* kAgentRole = "local";
    static constexpr const char* kAgentReplica = "local-0";

    // useTrialAgent: renders run_local.sh, writes it into the trial's directory on the
    // storage and returns how to start it. NNI's environment is in the script; the
    // metrics URL and token go only into the process environment, never to the share
    // (every trial can read the share).
    Launch agent_launch(const tshost::Trial& trial, const TrialPaths& paths,
                        const AgentTrialSpec& agent) {
        const std::optional<tshost::Storage> storage = host_.storage();
        if (!storage) {
            throw tshost::Error(TSH_ERR_INVALID_ARGUMENT,
                                "useTrialAgent needs a storage section: the experiment has no "
                                "storage the run script could be written to");
        }
        tshost::trial::RunScriptSpec rs;
        rs.platform = "local";
        rs.experiment_id = settings_.experiment_id;
        rs.trial_id = std::string(trial.id);
        rs.sequence_id = trial.sequence_id;
        rs.mount_root = settings_.share_dir.string();
        rs.trial_dir = agent.trial_dir;
        rs.kit_dir = agent.kit_dir;
        rs.code_manifest = agent.code_manifest;
        rs.cas_dir = agent.cas_dir;
        rs.role = kAgentRole;
        rs.primary_replica = kAgentReplica;
        rs.command = settings_.trial_command;
        rs.gpu_number = settings_.gpus_per_trial;
        if (settings_.gpus_per_trial > 0) {
            rs.env.emplace_back("CUDA_VISIBLE_DEVICES", next_gpus());
        }
        // In the attempt's own directory rather than /tmp: removed with it, and never
        // shared with another attempt.
        rs.code_dir = (paths.dir / "code").string();
        std::string script;
        try {
            script = tshost::trial::render_run_script(rs);
        } catch (const std::invalid_argument& e) {
            throw tshost::Error(TSH_ERR_INVALID_ARGUMENT, e.what());
        }
        const std::string name = tshost::trial::run_script_name(kAgentRole);
        storage->write_file(agent.trial_dir + "/" + name, script);

        // The script is started from shareDirectory: if that is not where the storage
        // writes, every trial would fail with a bare "can't open"; say why instead.
        const std::filesystem::path local_script = settings_.share_dir / agent.trial_dir / name;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(local_script, ec)) {
            throw tshost::Error(TSH_ERR_INVALID_ARGUMENT,
                                "shareDirectory " + settings_.share_dir.string() +
                                    " does not show the storage's files: wrote " + agent.trial_dir +
                                    "/" + name + " through storage '" +
                                    std::string(storage->plugin_name()) + "' but " +
                                    local_script.string() + " does not exist");
        }

        EnvVars env;
        if (agent.metrics_url) {
            env.emplace_back("TSHOST_METRICS_URL", *agent.metrics_url);
        }
        if (agent.metrics_token) {
            env.emplace_back("TSHOST_METRICS_TOKEN", *agent.metrics_token);
        }
        // `sh <script>` as the contract says; the path is quoted because the wrapper
        // runs this text with sh -c.
        return Launch{"exec /bin/sh " + tshost::trial::shell_quote(local_script.string()),
                      paths.dir, paths, std::move(env)};
    }

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
