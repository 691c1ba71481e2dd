// Starting container processes: each in its own process group (so a kill reaches everything it
// started), stdout+stderr appended to a log file, optionally in a private mount namespace with
// the pod's volumes bind-mounted at their mountPaths.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace kemu {

struct BindMount {
    std::string source;
    std::string target;
};

struct SpawnSpec {
    std::vector<std::string> argv;
    std::vector<std::string> env;  // KEY=VALUE
    std::string cwd;
    /// `cwd` is a directory of this host (the pod directory), entered before the binds cover
    /// it, rather than a path in the container's view (a workingDir inside a volume).
    bool cwd_on_host = false;
    std::string log_path;
    /// Applied in order, shortest target first: a bind at /tmp (the pod's own /tmp) comes
    /// before /tmp/mount. Sources are resolved before any bind, so a source under /tmp stays
    /// reachable. Empty: no mount namespace.
    std::vector<BindMount> binds;
};

struct SpawnResult {
    pid_t pid = -1;
    std::string error;  // why exec failed (then pid is -1 and the child is already reaped)
};

SpawnResult spawn_process(const SpawnSpec& spec);

/// Whether this process may create private mount namespaces with bind mounts (root or
/// CAP_SYS_ADMIN); probed once by forking a child that tries.
bool mount_namespace_available();

/// Sends `sig` to a whole process group, ignoring groups that are gone.
void signal_group(pid_t pgid, int sig);

}  // namespace kemu
