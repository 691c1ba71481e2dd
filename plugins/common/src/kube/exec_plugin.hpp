#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "tshost/kube/config.hpp"

namespace tshost::kube {

struct ExecCredential {
    std::string token;
    std::string client_cert_pem;
    std::string client_key_pem;
    std::optional<std::chrono::system_clock::time_point> expiry;  // none: valid until a 401
};

// Runs an exec credential plugin (client.authentication.k8s.io v1/v1beta1): the command with its
// args, the parent environment plus the configured env and KUBERNETES_EXEC_INFO, stdin from
// /dev/null (never interactive), killed after `timeout`. Throws KubeError (reason
// "ExecPluginFailed"); messages never include the plugin's output, which carries secrets.
ExecCredential runExecPlugin(const ExecConfig& exec, const ResolvedConfig& cluster,
                             std::chrono::milliseconds timeout);

// RFC 3339 ("2024-05-01T12:00:00Z", fractions and offsets allowed).
std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text);

}  // namespace tshost::kube
