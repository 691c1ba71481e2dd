// Signals and liveness checks for trial processes. A trial runs in its own
// session (setsid), so the wrapper's pid is also the process-group id and one
// signal to the group reaches every process the trial started.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <vector>

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

/// A process group, with the session it belongs to: a group id seen again later with
/// the same session is the same group, not a recycled id.
struct GroupId {
    pid_t group = 0;
    pid_t session = 0;
    friend bool operator<(const GroupId& a, const GroupId& b) {
        return a.group != b.group ? a.group < b.group : a.session < b.session;
    }
};

/// For a trial run through the trial agent, which starts the user's command in a
/// process group (maybe a session) of its own: the group `leader` leads, and the
/// group of every live process in that group, in the session `leader` started, or
/// descending from any of those. Taken before a cancel's SIGTERM, because the agent
/// may exit as soon as its direct child died and leave a stubborn grandchild behind,
/// reparented to init and out of reach of any later look at the tree. Returns the
/// union with `known` (an earlier snapshot).
std::vector<GroupId> trial_tree_groups(pid_t leader, const std::vector<GroupId>& known = {});

/// Sends `sig` to each group that still has a member in its session. Never signals
/// the calling process's own group.
void signal_groups(const std::vector<GroupId>& groups, int sig);

/// Some non-zombie process is in one of `groups` (in its session).
bool any_group_alive(const std::vector<GroupId>& groups);

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
