// Starts the real kube-emulator binary on a free port and talks to it over HTTP (libcurl).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kemu::test {

using json = nlohmann::json;

struct HttpResult {
    long code = 0;
    std::string body;
    std::string headers;
    std::string error;  // libcurl's error, empty on success
    json json_body() const { return json::parse(body, nullptr, false); }
};

class Emulator {
  public:
    /// Starts the binary and waits (inotify, bounded) until its kubeconfig appears.
    explicit Emulator(std::vector<std::string> extra_args = {});
    ~Emulator();
    Emulator(const Emulator&) = delete;
    Emulator& operator=(const Emulator&) = delete;

    const std::string& base_url() const { return base_url_; }
    const std::string& kubeconfig() const { return kubeconfig_; }
    const std::string& dir() const { return dir_; }
    pid_t pid() const { return pid_; }
    /// The emulator's own stdout/stderr, for failure messages.
    std::string log() const;

    HttpResult request(const std::string& method, const std::string& path,
                       const std::string& body = {},
                       const std::string& content_type = "application/json") const;
    /// Reads a watch stream until `done(events)` says so or `timeout` passes.
    std::vector<json> watch(const std::string& path,
                            const std::function<bool(const std::vector<json>&)>& done,
                            std::chrono::milliseconds timeout) const;
    /// GETs `path` until `pred(object)` holds (bounded); returns the last object.
    json wait_for(const std::string& path, const std::function<bool(const json&)>& pred,
                  std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
    /// Runs kubectl with this emulator's kubeconfig; returns exit status, output in `out`.
    int kubectl(const std::string& args, std::string& out) const;

    /// Sends SIGTERM and waits (bounded) for the process to exit; returns its exit status.
    int terminate();

  private:
    std::string dir_, kubeconfig_, base_url_;
    pid_t pid_ = -1;
};

}  // namespace kemu::test
