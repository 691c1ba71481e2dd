// run_process: posix_spawnp (safe in a multi-threaded host, unlike fork) with both
// output pipes drained through poll() so a chatty child cannot block on a full pipe.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <tshost/plugin.hpp>
#include <vector>

#include "key_source.hpp"

extern char** environ;

namespace tshost::azure {
namespace {

struct Pipe {
    int fd[2] = {-1, -1};
    Pipe() {
        if (pipe2(fd, O_CLOEXEC) != 0) {
            throw Error(TSH_ERR_GENERIC, std::string("pipe: ") + std::strerror(errno));
        }
    }
    ~Pipe() {
        for (const int f : fd) {
            if (f >= 0) {
                close(f);
            }
        }
    }
    void close_end(int i) {
        close(fd[i]);
        fd[i] = -1;
    }
};

// The caller's environment plus AZURE_CORE_COLLECT_TELEMETRY=false, so az does not
// try to phone home from a CI box.
std::vector<std::string> child_environment() {
    std::vector<std::string> env;
    bool has_telemetry = false;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        env.emplace_back(*e);
        has_telemetry = has_telemetry || env.back().starts_with("AZURE_CORE_COLLECT_TELEMETRY=");
    }
    if (!has_telemetry) {
        env.emplace_back("AZURE_CORE_COLLECT_TELEMETRY=false");
    }
    return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) {
        out.push_back(s.data());
    }
    out.push_back(nullptr);
    return out;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    Pipe out_pipe;
    Pipe err_pipe;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe.fd[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe.fd[1], 2);
    std::vector<std::string> args = argv;
    std::vector<std::string> env = child_environment();
    auto arg_ptrs = pointers(args);
    auto env_ptrs = pointers(env);
    pid_t pid = -1;
    const int rc =
        posix_spawnp(&pid, args[0].c_str(), &actions, nullptr, arg_ptrs.data(), env_ptrs.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        throw Error(TSH_ERR_GENERIC, "cannot run '" + argv[0] + "': " + std::strerror(rc) +
                                         (rc == ENOENT ? " (is it installed and on PATH?)" : ""));
    }
    out_pipe.close_end(1);
    err_pipe.close_end(1);

    ProcessResult result;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::array<pollfd, 2> fds{{{out_pipe.fd[0], POLLIN, 0}, {err_pipe.fd[0], POLLIN, 0}}};
    std::array<std::string*, 2> sinks{&result.out, &result.err};
    bool timed_out = false;
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        if (poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0 && errno != EINTR) {
            break;
        }
        for (size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) {
                continue;
            }
            char buf[4096];
            const ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, static_cast<size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                fds[i].fd = -1;  // EOF: the Pipe destructor closes it
            }
        }
    }
    if (timed_out) {
        kill(pid, SIGKILL);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
        throw Error(TSH_ERR_TRANSIENT, "'" + argv[0] + "' did not finish within " +
                                           std::to_string(timeout.count()) + " ms");
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

}  // namespace tshost::azure
