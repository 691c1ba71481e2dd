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
    std::string log_path;
    std::vector<BindMount> binds;  // empty: no mount namespace
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
