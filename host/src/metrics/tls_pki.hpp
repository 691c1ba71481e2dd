// Throw-away PKIs generated in memory (OpenSSL 3): a CA and certificates it issues. Used by
// the trial-metrics server's optional TLS (metricsTls) and by the kube-emulator's HTTPS mode.
// OpenSSL stays out of this header.
#pragma once

#include <sys/types.h>
#include <string>
#include <vector>

namespace tshost::metrics {

/// A certificate and its private key, both PEM (the key PKCS#8).
struct CertifiedKey {
    std::string cert_pem;
    std::string key_pem;
};

/// A self-signed CA (EC P-256, valid from an hour ago for ten years) named `common_name`.
/// Throws std::runtime_error.
CertifiedKey generate_ca(const std::string& common_name);

enum class CertificateUse { kServer, kClient };

/// A certificate for a new EC P-256 key, signed by `ca`. `hosts` become subjectAltNames
/// (IP: for addresses, DNS: otherwise; duplicates and the wildcard addresses 0.0.0.0 and ::
/// are left out). `organization` may be empty. Throws std::runtime_error, also when `ca`
/// does not parse or its key does not match its certificate.
CertifiedKey issue_certificate(const CertifiedKey& ca, const std::string& common_name,
                               const std::string& organization,
                               const std::vector<std::string>& hosts, CertificateUse use);

/// Writes `data` to `path` atomically (a temporary file renamed over it) with exactly `mode`,
/// whatever the umask. Throws std::runtime_error.
void write_file_with_mode(const std::string& path, const std::string& data, mode_t mode);

}  // namespace tshost::metrics
