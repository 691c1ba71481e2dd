#include "tshost/trial/run_script.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace tshost::trial {

namespace {

[[noreturn]] void invalid(const std::string& field, const std::string& why) {
    throw std::invalid_argument("run script: " + field + " " + why);
}

bool is_upper_or_underscore(char c) {
    return (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c);
}

bool valid_env_name(std::string_view name) {
    return !name.empty() && is_upper_or_underscore(name.front()) &&
           std::all_of(name.begin(), name.end(),
                       [](char c) { return is_upper_or_underscore(c) || is_digit(c); });
}

// Roles and replica names appear in file names (run_<role>.sh, output/<replica>/,
// .tshost/metrics/<replica>.jsonl), so they are held to a portable file-name set even
// though the script quotes them: FC role names, Kubeflow replica types and <role>-<i>.
void require_name(const char* field, std::string_view value) {
    if (value.empty() || value.size() > 63 || !is_alnum(value.front()) ||
        !std::all_of(value.begin(), value.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '_'; })) {
        invalid(field, "'" + std::string(value) +
                           "' is not a name of 1-63 characters [A-Za-z0-9_-] starting with a "
                           "letter or digit");
    }
}

// Ids are quoted like any value; they only have to exist and fit on one line, so a
// log that prints them cannot be forged.
void require_id(const char* field, std::string_view value) {
    if (value.empty()) {
        invalid(field, "is empty");
    }
    if (value.find_first_of(std::string_view("\n\r\0", 3)) != std::string_view::npos) {
        invalid(field, "holds a line break or NUL");
    }
}

// A NUL cannot be passed through argv or the environment: the value would be cut
// short silently, so it is refused instead.
void require_no_nul(const char* field, std::string_view value) {
    if (value.find('\0') != std::string_view::npos) {
        invalid(field, "holds a NUL byte, which no argument or variable can carry");
    }
}

void require_share_relative(const char* field, std::string_view path) {
    if (path.empty()) {
        invalid(field, "is empty");
    }
    require_no_nul(field, path);
    if (path.front() == '/' || path.back() == '/') {
        invalid(field, "'" + std::string(path) +
                           "' must be relative to the share, without a "
                           "leading or trailing '/'");
    }
    size_t start = 0;
    while (start <= path.size()) {
        const size_t slash = std::min(path.find('/', start), path.size());
        const std::string_view segment = path.substr(start, slash - start);
        if (segment.empty() || segment == "." || segment == "..") {
            invalid(field, "'" + std::string(path) + "' has an empty, '.' or '..' segment");
        }
        start = slash + 1;
    }
}

void require_absolute(const char* field, std::string_view path) {
    require_no_nul(field, path);
    if (path.empty() || path.front() != '/') {
        invalid(field, "'" + std::string(path) + "' is not an absolute path");
    }
}

// mount_root + '/' + relative, with the root's trailing slashes dropped ("/" stays
// usable as a root).
std::string join(std::string_view root, std::string_view relative) {
    while (root.size() > 1 && root.back() == '/') {
        root.remove_suffix(1);
    }
    std::string out(root);
    if (out != "/") {
        out += '/';
    }
    out += relative;
    return out;
}

std::string_view last_segment(std::string_view path) {
    const size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string export_line(std::string_view name, std::string_view quoted_value) {
    return "export " + std::string(name) + "=" + std::string(quoted_value) + "\n";
}

}  // namespace

std::string shell_quote(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '\'';
    for (const char c : text) {
        if (c == '\'') {
            out += "'\\''";  // close the quote, an escaped quote, reopen
        } else {
            out += c;  // inside '...' every other byte, newline included, is literal
        }
    }
    out += '\'';
    return out;
}

std::string run_script_name(std::string_view role) {
    require_name("role", role);
    return "run_" + std::string(role) + ".sh";
}

std::string render_run_script(const RunScriptSpec& spec) {
    // --- validation -----------------------------------------------------------------------
    require_name("platform", spec.platform);
    require_id("experiment_id", spec.experiment_id);
    require_id("trial_id", spec.trial_id);
    if (spec.sequence_id < 0) {
        invalid("sequence_id", "is negative");
    }
    if (spec.gpu_number < 0) {
        invalid("gpu_number", "is negative");
    }
    require_absolute("mount_root", spec.mount_root);
    require_share_relative("trial_dir", spec.trial_dir);
    require_share_relative("kit_dir", spec.kit_dir);
    require_share_relative("code_manifest", spec.code_manifest);
    require_share_relative("cas_dir", spec.cas_dir);
    require_name("role", spec.role);
    require_name("primary_replica", spec.primary_replica);
    if (spec.command.empty()) {
        invalid("command", "is empty");
    }
    require_no_nul("command", spec.command);
    require_no_nul("before_command", spec.before_command);
    if (!spec.code_dir.empty()) {
        require_absolute("code_dir", spec.code_dir);
    }

    // What the script exports itself (or the agent, for NNI_OUTPUT_DIR): an extra
    // variable of the same name is refused rather than silently overriding NNI's value.
    const bool local = spec.platform == "local";
    std::vector<std::string> reserved{"NNI_PLATFORM", "NNI_SYS_DIR",   "NNI_TRIAL_JOB_ID",
                                      "NNI_EXP_ID",   "NNI_CODE_DIR",  "NNI_TRIAL_SEQ_ID",
                                      "MULTI_PHASE",  "NNI_OUTPUT_DIR"};
    if (spec.gpu_number == 0) {
        reserved.emplace_back("CUDA_VISIBLE_DEVICES");
    }
    if (local) {
        reserved.emplace_back("REUSE_MODE");
    }
    for (const auto& [name, value] : spec.env) {
        if (!valid_env_name(name)) {
            invalid("env", "name '" + name + "' does not match [A-Z_][A-Z0-9_]*");
        }
        if (std::find(reserved.begin(), reserved.end(), name) != reserved.end()) {
            invalid("env", name + " is set by the run script itself");
        }
        if (name.starts_with("TSHOST_METRICS_")) {
            // The share is mounted by every trial of the experiment: a token written
            // into a script there would be readable by all of them.
            invalid("env", name + " is a secret: put it in the process environment, not the share");
        }
        require_no_nul(("env " + name).c_str(), value);
    }

    const std::string sys_dir = join(spec.mount_root, spec.trial_dir);
    const std::string kit_dir = join(spec.mount_root, spec.kit_dir);
    const std::string code_dir =
        spec.code_dir.empty()
            // Expanded by the script: TMPDIR is the pod's, not the host's. Pod-local, so
            // replicas never race on a shared copy as NNI's `cp -r` to the share did.
            ? "\"${TMPDIR:-/tmp}\"/tshost-code/" +
                  shell_quote(std::string(last_segment(spec.trial_dir)) + "-" + spec.role)
            : shell_quote(spec.code_dir);

    // --- the script -----------------------------------------------------------------------
    std::string s;
    s += "#!/bin/sh\n";
    // Values are single-quoted literals by design ('$HOME' must stay '$HOME'); shellcheck's
    // hints about quotes that do not expand or escape are about exactly that.
    s += "# shellcheck disable=SC1003,SC2016 # single-quoted values are literal on purpose\n";
    s += "# Generated by tshost: trial " + spec.trial_id + ", role " + spec.role +
         ". Started as `sh run_" + spec.role + ".sh`.\n";
    s += "set -eu\n\n";

    s += "# NNI's trial environment (the agent adds NNI_OUTPUT_DIR per replica).\n";
    s += export_line("NNI_PLATFORM", shell_quote(spec.platform));
    s += export_line("NNI_SYS_DIR", shell_quote(sys_dir));
    s += export_line("NNI_TRIAL_JOB_ID", shell_quote(spec.trial_id));
    s += export_line("NNI_EXP_ID", shell_quote(spec.experiment_id));
    s += export_line("NNI_CODE_DIR", code_dir);
    s += export_line("NNI_TRIAL_SEQ_ID", shell_quote(std::to_string(spec.sequence_id)));
    s += export_line("MULTI_PHASE", shell_quote("false"));
    if (spec.gpu_number == 0) {
        // A container that asks for no GPU sees all of them (NVIDIA k8s-device-plugin#61).
        s += export_line("CUDA_VISIBLE_DEVICES", shell_quote(""));
    }
    if (local) {
        // NNI's SDK with NNI_PLATFORM=local writes metrics to $NNI_SYS_DIR/.nni/metrics
        // and replaces sys.stdout with trial.log; REUSE_MODE=true selects its stdout
        // channel instead (NNISDK_MEb'...' lines, nni-protocol.md §7.6), which is what
        // the agent reads, exactly as on the Kubernetes platforms.
        s += export_line("REUSE_MODE", shell_quote("true"));
    }
    for (const auto& [name, value] : spec.env) {
        s += export_line(name, shell_quote(value));
    }

    s += "\n# The trial kit the host wrote once for the experiment.\n";
    s += "tsh_kit=" + shell_quote(kit_dir) + "\n";
    s += "if [ ! -r \"$tsh_kit/materialize_code.sh\" ] || [ ! -r \"$tsh_kit/tshost_agent.py\" ]; "
         "then\n";
    s +=
        "    echo \"tshost: the trial kit is missing from $tsh_kit (is the share mounted?)\" >&2\n";
    s += "    exit " + std::to_string(kExitKitMissing) + "\n";
    s += "fi\n";
    s += "# shellcheck source=/dev/null\n";
    s += ". \"$tsh_kit/materialize_code.sh\"\n\n";

    s += "# The experiment's code, from the content-addressed store on the share.\n";
    s += "if ! tsh_materialize_code " + shell_quote(join(spec.mount_root, spec.cas_dir)) + " " +
         shell_quote(join(spec.mount_root, spec.code_manifest)) + " \"$NNI_CODE_DIR\"; then\n";
    s += "    echo \"tshost: cannot materialize the experiment's code into $NNI_CODE_DIR\" >&2\n";
    s += "    exit " + std::to_string(kExitCodeMaterializeFailed) + "\n";
    s += "fi\n";
    s += "if ! cd \"$NNI_CODE_DIR\"; then\n";
    s += "    echo \"tshost: cannot enter $NNI_CODE_DIR\" >&2\n";
    s += "    exit " + std::to_string(kExitCodeDirFailed) + "\n";
    s += "fi\n";
    s += "if ! command -v python3 >/dev/null 2>&1; then\n";
    s += "    echo \"tshost: python3 is not on PATH; the trial agent needs Python 3.6+\" >&2\n";
    s += "    exit " + std::to_string(kExitNoPython) + "\n";
    s += "fi\n\n";

    // The user's command is one argv element from here to the agent's `sh -c`, so it
    // arrives byte for byte: it is never spliced into other shell text. With a
    // before_command, the inner script sources it in the same shell (so variables it
    // sets, exported or not, are visible, as with NNI's `... injector.sh && CMD`) and
    // then evals the command, which arrives as $1; the shift leaves the positional
    // parameters empty, as for a plain `sh -c CMD`.
    s += "# exec: the agent becomes this process (PID 1 in a pod) and receives the signals.\n";
    s += "exec python3 \"$tsh_kit/tshost_agent.py\" --role " + shell_quote(spec.role) +
         " --primary-replica " + shell_quote(spec.primary_replica) + " -- sh -c ";
    if (spec.before_command.empty()) {
        s += shell_quote(spec.command);
    } else {
        // Braces and a newline: a trailing comment or ';' in before_command cannot
        // swallow or break what follows.
        s += shell_quote("{ " + spec.before_command +
                         "\n} && tsh_command=$1 && shift && eval \"$tsh_command\"") +
             " sh " + shell_quote(spec.command);
    }
    s += "\n";
    return s;
}

}  // namespace tshost::trial
