#include "tls_pki.hpp"

#include <filesystem>

#include "metrics/tls_pki.hpp"

namespace kemu {

namespace pki = tshost::metrics;

Pki generate_pki(const std::string& host) {
    const pki::CertifiedKey ca = pki::generate_ca("kube-emulator-ca");
    const pki::CertifiedKey server = pki::issue_certificate(
        ca, "kube-apiserver", "", {"127.0.0.1", "localhost", host}, pki::CertificateUse::kServer);
    const pki::CertifiedKey client = pki::issue_certificate(ca, "tshost-test", "system:masters", {},
                                                            pki::CertificateUse::kClient);
    return {ca.cert_pem, server.cert_pem, server.key_pem, client.cert_pem, client.key_pem};
}

void write_pki_files(const std::string& dir, const Pki& pki) {
    const std::filesystem::path d(dir);
    std::filesystem::create_directories(d);
    pki::write_file_with_mode((d / "ca.crt").string(), pki.ca_cert_pem, 0644);
    pki::write_file_with_mode((d / "client.crt").string(), pki.client_cert_pem, 0644);
    pki::write_file_with_mode((d / "client.key").string(), pki.client_key_pem, 0600);
}

}  // namespace kemu
