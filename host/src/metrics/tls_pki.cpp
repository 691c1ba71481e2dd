#include "metrics/tls_pki.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace tshost::metrics {
namespace {

template <class T, void (*F)(T*)>
struct Deleter {
    void operator()(T* p) const { F(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

[[noreturn]] void fail(const std::string& what) {
    char buf[256] = {0};
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    ERR_clear_error();
    throw std::runtime_error("TLS setup: " + what + ": " + buf);
}

void check(bool ok, const char* what) {
    if (!ok) {
        fail(what);
    }
}

Key new_key() {
    Key key(EVP_EC_gen("P-256"));
    check(key != nullptr, "EC key generation");
    return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    check(ext != nullptr, "certificate extension");
    const int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    check(ok == 1, "adding a certificate extension");
}

void add_name(X509_NAME* name, const char* field, const std::string& value) {
    check(X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                     0) == 1,
          "certificate name");
}

/// An unsigned certificate for `key`, issued by `issuer` (self-issued when null); sign() it.
Cert make_cert(EVP_PKEY* key, const std::string& cn, const std::string& org, X509* issuer) {
    Cert cert(X509_new());
    check(cert != nullptr, "X509_new");
    check(X509_set_version(cert.get(), 2) == 1, "certificate version");
    // A random 63-bit serial: certificates of different runs never collide in a client's cache.
    BIGNUM* serial = BN_new();
    check(serial != nullptr && BN_rand(serial, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1,
          "serial number");
    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get()));
    BN_free(serial);
    // Valid from an hour ago (clock skew) for ten years.
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
    check(X509_set_pubkey(cert.get(), key) == 1, "public key");
    X509_NAME* name = X509_get_subject_name(cert.get());
    if (!org.empty()) {
        add_name(name, "O", org);
    }
    add_name(name, "CN", cn);
    X509* signer = issuer != nullptr ? issuer : cert.get();
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) == 1, "issuer name");
    add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
    if (issuer != nullptr) {
        add_ext(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
    }
    return cert;
}

void sign(X509* cert, EVP_PKEY* key) {
    check(X509_sign(cert, key, EVP_sha256()) > 0, "signing a certificate");
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(n));
}

std::string pem_of(X509* cert) {
    Bio bio(BIO_new(BIO_s_mem()));
    check(bio != nullptr && PEM_write_bio_X509(bio.get(), cert) == 1, "certificate PEM");
    return bio_text(bio.get());
}

std::string pem_of(EVP_PKEY* key) {
    Bio bio(BIO_new(BIO_s_mem()));
    check(bio != nullptr &&
              PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "key PEM");
    return bio_text(bio.get());
}

Bio read_bio(const std::string& pem) {
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    check(bio != nullptr, "BIO_new_mem_buf");
    return bio;
}

bool is_ip(const std::string& host) {
    in6_addr buf{};
    return inet_pton(AF_INET, host.c_str(), &buf) == 1 ||
           inet_pton(AF_INET6, host.c_str(), &buf) == 1;
}

}  // namespace

CertifiedKey generate_ca(const std::string& common_name) {
    Key key = new_key();
    Cert ca = make_cert(key.get(), common_name, "", nullptr);
    add_ext(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_ext(ca.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign");
    sign(ca.get(), key.get());
    return {pem_of(ca.get()), pem_of(key.get())};
}

CertifiedKey issue_certificate(const CertifiedKey& ca, const std::string& common_name,
                               const std::string& organization,
                               const std::vector<std::string>& hosts, CertificateUse use) {
    const Bio cert_bio = read_bio(ca.cert_pem);
    const Cert ca_cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
    check(ca_cert != nullptr, "reading the CA certificate");
    const Bio key_bio = read_bio(ca.key_pem);
    const Key ca_key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
    check(ca_key != nullptr, "reading the CA key");
    check(X509_check_private_key(ca_cert.get(), ca_key.get()) == 1,
          "the CA key does not match its certificate");

    Key key = new_key();
    Cert cert = make_cert(key.get(), common_name, organization, ca_cert.get());
    add_ext(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_ext(cert.get(), ca_cert.get(), NID_ext_key_usage,
            use == CertificateUse::kServer ? "serverAuth" : "clientAuth");
    std::vector<std::string> seen;
    std::string san;
    for (const auto& host : hosts) {
        if (host.empty() || host == "0.0.0.0" || host == "::" ||
            std::find(seen.begin(), seen.end(), host) != seen.end()) {
            continue;
        }
        seen.push_back(host);
        san += (san.empty() ? "" : ",") + std::string(is_ip(host) ? "IP:" : "DNS:") + host;
    }
    if (!san.empty()) {
        add_ext(cert.get(), ca_cert.get(), NID_subject_alt_name, san);
    }
    sign(cert.get(), ca_key.get());
    return {pem_of(cert.get()), pem_of(key.get())};
}

void write_file_with_mode(const std::string& path, const std::string& data, mode_t mode) {
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
    }
    ::fchmod(fd, mode);  // the umask must not widen or narrow it
    std::size_t off = 0;
    while (off < data.size()) {
        const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            const int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(err));
        }
        off += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    int err = errno;
    if (::close(fd) != 0 && synced) {
        err = errno;
    } else if (synced) {
        err = 0;
    }
    if (err != 0) {
        ::unlink(tmp.c_str());
        throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(err));
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        ::unlink(tmp.c_str());
        throw std::runtime_error("cannot rename " + tmp + " to " + path + ": " + ec.message());
    }
}

}  // namespace tshost::metrics
