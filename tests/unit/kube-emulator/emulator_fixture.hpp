// Starts the real kube-emulator binary on a free port and talks to it over HTTP (libcurl), or
// over HTTPS with the emulator's generated client certificate when started with "--tls".
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kemu::test {

using json = nlohmann::json;

/// Client-side TLS files for request(); empty members are not set (curl's defaults apply).
struct TlsFiles {
    std::string ca, cert, key;
};

struct HttpResult {
    long code = 0;
    std::string body;
    std::string headers;
    std::string error;  // libcurl's error, empty on success
    json json_body() const { return json::parse(body, nullptr, false); }
};

class Emulator {
  public:
    /// Starts the binary and waits (inotify, bounded) until its kubeconfig appears. With "--tls"
    /// among the arguments, the PKI is also written to pki_dir() and requests use it.
    explicit Emulator(std::vector<std::string> extra_args = {});
    ~Emulator();
    Emulator(const Emulator&) = delete;
    Emulator& operator=(const Emulator&) = delete;

    const std::string& base_url() const { return base_url_; }
    const std::string& kubeconfig() const { return kubeconfig_; }
    const std::string& dir() const { return dir_; }
    pid_t pid() const { return pid_; }
    bool tls() const { return !pki_dir_.empty(); }
    /// ca.crt, client.crt, client.key (TLS only).
    const std::string& pki_dir() const { return pki_dir_; }
    TlsFiles client_tls() const;
    /// The emulator's own stdout/stderr, for failure messages.
    std::string log() const;

    HttpResult request(const std::string& method, const std::string& path,
                       const std::string& body = {},
                       const std::string& content_type = "application/json") const;
    /// The same with explicit TLS client settings (e.g. none, or another CA's certificate).
    HttpResult request_with(const TlsFiles& tls, const std::string& method, const std::string& path,
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
    std::string dir_, kubeconfig_, base_url_, pki_dir_;
    pid_t pid_ = -1;
};

/// One request to any URL (another host name, plain HTTP to a TLS port, ...).
HttpResult request_url(const TlsFiles& tls, const std::string& method, const std::string& url,
                       const std::string& body = {},
                       const std::string& content_type = "application/json");

/// The path of the frameworks in namespace default.
inline const std::string kFrameworks =
    "/apis/frameworkcontroller.microsoft.com/v1/namespaces/default/frameworks";

/// The arguments that keep the emulator's nfs volumes under `root`/nfs (it maps the volume
/// server:path to <nfs-root>/<server>/<path>)...
std::vector<std::string> nfs_root_args(const std::filesystem::path& root);
/// ...and the directory that is then the export 127.0.0.1:/export, created: what a storage
/// section `server: 127.0.0.1, path: /export, localMountPath: <it>` means in tests.
std::filesystem::path nfs_export_dir(const std::filesystem::path& root);

}  // namespace kemu::test
