// Signals and liveness checks for trial processes. A trial runs in its own
// session (setsid), so the wrapper's pid is also the process-group id and one
// signal to the group reaches every process the trial started.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>

namespace local_platform {

/// How a process ended.
struct ExitStatus {
    std::optional<int> code;  // 128 + n after signal n (the shell's convention); empty = unknown
    int signal = 0;           // the signal that killed the process itself; 0 when it exited
};

/// Sends `sig` to process group `pgid`. A group that no longer exists is fine.
void signal_group(pid_t pgid, int sig) noexcept;

/// Some process of group `pgid` is alive. Zombies do not count: a container's
/// init may never reap the orphans a killed trial leaves.
bool group_alive(pid_t pgid);

/// `pid` is a live (non-zombie) trial wrapper for the attempt whose .nni directory
/// is `nni_dir`: its command line ends with that directory. Checking the identity,
/// not just kill(pid, 0), keeps a recycled pid from passing for a trial after a
/// host restart.
bool is_trial_wrapper(pid_t pid, const std::filesystem::path& nni_dir);

/// Reaps `pid` if it ended: nullopt while it runs. Only for a child this process
/// spawned: waiting on any other pid could steal another component's child. A
/// child reaped elsewhere (SIGCHLD ignored) ends with an unknown code.
std::optional<ExitStatus> try_reap(pid_t pid) noexcept;

}  // namespace local_platform
