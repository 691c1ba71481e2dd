#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tshost::kube {

// An exec credential plugin (users[].user.exec in a kubeconfig).
struct ExecConfig {
    std::string api_version;  // client.authentication.k8s.io/v1 or /v1beta1
    std::string command;      // resolved against the kubeconfig's directory if it has a '/'
    std::vector<std::string> args;
    std::vector<std::pair<std::string, std::string>> env;
    std::string install_hint;
    bool provide_cluster_info = false;
};

// Everything needed to talk to one API server as one user, with files already read: PEM data is
// held in memory, so the transport never touches the filesystem (except token_file, which is
// re-read when it changes because projected service-account tokens rotate).
struct ResolvedConfig {
    std::string source;        // "kubeconfig <paths>" or "in-cluster", for messages
    std::string context_name;  // "" for in-cluster
    std::string namespace_name;
    std::string server;  // https://host:port, no trailing '/'
    std::string ca_pem;  // empty: system trust store
    bool insecure_skip_tls_verify = false;
    std::string tls_server_name;
    std::string client_cert_pem;
    std::string client_key_pem;
    std::string token;
    std::string token_file;
    std::string username;
    std::string password;
    std::optional<ExecConfig> exec;
};

struct LoadOptions {
    // ':'-separated kubeconfig files; when set, $KUBECONFIG and ~/.kube/config are ignored.
    std::optional<std::string> kubeconfig;
    std::string context;         // overrides current-context
    std::string namespace_name;  // an explicit namespace wins over the context's
    // Root of the service-account files for in-cluster config; overridable for tests.
    std::string in_cluster_root = "/var/run/secrets/kubernetes.io/serviceaccount";
    // Environment lookup; overridable for tests. Default: ::getenv.
    std::function<std::optional<std::string>(const std::string&)> getenv;
};

// Finds credentials the way kubectl does: explicit kubeconfig, else $KUBECONFIG (merged), else
// ~/.kube/config, else in-cluster config when KUBERNETES_SERVICE_HOST is set. Throws KubeError
// (reason "InvalidConfig") naming the file and field at fault.
ResolvedConfig loadConfig(const LoadOptions& options = {});

// The pieces, for callers that know which one they want.
ResolvedConfig loadKubeconfig(const std::vector<std::string>& files, const LoadOptions& options);
ResolvedConfig loadInClusterConfig(const LoadOptions& options);

}  // namespace tshost::kube
