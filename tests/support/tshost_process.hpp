// Runs the tshost binary as a user would, for end-to-end tests.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

struct TshostRun {
    int exit_code = -1;  // -signal when a signal ended it
    std::string output;  // stdout and stderr
};

/// Runs `tshost --plugin-dir <built plugins> <args>` to completion; killed after
/// `timeout_s` so a hung host fails the test instead of hanging it.
TshostRun run_tshost(const std::vector<std::string>& args, int timeout_s = 120);

/// Starts it in the background with output to `log_file`.
pid_t start_tshost(const std::vector<std::string>& args, const std::string& log_file);

/// Waits for a started process (killing it after `timeout_s`); its exit code.
int wait_process(pid_t pid, int timeout_s = 120);

/// The port of the web portal a started tshost prints ("Web portal: http://127.0.0.1:PORT/")
/// in `log_file`, once it appears; 0 when it does not within `timeout_s`.
uint16_t wait_for_portal_port(const std::string& log_file, int timeout_s = 60);
