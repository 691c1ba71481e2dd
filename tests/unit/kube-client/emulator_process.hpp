// The kube-emulator binary as a child process, for the client's emulator tests and the kube
// benchmark: started on a free port, its kubeconfig loaded as a user would, its emulator-only
// endpoints (/emulator/v1/faults, /emulator/v1/stats) reached over the client's own transport.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/http_transport.hpp"
#include "tshost/kube/cancel.hpp"
#include "tshost/kube/client.hpp"
#include "tshost/kube/config.hpp"
#include "tshost/kube/error.hpp"

namespace kubetest {

class EmulatorProcess {
  public:
    // Files go to `dir`/<name>kubeconfig, <name>pki, <name>work and <name>emulator.log.
    // `tls`: HTTPS with client-certificate auth; the PKI files go to pki() too.
    EmulatorProcess(const std::string& binary, const std::string& dir, bool tls = false,
                    const std::string& name = "", std::vector<std::string> extra_args = {})
        : kubeconfig_(dir + "/" + name + "kubeconfig"),
          pki_dir_(dir + "/" + name + "pki"),
          work_dir_(dir + "/" + name + "work") {
        std::vector<std::string> args{binary,      "--listen",  "127.0.0.1:0", "--write-kubeconfig",
                                      kubeconfig_, "--workdir", work_dir_};
        if (tls) {
            args.insert(args.end(), {"--tls", "--write-pki", pki_dir_});
        }
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        std::vector<char*> argv;
        for (auto& a : args) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        const std::string log = dir + "/" + name + "emulator.log";
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) {
            pid_ = -1;
        }
    }
    ~EmulatorProcess() { terminate(); }
    EmulatorProcess(const EmulatorProcess&) = delete;
    EmulatorProcess& operator=(const EmulatorProcess&) = delete;

    // SIGTERM (the emulator then stops every pod process) and reap.
    void terminate() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
            pid_ = -1;
        }
    }

    // The kubeconfig appears once the emulator listens; load it as a user would (bounded wait).
    std::optional<tshost::kube::ResolvedConfig> config(std::chrono::milliseconds timeout) const {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
            try {
                tshost::kube::LoadOptions o;
                o.kubeconfig = kubeconfig_;
                o.namespace_name = "default";
                return tshost::kube::loadConfig(o);
            } catch (const tshost::kube::KubeError&) {
                tshost::kube::Cancellation().sleepFor(std::chrono::milliseconds(20));
            }
        }
        return std::nullopt;
    }
    const std::string& kubeconfigPath() const { return kubeconfig_; }
    const std::string& workDir() const { return work_dir_; }
    pid_t pid() const { return pid_; }
    std::string pki(const std::string& file) const { return pki_dir_ + "/" + file; }

  private:
    std::string kubeconfig_;
    std::string pki_dir_;
    std::string work_dir_;
    pid_t pid_ = -1;
};

// The emulator-only endpoints over one pooled connection of its own (so reading the stats adds
// at most one connection, once), with the emulator's credentials. Not counted in the emulator's
// request counters (those count resource requests only).
class EmulatorControl {
  public:
    explicit EmulatorControl(const tshost::kube::ResolvedConfig& cfg)
        : cfg_(cfg),
          transport_(tshost::kube::TlsSettings{cfg.ca_pem, false}, std::chrono::seconds(10), 1,
                     "emulator-control") {}

    nlohmann::json stats() { return call("GET", "/emulator/v1/stats", ""); }
    // POST /emulator/v1/faults; DELETE clears every rule.
    nlohmann::json addFaults(const nlohmann::json& body) {
        return call("POST", "/emulator/v1/faults", body.dump());
    }
    nlohmann::json clearFaults() { return call("DELETE", "/emulator/v1/faults", ""); }

    // requests.resources.<plural>.<verb> (0 when never seen).
    static long long requests(const nlohmann::json& stats, const std::string& plural,
                              const std::string& verb) {
        const auto& r = stats.value("requests", nlohmann::json::object());
        if (!r.contains("resources") || !r["resources"].contains(plural) ||
            !r["resources"][plural].contains(verb)) {
            return 0;
        }
        return r["resources"][plural][verb].get<long long>();
    }
    static long long totalRequests(const nlohmann::json& stats) {
        return stats.value("requests", nlohmann::json::object()).value("total", 0LL);
    }

  private:
    nlohmann::json call(const std::string& method, const std::string& path,
                        const std::string& body) {
        tshost::kube::HttpRequest req;
        req.method = method;
        req.url = cfg_.server + path;
        req.body = body;
        if (!body.empty()) {
            req.headers.push_back("Content-Type: application/json");
        }
        req.client_cert_pem = cfg_.client_cert_pem;
        req.client_key_pem = cfg_.client_key_pem;
        req.timeout = std::chrono::seconds(10);
        auto r = transport_.perform(req);
        if (r.outcome != tshost::kube::HttpResult::Outcome::kOk || r.status != 200) {
            throw std::runtime_error("emulator " + method + " " + path + ": " +
                                     std::to_string(r.status) + " " + r.error + " " + r.body);
        }
        return nlohmann::json::parse(r.body);
    }

    tshost::kube::ResolvedConfig cfg_;
    tshost::kube::HttpTransport transport_;
};

}  // namespace kubetest
