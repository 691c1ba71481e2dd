#include "launch.hpp"

#include <tshost/plugin.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>

extern char** environ;

namespace local_platform {

namespace {

// $1 = the user's command, $2 = the attempt's .nni directory. Files are written
// to a temporary name and renamed, so a reader never sees one half written. The
// pid is recorded here as well as by the host, so a host crash right after the
// spawn loses nothing. $2 is the wrapper's last argument, which is how
// is_trial_wrapper() tells a live trial from a recycled pid.
constexpr const char* kWrapperScript =
    "printf '%s\\n' \"$$\" > \"$2/pid.tmp\" && mv -f \"$2/pid.tmp\" \"$2/pid\"\n"
    "/bin/sh -c \"$1\"\n"
    "code=$?\n"
    "printf '%s\\n' \"$code\" > \"$2/exitcode.tmp\" && mv -f \"$2/exitcode.tmp\" \"$2/exitcode\"\n"
    "exit \"$code\"\n";

// Variables of the host's environment that would mislead NNI's trial SDK: a
// command-channel URL or REUSE_MODE would pull it off the legacy file channel
// that NNI_PLATFORM=local selects (nni-protocol.md §7.3), and stale NNI_* values
// from an enclosing experiment must not leak into this one. Nor may a metrics
// URL or token of an enclosing trial: each trial gets only its own.
bool inherited_var_dropped(std::string_view entry) {
    const std::string_view name = entry.substr(0, entry.find('='));
    return name.starts_with("NNI_") || name == "MULTI_PHASE" || name == "REUSE_MODE" ||
           name == "CUDA_VISIBLE_DEVICES" || name == "TSHOST_METRICS_URL" ||
           name == "TSHOST_METRICS_TOKEN";
}

std::vector<std::string> build_environment(const EnvVars& nni_env) {
    std::vector<std::string> env;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        if (!inherited_var_dropped(*entry)) {
            env.emplace_back(*entry);
        }
    }
    for (const auto& [name, value] : nni_env) {
        env.push_back(name + "=" + value);
    }
    return env;
}

std::vector<char*> c_array(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (std::string& s : strings) {
        out.push_back(s.data());
    }
    out.push_back(nullptr);
    return out;
}

// Closes its file descriptor when the spawn is done (or failed).
class Fd {
  public:
    Fd(const std::filesystem::path& path, int flags) : fd_(::open(path.c_str(), flags, 0644)) {
        if (fd_ < 0) {
            throw tshost::Error(TSH_ERR_GENERIC,
                                "cannot open " + path.string() + ": " + std::strerror(errno));
        }
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { ::close(fd_); }
    int get() const { return fd_; }

  private:
    int fd_;
};

// posix_spawn's attribute and file-action objects, released on every path.
struct SpawnSetup {
    posix_spawnattr_t attr{};
    posix_spawn_file_actions_t actions{};
    SpawnSetup() {
        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_init(&actions);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
};

}  // namespace

pid_t launch_trial(const Launch& launch) {
    constexpr int kOutputFlags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;
    const Fd in("/dev/null", O_RDONLY | O_CLOEXEC);
    const Fd out(launch.paths.stdout_file(), kOutputFlags);
    const Fd err(launch.paths.stderr_file(), kOutputFlags);

    SpawnSetup setup;
    posix_spawn_file_actions_adddup2(&setup.actions, in.get(), STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&setup.actions, out.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&setup.actions, err.get(), STDERR_FILENO);
    // The host's other descriptors (sockets, the DB) are none of the trial's business.
    posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1);
    posix_spawn_file_actions_addchdir_np(&setup.actions, launch.working_dir.c_str());

    // A new session makes the wrapper a process-group leader (cancel signals the
    // whole tree) and detaches it from the host's terminal, so it outlives the host.
    // Signal mask and dispositions are reset: the host may block or ignore signals
    // the trial must see.
    sigset_t no_signals;
    sigemptyset(&no_signals);
    sigset_t reset_to_default;
    sigfillset(&reset_to_default);
    posix_spawnattr_setsigmask(&setup.attr, &no_signals);
    posix_spawnattr_setsigdefault(&setup.attr, &reset_to_default);
    posix_spawnattr_setflags(
        &setup.attr,
        static_cast<short>(POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));

    std::vector<std::string> args{"sh",           "-c",           kWrapperScript,
                                  "tshost-trial", launch.command, launch.paths.nni_dir().string()};
    std::vector<std::string> env = build_environment(launch.nni_env);
    std::vector<char*> argv = c_array(args);
    std::vector<char*> envp = c_array(env);

    pid_t pid = 0;
    const int rc =
        ::posix_spawn(&pid, "/bin/sh", &setup.actions, &setup.attr, argv.data(), envp.data());
    if (rc != 0) {
        throw tshost::Error(
            TSH_ERR_GENERIC,
            "cannot start the trial in " + launch.working_dir.string() + ": " + std::strerror(rc));
    }
    return pid;
}

}  // namespace local_platform
