// Starting a trial process: the environment NNI's local training service gives a
// trial, and a wrapper shell that records the exit code on disk.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "trial_dir.hpp"

namespace local_platform {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

struct Launch {
    std::string command;                // the user's trialCommand (or the agent's run script)
    std::filesystem::path working_dir;  // trialCodeDirectory (the attempt's dir for the agent)
    TrialPaths paths;
    EnvVars nni_env;  // NNI_* and friends; set on top of the host's own environment
};

/// Starts the trial in a new session with stdin from /dev/null and stdout/stderr
/// appended to the attempt's files, and returns the wrapper's pid (= its process
/// group). The wrapper runs `/bin/sh -c "$command"` and then writes the command's
/// exit status to .nni/exitcode. The command and the paths reach the wrapper as
/// separate argv elements, never spliced into shell text, so no quoting can break.
/// Throws tshost::Error when the process cannot be started.
pid_t launch_trial(const Launch& launch);

}  // namespace local_platform
