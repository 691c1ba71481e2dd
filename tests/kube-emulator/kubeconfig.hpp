// Writes the kubeconfig that points clients at the emulator. Written to a temporary file and
// renamed, only once the server listens: its appearance is the "ready" event tests wait for.
#pragma once

#include <string>

namespace kemu {

struct KubeconfigData {
    std::string server;  // http://127.0.0.1:PORT
    std::string token;
    std::string ca_pem, client_cert_pem, client_key_pem;  // TLS only
};

/// Throws std::runtime_error when the file can't be written.
void write_kubeconfig(const std::string& path, const KubeconfigData& data);

}  // namespace kemu
