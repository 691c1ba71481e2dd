// A throw-away PKI for the emulator's HTTPS mode, generated in memory at start through the
// host's tshost_tls_pki (host/src/metrics/tls_pki.hpp):
// a CA, a server certificate for the listen address, and a client certificate the CA signed.
// OpenSSL stays out of this header.
#pragma once

#include <string>

namespace kemu {

struct Pki {
    std::string ca_cert_pem;
    std::string server_cert_pem, server_key_pem;
    std::string client_cert_pem, client_key_pem;
};

/// CA "kube-emulator-ca"; server certificate with SANs IP 127.0.0.1, DNS localhost and `host`
/// (an IP or a DNS name); client certificate CN=tshost-test, O=system:masters (the identity a
/// kubeadm admin.conf carries). EC P-256 keys, PKCS#8 PEM. Throws std::runtime_error.
Pki generate_pki(const std::string& host);

/// Writes ca.crt, client.crt (0644) and client.key (0600) into `dir` (created if missing).
void write_pki_files(const std::string& dir, const Pki& pki);

}  // namespace kemu
