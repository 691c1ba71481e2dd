#include "process.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace kemu {
namespace {

constexpr int kPodNiceness = 10;

/// mkdir -p using only syscalls (runs in the forked child).
void make_dirs(const char* path) {
    char buf[4096];
    const std::size_t n = std::strlen(path);
    if (n == 0 || n >= sizeof buf) {
        return;
    }
    std::memcpy(buf, path, n + 1);
    for (std::size_t i = 1; i <= n; ++i) {
        if (buf[i] == '/' || buf[i] == '\0') {
            const char saved = buf[i];
            buf[i] = '\0';
            mkdir(buf, 0755);
            buf[i] = saved;
        }
    }
}

[[noreturn]] void child_fail(int err_fd, const char* what) {
    const int e = errno;
    char msg[512];
    const int len = std::snprintf(msg, sizeof msg, "%s: %s", what, std::strerror(e));
    if (len > 0) {
        [[maybe_unused]] const ssize_t w = write(err_fd, msg, static_cast<std::size_t>(len));
    }
    _exit(127);
}

/// Everything between fork and exec: only async-signal-safe calls on prepared data.
[[noreturn]] void run_child(const SpawnSpec& spec, char* const* argv, char* const* envp, int log_fd,
                            int err_fd) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // Pods yield the CPU to the control plane (this emulator, and the host it serves), as on a
    // cluster whose API server and operators do not share nodes with the trials: on a small
    // machine, a hundred busy pods would otherwise delay every status the emulator reports.
    setpriority(PRIO_PROCESS, 0, kPodNiceness);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    for (int sig : {SIGPIPE, SIGCHLD, SIGTERM, SIGINT, SIGHUP}) {
        signal(sig, SIG_DFL);
    }
    if (spec.cwd_on_host && chdir(spec.cwd.c_str()) != 0) {
        child_fail(err_fd, spec.cwd.c_str());
    }
    if (!spec.binds.empty()) {
        if (unshare(CLONE_NEWNS) != 0) {
            child_fail(err_fd, "unshare(CLONE_NEWNS)");
        }
        if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
            child_fail(err_fd, "making / private");
        }
        // Every source opened first: once the pod's /tmp covers the host's, a source under
        // the host's /tmp is reachable only through its descriptor.
        constexpr std::size_t kMaxBinds = 64;
        int sources[kMaxBinds];
        if (spec.binds.size() > kMaxBinds) {
            errno = E2BIG;
            child_fail(err_fd, "too many volume mounts");
        }
        for (std::size_t i = 0; i < spec.binds.size(); ++i) {
            sources[i] = open(spec.binds[i].source.c_str(), O_PATH | O_CLOEXEC);
            if (sources[i] < 0) {
                child_fail(err_fd, spec.binds[i].source.c_str());
            }
        }
        for (std::size_t i = 0; i < spec.binds.size(); ++i) {
            const BindMount& b = spec.binds[i];
            char source[64];
            std::snprintf(source, sizeof source, "/proc/self/fd/%d", sources[i]);
            make_dirs(b.target.c_str());
            if (mount(source, b.target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
                child_fail(err_fd, b.target.c_str());
            }
        }
    }
    if (!spec.cwd_on_host && chdir(spec.cwd.c_str()) != 0) {
        child_fail(err_fd, spec.cwd.c_str());
    }
    const int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    if (err_fd != 3) {
        dup2(err_fd, 3);
        fcntl(3, F_SETFD, FD_CLOEXEC);
        err_fd = 3;
    }
    // Asio's sockets are not close-on-exec: a container must not hold the API server's
    // connections or listening socket open.
    close_range(4, ~0U, 0);
    execvpe(argv[0], argv, envp);
    child_fail(err_fd, argv[0]);
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    out.reserve(v.size() + 1);
    for (const auto& s : v) {
        out.push_back(const_cast<char*>(s.c_str()));
    }
    out.push_back(nullptr);
    return out;
}

}  // namespace

SpawnResult spawn_process(const SpawnSpec& spec) {
    SpawnResult result;
    if (spec.argv.empty()) {
        result.error = "no command";
        return result;
    }
    const int log_fd = open(spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) {
        result.error = "cannot open " + spec.log_path + ": " + std::strerror(errno);
        return result;
    }
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
        close(log_fd);
        result.error = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    auto argv = c_strings(spec.argv);
    auto envp = c_strings(spec.env);
    const pid_t pid = fork();
    if (pid == 0) {
        close(pipe_fds[0]);
        run_child(spec, argv.data(), envp.data(), log_fd, pipe_fds[1]);
    }
    close(log_fd);
    close(pipe_fds[1]);
    if (pid < 0) {
        close(pipe_fds[0]);
        result.error = std::string("fork: ") + std::strerror(errno);
        return result;
    }
    setpgid(pid, pid);  // also in the child: whichever runs first wins the race
    // The pipe closes on a successful exec; otherwise the child reports why it failed.
    char buf[512];
    ssize_t n = 0;
    do {
        n = read(pipe_fds[0], buf, sizeof buf);
    } while (n < 0 && errno == EINTR);
    close(pipe_fds[0]);
    if (n > 0) {
        int status = 0;
        waitpid(pid, &status, 0);
        result.error.assign(buf, static_cast<std::size_t>(n));
        return result;
    }
    result.pid = pid;
    return result;
}

bool mount_namespace_available() {
    static const bool available = [] {
        std::error_code ec;
        const auto dir = std::filesystem::temp_directory_path(ec) /
                         ("kube-emulator-probe-" + std::to_string(getpid()));
        std::filesystem::create_directories(dir, ec);
        SpawnSpec probe;
        probe.argv = {"true"};
        probe.env = {"PATH=/usr/bin:/bin"};
        probe.cwd = "/";
        probe.log_path = "/dev/null";
        probe.binds = {{dir.string(), dir.string()}};
        const SpawnResult r = spawn_process(probe);
        bool ok = r.pid > 0;
        if (ok) {
            int status = 0;
            waitpid(r.pid, &status, 0);
            ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        }
        std::filesystem::remove(dir, ec);
        return ok;
    }();
    return available;
}

void signal_group(pid_t pgid, int sig) {
    if (pgid > 0) {
        kill(-pgid, sig);
    }
}

}  // namespace kemu
