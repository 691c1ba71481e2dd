// The run script every platform writes next to a trial's parameter.cfg
// (`<trialDir>/run_<role>.sh`) and starts with `sh`: it exports NNI's trial
// environment, materializes the experiment's code from the content-addressed store
// on the share, and execs the trial agent, which runs the role's command. One
// renderer for every platform, so they cannot drift apart in quoting or layout.
//
// Every value that comes from a config or an id is passed through shell_quote(), so
// no value can end a quote or start a command; names that become part of the
// script's syntax (environment variable names) or of file names (role) are
// validated instead. The output passes `shellcheck -s sh`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tshost::trial {

/// Exit codes of the run script itself, distinct from what a Python agent or a
/// shell usually returns (1, 2, 126, 127, 128+n), so a platform can turn a pod's
/// exit code into a message without reading its log.
inline constexpr int kExitKitMissing = 90;  // <kitDir>/{materialize_code.sh,tshost_agent.py}
inline constexpr int kExitCodeMaterializeFailed = 91;  // manifest or a blob missing/wrong
inline constexpr int kExitCodeDirFailed = 92;          // cannot cd into NNI_CODE_DIR
inline constexpr int kExitNoPython = 93;               // no python3 on PATH

/// What the script needs. Share-relative paths use '/', have no leading '/' and no
/// "." or ".." segments (they come from the host's trial spec).
struct RunScriptSpec {
    std::string platform;  // NNI_PLATFORM: frameworkcontroller | kubeflow | local
    std::string experiment_id;
    std::string trial_id;
    int64_t sequence_id = 0;
    std::string mount_root;       // absolute: "/tmp/mount" in pods, a local directory for local
    std::string trial_dir;        // share-relative: nni/<exp>/<trialDirName> (= NNI_SYS_DIR)
    std::string kit_dir;          // share-relative: nni/<exp>/.tshost/kit
    std::string code_manifest;    // share-relative: nni/<exp>/code.manifest
    std::string cas_dir;          // share-relative: nni/.cas
    std::string role;             // worker, ps, master, chief, an FC task role, local
    std::string command;          // the role's command: becomes one argv element, run by `sh -c`
    int64_t gpu_number = 0;       // 0 -> CUDA_VISIBLE_DEVICES= (NVIDIA k8s-device-plugin#61)
    std::string primary_replica;  // the replica whose metrics go to the tuner, e.g. worker-0
    /// Extra exports after NNI's (FB_WORKER_PORT=4000, CUDA_VISIBLE_DEVICES=0,1 for a local
    /// trial with GPUs). Names match [A-Z_][A-Z0-9_]*; a name the script sets itself, and
    /// TSHOST_METRICS_* (secrets: environment only, never the share), are refused.
    std::vector<std::pair<std::string, std::string>> env;
    /// Trusted shell text from the platform itself, run before the command in the same
    /// shell (". /mnt/frameworkbarrier/injector.sh"). Never user input.
    std::string before_command;
    /// Where the code is materialized (NNI_CODE_DIR), absolute. Empty: a pod-local
    /// "${TMPDIR:-/tmp}/tshost-code/<trialDirName>-<role>".
    std::string code_dir;
};

/// POSIX single-quote quoting: 'text', with each ' written as '\''. The result is
/// one shell word whose value is `text` byte for byte, whatever it holds.
std::string shell_quote(std::string_view text);

/// The run script's text. Throws std::invalid_argument naming the field when a name
/// or path is unusable (empty id, bad role or env name, absolute or ".." path, ...).
std::string render_run_script(const RunScriptSpec& spec);

/// "run_<role>.sh": the script's file name inside the trial directory.
std::string run_script_name(std::string_view role);

}  // namespace tshost::trial
