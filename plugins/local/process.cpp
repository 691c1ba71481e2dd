#include "process.hpp"

#include <sys/wait.h>

#include <cerrno>
#include <csignal>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace local_platform {

void signal_group(pid_t pgid, int sig) noexcept {
    if (pgid > 1) {  // never -1 or -0: those mean "every process" and "my own group"
        ::kill(-pgid, sig);
    }
}

bool group_alive(pid_t pgid) {
    if (pgid <= 1 || (::kill(-pgid, 0) != 0 && errno == ESRCH)) {
        return false;  // the common case after a kill: nothing left at all
    }
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        // /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces
        // and parentheses, so the fields start after the last ')'.
        std::ifstream in(it->path() / "stat");
        std::string stat;
        std::getline(in, stat);
        const size_t close = stat.rfind(')');
        if (close == std::string::npos) {
            continue;
        }
        std::istringstream fields(stat.substr(close + 1));
        char state = 0;
        long parent = 0;
        long group = 0;
        fields >> state >> parent >> group;
        if (fields && group == pgid && state != 'Z' && state != 'X') {
            return true;
        }
    }
    return false;
}

bool is_trial_wrapper(pid_t pid, const std::filesystem::path& nni_dir) {
    if (pid <= 1) {
        return false;
    }
    // A zombie's cmdline is empty, so this also rejects ended-but-unreaped wrappers.
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    const std::string cmdline((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    const std::string last_arg = std::string(1, '\0') + nni_dir.string() + std::string(1, '\0');
    return cmdline.ends_with(last_arg);
}

std::optional<ExitStatus> try_reap(pid_t pid) noexcept {
    int status = 0;
    pid_t result = 0;
    do {
        result = ::waitpid(pid, &status, WNOHANG);
    } while (result < 0 && errno == EINTR);
    if (result == 0) {
        return std::nullopt;
    }
    if (result < 0) {
        return ExitStatus{};
    }
    if (WIFSIGNALED(status)) {
        return ExitStatus{128 + WTERMSIG(status), WTERMSIG(status)};
    }
    return ExitStatus{WEXITSTATUS(status), 0};
}

}  // namespace local_platform
