// The trial-metrics server with TLS (metricsTls): a CA and server certificate made by
// tls_pki, a blocking OpenSSL client that trusts (or not) that CA, over real TCP on 127.0.0.1.
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <filesystem>
#include <memory>
#include <string>

#include "metrics/tls_pki.hpp"
#include "metrics_server_fixture.hpp"

using namespace tshost::test;
using tshost::metrics::CertificateUse;
using tshost::metrics::CertifiedKey;
using tshost::metrics::TlsOptions;

namespace {

std::string batch_body(const std::string& trial) {
    const std::string record = json{
        {"trial_job_id", trial},
        {"type", "FINAL"},
        {"sequence", 0},
        {"parameter_id", 0},
        {"value", "0.5"}}.dump();
    return json{{"attempt", 0},
                {"replica", "worker-0"},
                {"primary", true},
                {"records", {{{"seq", 0}, {"data", record}}}}}
        .dump();
}

struct SslCtxFree {
    void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
    void operator()(SSL* p) const { SSL_free(p); }
};

// A blocking TLS client on a RawConnection's socket. It trusts only `ca_pem` and checks that
// the certificate is for `expected_ip` (what the agent's hostname check does for an IP URL).
class TlsClient {
  public:
    TlsClient(uint16_t port, const std::string& ca_pem, const std::string& expected_ip)
        : raw_(port) {
        timeval tv{5, 0};  // nothing here may hang a test run
        ::setsockopt(raw_.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ctx_.reset(SSL_CTX_new(TLS_client_method()));
        SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
        BIO* bio = BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size()));
        X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        if (ca == nullptr || X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx_.get()), ca) != 1) {
            throw std::runtime_error("test CA does not load");
        }
        X509_free(ca);
        ssl_.reset(SSL_new(ctx_.get()));
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), expected_ip.c_str());
        SSL_set_fd(ssl_.get(), raw_.fd());
    }

    /// True when the handshake completed and the server's certificate verified.
    bool handshake() {
        ERR_clear_error();
        const bool ok = SSL_connect(ssl_.get()) == 1;
        verify_result_ = SSL_get_verify_result(ssl_.get());
        ERR_clear_error();
        return ok;
    }
    long verify_result() const { return verify_result_; }

    bool send_all(const std::string& data) {
        size_t written = 0;
        return SSL_write_ex(ssl_.get(), data.data(), data.size(), &written) == 1 &&
               written == data.size();
    }

    /// One response: status and body (Content-Length), or nullopt.
    std::optional<std::pair<int, std::string>> read_response() {
        size_t header_end;
        while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
            if (!fill()) {
                return std::nullopt;
            }
        }
        const std::string head = buffer_.substr(0, header_end);
        if (!head.starts_with("HTTP/1.1 ")) {
            return std::nullopt;
        }
        const int status = std::stoi(head.substr(9, 3));
        size_t length = 0;
        const auto at = head.find("Content-Length: ");
        if (at != std::string::npos) {
            length = std::stoul(head.substr(at + 16));
        }
        while (buffer_.size() < header_end + 4 + length) {
            if (!fill()) {
                return std::nullopt;
            }
        }
        std::string body = buffer_.substr(header_end + 4, length);
        buffer_.erase(0, header_end + 4 + length);
        return std::pair(status, body);
    }

  private:
    bool fill() {
        char chunk[4096];
        size_t n = 0;
        if (SSL_read_ex(ssl_.get(), chunk, sizeof chunk, &n) != 1) {
            ERR_clear_error();
            return false;
        }
        buffer_.append(chunk, n);
        return true;
    }

    RawConnection raw_;
    std::unique_ptr<SSL_CTX, SslCtxFree> ctx_;
    std::unique_ptr<SSL, SslFree> ssl_;
    std::string buffer_;
    long verify_result_ = X509_V_OK;
};

class MetricsServerTlsTest : public MetricsServerFixture {
  protected:
    void SetUp() override {
        char dir_template[] = "/tmp/metrics-tls-test-XXXXXX";
        ASSERT_NE(::mkdtemp(dir_template), nullptr);
        dir_ = dir_template;
        ca_ = tshost::metrics::generate_ca("tshost-metrics-test-ca");
        const CertifiedKey server = tshost::metrics::issue_certificate(
            ca_, "tshost-metrics", "", {"127.0.0.1", "localhost"}, CertificateUse::kServer);
        tshost::metrics::write_file_with_mode(dir_ + "/server.crt", server.cert_pem, 0644);
        tshost::metrics::write_file_with_mode(dir_ + "/server.key", server.key_pem, 0600);
    }
    void TearDown() override {
        server_.reset();
        std::filesystem::remove_all(dir_);
    }

    void start(MetricsServerOptions options = {}) {
        options.tls = TlsOptions{dir_ + "/server.crt", dir_ + "/server.key"};
        start_server(std::move(options));
    }

    std::string dir_;
    CertifiedKey ca_;
};

TEST_F(MetricsServerTlsTest, AGoodPostOverTlsIsStoredAndKeepAliveWorks) {
    start();
    TlsClient client(server_->port(), ca_.cert_pem, "127.0.0.1");
    ASSERT_TRUE(client.handshake()) << "verify result " << client.verify_result();
    ASSERT_TRUE(client.send_all(
        metrics_post("trial-A", tokens_.token("trial-A", 0), batch_body("trial-A"), true)));
    auto r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first, 200) << r->second;
    EXPECT_EQ(json::parse(r->second), json({{"accepted", 1}}));
    ASSERT_EQ(events_.size(), 1u);
    EXPECT_EQ(events_.pop(0ms)->trial_id, "trial-A");

    // The same TLS connection carries the next request; a wrong token is still 403.
    ASSERT_TRUE(client.send_all(
        metrics_post("trial-A", tokens_.token("trial-B", 0), batch_body("trial-A"), true)));
    r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first, 403);
    EXPECT_EQ(events_.size(), 0u);
    const auto stats = server_->stats();
    EXPECT_EQ(stats.accepted_records, 1u);
    EXPECT_EQ(stats.forbidden, 1u);
    EXPECT_EQ(stats.tls_handshake_failures, 0u);
    EXPECT_EQ(stats.connections_accepted, 1u);
}

TEST_F(MetricsServerTlsTest, AClientThatDoesNotTrustTheCaFailsTheHandshake) {
    start();
    const CertifiedKey other_ca = tshost::metrics::generate_ca("some-other-ca");
    TlsClient client(server_->port(), other_ca.cert_pem, "127.0.0.1");
    EXPECT_FALSE(client.handshake());
    EXPECT_EQ(client.verify_result(), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    // The client's alert ends the server's side of the handshake.
    EXPECT_TRUE(eventually([&] { return server_->stats().tls_handshake_failures == 1; }));
    EXPECT_TRUE(eventually([&] { return server_->stats().active_connections == 0; }));
    EXPECT_EQ(server_->stats().requests, 0u);
    EXPECT_EQ(events_.size(), 0u);
}

TEST_F(MetricsServerTlsTest, TheHostnameCheckRejectsACertificateForAnotherAddress) {
    start();
    TlsClient client(server_->port(), ca_.cert_pem, "10.1.2.3");
    EXPECT_FALSE(client.handshake());
    EXPECT_EQ(client.verify_result(), X509_V_ERR_IP_ADDRESS_MISMATCH);
}

TEST_F(MetricsServerTlsTest, PlainHttpToTheTlsPortGetsNoHttpAnswer) {
    start();
    RawConnection plain(server_->port());
    ASSERT_TRUE(plain.send_all(
        metrics_post("trial-A", tokens_.token("trial-A", 0), batch_body("trial-A"), false)));
    EXPECT_FALSE(plain.read_response(5s)) << "a plain HTTP request was answered in HTTP";
    EXPECT_TRUE(plain.wait_closed(5s));
    EXPECT_TRUE(eventually([&] { return server_->stats().tls_handshake_failures == 1; }));
    EXPECT_EQ(server_->stats().requests, 0u);
    EXPECT_EQ(events_.size(), 0u);
}

TEST_F(MetricsServerTlsTest, ASlowHandshakeIsCutAtTheRequestTimeout) {
    MetricsServerOptions options;
    options.request_timeout = 300ms;
    start(options);
    RawConnection c(server_->port());
    const auto sent = std::chrono::steady_clock::now();
    // The first bytes of a ClientHello record, then nothing.
    ASSERT_TRUE(c.send_all(std::string("\x16\x03\x01\x02\x00", 5)));
    ASSERT_TRUE(c.wait_closed(5s)) << "a stalled handshake kept its connection";
    EXPECT_GE(std::chrono::steady_clock::now() - sent, 250ms);
    EXPECT_TRUE(eventually([&] { return server_->stats().connections_timed_out == 1; }));
    EXPECT_TRUE(eventually([&] { return server_->stats().active_connections == 0; }));
    EXPECT_EQ(server_->stats().tls_handshake_failures, 0u);
}

TEST_F(MetricsServerTlsTest, MissingOrMismatchedFilesAreClearErrors) {
    MetricsServerOptions options;
    options.bind_address = "127.0.0.1";
    options.tls = TlsOptions{dir_ + "/server.crt", dir_ + "/missing.key"};
    MetricsServer missing(tokens_, events_, options);
    try {
        missing.start();
        ADD_FAILURE() << "started without a key";
    } catch (const std::runtime_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("missing.key"));
    }
    const CertifiedKey other = tshost::metrics::issue_certificate(ca_, "other", "", {"127.0.0.1"},
                                                                  CertificateUse::kServer);
    tshost::metrics::write_file_with_mode(dir_ + "/other.key", other.key_pem, 0600);
    options.tls = TlsOptions{dir_ + "/server.crt", dir_ + "/other.key"};
    MetricsServer mismatched(tokens_, events_, options);
    EXPECT_THROW(mismatched.start(), std::runtime_error);
}

TEST(TlsPki, IssuedCertificatesCarryTheirNamesAndAKeyFile0600) {
    const CertifiedKey ca = tshost::metrics::generate_ca("ca");
    const CertifiedKey cert = tshost::metrics::issue_certificate(
        ca, "srv", "", {"10.0.0.7", "localhost", "127.0.0.1", "0.0.0.0", "10.0.0.7"},
        CertificateUse::kServer);
    BIO* bio = BIO_new_mem_buf(cert.cert_pem.data(), static_cast<int>(cert.cert_pem.size()));
    X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    ASSERT_NE(x, nullptr);
    EXPECT_EQ(X509_check_ip_asc(x, "10.0.0.7", 0), 1);
    EXPECT_EQ(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
    EXPECT_EQ(X509_check_host(x, "localhost", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_ip_asc(x, "0.0.0.0", 0), 0);
    X509_free(x);
    // A CA whose key is not its certificate's cannot issue.
    const CertifiedKey other = tshost::metrics::generate_ca("other");
    EXPECT_THROW(tshost::metrics::issue_certificate({ca.cert_pem, other.key_pem}, "x", "", {},
                                                    CertificateUse::kServer),
                 std::runtime_error);

    char dir_template[] = "/tmp/metrics-tls-pki-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    const std::string path = std::string(dir_template) + "/k.pem";
    const mode_t old = ::umask(0);
    tshost::metrics::write_file_with_mode(path, cert.key_pem, 0600);
    ::umask(old);
    EXPECT_EQ(std::filesystem::status(path).permissions(),
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    std::filesystem::remove_all(dir_template);
}

}  // namespace
