// Running rendered run scripts for real: a scratch share with a trial kit (the real
// materialize_code.sh and a stand-in python3 that records how the agent was called,
// then runs the command after "--"), and a child process with an exact environment.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tshost/trial/run_script.hpp"

namespace trial_test {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path);
void write_file(const fs::path& path, const std::string& content);

struct RunResult {
    int exit_code = -1;  // 128 + n when killed by signal n
    std::string stdout_text;
    std::string stderr_text;
};

/// Runs `program` (default: argv[0], a path) with exactly `env` (no inheritance), in
/// `cwd`, stdin from /dev/null, stdout and stderr captured. Waits for it.
RunResult run_process(const std::vector<std::string>& argv,
                      const std::vector<std::pair<std::string, std::string>>& env,
                      const fs::path& cwd, const std::string& program = "");

/// NUL-separated NAME=value pairs (/proc/<pid>/environ) as a map.
std::map<std::string, std::string> parse_environ(const std::string& text);

class ScriptTest : public testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;

    /// A spec whose share is mount_ and whose paths exist in it (see SetUp).
    tshost::trial::RunScriptSpec base_spec() const;
    /// Writes the script to the trial directory and runs it with /bin/sh (dash on
    /// Debian), PATH = the stub bin directory then /usr/bin:/bin.
    RunResult run(const tshost::trial::RunScriptSpec& spec,
                  std::vector<std::pair<std::string, std::string>> extra_env = {});
    /// The arguments the stand-in python3 received, in order.
    std::vector<std::string> agent_argv() const;
    std::map<std::string, std::string> agent_env() const;
    /// Every file or directory under root_ whose name starts with "PWNED".
    std::vector<std::string> pwned_files() const;

    fs::path root_;
    fs::path mount_;  // the share root, its name full of shell syntax
    fs::path bin_;    // PATH entry with the stand-in python3
    fs::path out_;    // where the stand-in records argv, env and cwd
    fs::path tmp_;    // TMPDIR of the script (default NNI_CODE_DIR lives here)
    std::string trial_dir_rel_;
};

}  // namespace trial_test
