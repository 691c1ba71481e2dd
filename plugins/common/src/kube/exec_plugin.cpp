#include "kube/exec_plugin.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/base64.hpp"
#include "tshost/kube/error.hpp"

extern char** environ;

namespace tshost::kube {
namespace {

constexpr std::size_t kMaxOutput = 1u << 20;

[[noreturn]] void fail(const ExecConfig& exec, const std::string& what) {
    std::string message = "exec credential plugin " + exec.command + ": " + what;
    if (!exec.install_hint.empty()) {
        message += " (" + exec.install_hint + ")";
    }
    throw KubeError(0, "ExecPluginFailed", message);
}

std::string execInfo(const ExecConfig& exec, const ResolvedConfig& cluster) {
    nlohmann::json spec = {{"interactive", false}};
    if (exec.provide_cluster_info) {
        nlohmann::json c = {{"server", cluster.server}};
        if (!cluster.ca_pem.empty()) {
            c["certificate-authority-data"] = base64Encode(cluster.ca_pem);
        }
        if (cluster.insecure_skip_tls_verify) {
            c["insecure-skip-tls-verify"] = true;
        }
        spec["cluster"] = c;
    }
    return nlohmann::json{
        {"apiVersion", exec.api_version}, {"kind", "ExecCredential"}, {"spec", spec}}
        .dump();
}

struct Fd {
    int fd = -1;
    ~Fd() { reset(); }
    void reset() {
        if (fd >= 0) {
            ::close(fd);
            fd = -1;
        }
    }
};

// Drains stdout and stderr until both close or the deadline passes. stderr is read only so a
// chatty plugin cannot block on a full pipe; it is discarded (it may contain secrets too).
bool drain(int out_fd, int err_fd, std::string& out,
           std::chrono::steady_clock::time_point deadline) {
    std::array<pollfd, 2> fds{pollfd{out_fd, POLLIN, 0}, pollfd{err_fd, POLLIN, 0}};
    std::array<char, 4096> buf{};
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return false;
        }
        int n = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
        if (n < 0 && errno != EINTR) {
            return false;
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) {
                continue;
            }
            ssize_t r = ::read(fds[i].fd, buf.data(), buf.size());
            if (r <= 0) {
                if (r < 0 && errno == EINTR) {
                    continue;
                }
                fds[i].fd = -1;
            } else if (i == 0) {
                if (out.size() + static_cast<std::size_t>(r) > kMaxOutput) {
                    return false;
                }
                out.append(buf.data(), static_cast<std::size_t>(r));
            }
        }
    }
    return true;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text) {
    std::string s(text);
    std::tm tm{};
    const char* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (rest == nullptr) {
        return std::nullopt;
    }
    if (*rest == '.') {
        ++rest;
        while (*rest >= '0' && *rest <= '9') {
            ++rest;
        }
    }
    long offset = 0;
    if (*rest == 'Z' || *rest == 'z') {
        ++rest;
    } else if ((*rest == '+' || *rest == '-') && std::strlen(rest) == 6 && rest[3] == ':') {
        int sign = *rest == '-' ? -1 : 1;
        int hh = (rest[1] - '0') * 10 + (rest[2] - '0');
        int mm = (rest[4] - '0') * 10 + (rest[5] - '0');
        offset = sign * (hh * 3600L + mm * 60L);
        rest += 6;
    } else {
        return std::nullopt;
    }
    if (*rest != '\0') {
        return std::nullopt;
    }
    return std::chrono::system_clock::from_time_t(timegm(&tm) - offset);
}

ExecCredential runExecPlugin(const ExecConfig& exec, const ResolvedConfig& cluster,
                             std::chrono::milliseconds timeout) {
    std::vector<std::pair<std::string, std::string>> overrides = exec.env;
    overrides.emplace_back("KUBERNETES_EXEC_INFO", execInfo(exec, cluster));
    // getenv() returns the first match, so inherited variables that the kubeconfig overrides
    // must not be passed along.
    auto overridden = [&](std::string_view entry) {
        std::string_view name = entry.substr(0, entry.find('='));
        for (const auto& o : overrides) {
            if (o.first == name) {
                return true;
            }
        }
        return false;
    };
    std::vector<std::string> env_storage;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        if (!overridden(*e)) {
            env_storage.emplace_back(*e);
        }
    }
    for (const auto& [name, value] : overrides) {
        env_storage.push_back(name + "=" + value);
    }
    std::vector<char*> envp;
    for (auto& e : env_storage) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);
    std::vector<std::string> argv_storage{exec.command};
    argv_storage.insert(argv_storage.end(), exec.args.begin(), exec.args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);

    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
        fail(exec, std::string("pipe: ") + std::strerror(errno));
    }
    Fd out_r{out_pipe[0]}, out_w{out_pipe[1]};
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        fail(exec, std::string("pipe: ") + std::strerror(errno));
    }
    Fd err_r{err_pipe[0]}, err_w{err_pipe[1]};

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_w.fd, 1);
    posix_spawn_file_actions_adddup2(&actions, err_w.fd, 2);
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, exec.command.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        fail(exec, std::string("cannot start: ") + std::strerror(rc));
    }
    out_w.reset();
    err_w.reset();

    std::string output;
    bool complete = drain(out_r.fd, err_r.fd, output, std::chrono::steady_clock::now() + timeout);
    if (!complete) {
        ::kill(pid, SIGKILL);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!complete) {
        fail(exec, "did not finish within " + std::to_string(timeout.count()) +
                       " ms (or wrote too much)");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fail(exec, WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                     : "killed by a signal");
    }

    nlohmann::json cred = nlohmann::json::parse(output, nullptr, false);
    if (!cred.is_object() || cred.value("kind", "") != "ExecCredential") {
        fail(exec, "output is not an ExecCredential");
    }
    if (cred.value("apiVersion", "") != exec.api_version) {
        fail(exec, "returned apiVersion '" + cred.value("apiVersion", "") + "', expected " +
                       exec.api_version);
    }
    const auto status_it = cred.find("status");
    if (status_it == cred.end() || !status_it->is_object()) {
        fail(exec, "ExecCredential has no status");
    }
    ExecCredential out;
    out.token = status_it->value("token", "");
    out.client_cert_pem = status_it->value("clientCertificateData", "");
    out.client_key_pem = status_it->value("clientKeyData", "");
    if (out.token.empty() && (out.client_cert_pem.empty() || out.client_key_pem.empty())) {
        fail(exec, "ExecCredential has neither status.token nor a client certificate and key");
    }
    if (std::string ts = status_it->value("expirationTimestamp", ""); !ts.empty()) {
        out.expiry = parseRfc3339(ts);
        if (!out.expiry) {
            fail(exec, "expirationTimestamp '" + ts + "' is not RFC 3339");
        }
    }
    return out;
}

}  // namespace tshost::kube
