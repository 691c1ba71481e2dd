// The emulator's HTTPS mode (--tls): generated PKI, client-certificate authentication answered
// like kube-apiserver with anonymous auth off, the kubeconfig and PKI files it writes, kubectl.
#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "common.hpp"
#include "emulator_fixture.hpp"

namespace kemu::test {
namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string kubeconfig_field(const std::string& text, const std::string& field) {
    std::smatch m;
    if (!std::regex_search(text, m, std::regex(" " + field + ": (\\S+)"))) {
        return {};
    }
    return m[1];
}

void expect_unauthorized(const HttpResult& r) {
    EXPECT_EQ(r.error, "");
    EXPECT_EQ(r.code, 401) << r.body;
    const json status = r.json_body();
    EXPECT_EQ(status.value("kind", ""), "Status") << r.body;
    EXPECT_EQ(status.value("reason", ""), "Unauthorized") << r.body;
    EXPECT_EQ(status.value("code", 0), 401) << r.body;
}

TEST(KubeEmulatorTls, KubeconfigAndPkiFilesAsKubectlWritesThem) {
    Emulator emu({"--tls"});
    ASSERT_EQ(emu.base_url().rfind("https://127.0.0.1:", 0), 0u) << emu.base_url();
    const std::string kc = read_file(emu.kubeconfig());
    EXPECT_EQ(kubeconfig_field(kc, "token"), "") << "TLS mode authenticates by certificate only";
    // Inline data is base64 of the PEM files, as kubectl config set-credentials --embed-certs.
    const std::map<std::string, std::string> data_to_file = {
        {"certificate-authority-data", "ca.crt"},
        {"client-certificate-data", "client.crt"},
        {"client-key-data", "client.key"}};
    for (const auto& [field, file] : data_to_file) {
        const auto decoded = base64_decode(kubeconfig_field(kc, field));
        ASSERT_TRUE(decoded.has_value()) << field;
        EXPECT_EQ(*decoded, read_file(emu.pki_dir() + "/" + file)) << field;
        EXPECT_EQ(decoded->rfind("-----BEGIN ", 0), 0u) << field;
    }
    struct stat st {};
    ASSERT_EQ(stat((emu.pki_dir() + "/client.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(stat(emu.kubeconfig().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(KubeEmulatorTls, ClientCertificateAuthenticates) {
    Emulator emu({"--tls"});
    const auto version = emu.request("GET", "/version");
    ASSERT_EQ(version.error, "");
    EXPECT_EQ(version.code, 200) << version.body;
    EXPECT_EQ(version.json_body().value("major", ""), "1");
    // The server certificate names localhost too (DNS SAN), not only 127.0.0.1 (IP SAN).
    const std::string port = emu.base_url().substr(emu.base_url().rfind(':') + 1);
    const auto by_name =
        request_url(emu.client_tls(), "GET", "https://localhost:" + port + "/version");
    EXPECT_EQ(by_name.error, "");
    EXPECT_EQ(by_name.code, 200) << by_name.body;
    const json stats = emu.request("GET", "/emulator/v1/stats").json_body();
    EXPECT_GE(stats.value("tlsHandshakes", 0), 3) << stats.dump();
    EXPECT_EQ(stats.value("unauthorized", -1), 0) << stats.dump();
}

TEST(KubeEmulatorTls, RequestWithoutClientCertificateGets401Status) {
    Emulator emu({"--tls"});
    TlsFiles ca_only{emu.client_tls().ca, "", ""};
    expect_unauthorized(emu.request_with(ca_only, "GET", "/version"));
    expect_unauthorized(emu.request_with(ca_only, "GET", kFrameworks));
    expect_unauthorized(emu.request_with(ca_only, "POST", kFrameworks, "{}"));
    EXPECT_EQ(emu.request("GET", "/emulator/v1/stats").json_body().value("unauthorized", 0), 3);
}

TEST(KubeEmulatorTls, ClientCertificateOfAnotherCaGets401Status) {
    Emulator emu({"--tls"});
    Emulator other({"--tls"});
    const TlsFiles foreign{emu.client_tls().ca, other.client_tls().cert, other.client_tls().key};
    expect_unauthorized(emu.request_with(foreign, "GET", kFrameworks));
    // ...while that certificate is good at its own emulator.
    EXPECT_EQ(other.request("GET", kFrameworks).code, 200);
}

TEST(KubeEmulatorTls, ServerCertificateIsSignedByTheGeneratedCaOnly) {
    Emulator emu({"--tls"});
    Emulator other({"--tls"});
    // Another CA (a fresh emulator's) does not verify this server: the handshake fails.
    const TlsFiles wrong_ca{other.client_tls().ca, emu.client_tls().cert, emu.client_tls().key};
    const auto r = emu.request_with(wrong_ca, "GET", "/version");
    EXPECT_NE(r.error, "");
    EXPECT_EQ(r.code, 0);
    // Plain HTTP to the HTTPS port gets no API answer.
    std::string plain = emu.base_url();
    plain.replace(0, 5, "http");
    EXPECT_NE(request_url({}, "GET", plain + "/version").code, 200);
}

TEST(KubeEmulatorTls, PlainHttpStaysTheDefault) {
    Emulator emu;
    EXPECT_EQ(emu.base_url().rfind("http://", 0), 0u);
    EXPECT_FALSE(std::filesystem::exists(emu.dir() + "/pki"));
    const std::string kc = read_file(emu.kubeconfig());
    EXPECT_EQ(kubeconfig_field(kc, "token"), "kube-emulator-token");
    EXPECT_EQ(kubeconfig_field(kc, "client-key-data"), "");
    EXPECT_EQ(emu.request("GET", "/version").code, 200);
}

TEST(KubeEmulatorTls, KubectlGetAndApplyOverTls) {
    if (!std::filesystem::exists("/usr/bin/kubectl")) {
        GTEST_SKIP() << "/usr/bin/kubectl not installed";
    }
    Emulator emu({"--tls"});
    std::string out;
    ASSERT_EQ(emu.kubectl("get frameworks", out), 0) << out;
    EXPECT_NE(out.find("No resources found"), std::string::npos) << out;
    const json fw = {{"apiVersion", "frameworkcontroller.microsoft.com/v1"},
                     {"kind", "Framework"},
                     {"metadata", {{"name", "tlsfw"}}},
                     {"spec",
                      {{"executionType", "Start"},
                       {"taskRoles",
                        {{{"name", "worker"},
                          {"taskNumber", 1},
                          {"frameworkAttemptCompletionPolicy",
                           {{"minFailedTaskCount", 1}, {"minSucceededTaskCount", -1}}},
                          {"task",
                           {{"pod",
                             {{"spec",
                               {{"restartPolicy", "Never"},
                                {"containers",
                                 {{{"name", "framework"},
                                   {"image", "busybox"},
                                   {"command", {"sh", "-c", "sleep 60"}}}}}}}}}}}}}}}}};
    const std::string file = emu.dir() + "/fw.json";
    std::ofstream(file) << fw.dump();
    ASSERT_EQ(emu.kubectl("apply -f " + file, out), 0) << out;
    EXPECT_NE(out.find("created"), std::string::npos) << out;
    ASSERT_EQ(emu.kubectl("get frameworks tlsfw -o json", out), 0) << out;
    EXPECT_EQ(json::parse(out, nullptr, false).value("metadata", json::object()).value("name", ""),
              "tlsfw")
        << out;
    ASSERT_EQ(emu.kubectl("delete frameworks tlsfw", out), 0) << out;
    // kubectl really went through the TLS authentication: the emulator counted its handshakes
    // and never answered it 401.
    const json stats = emu.request("GET", "/emulator/v1/stats").json_body();
    EXPECT_GE(stats.value("tlsHandshakes", 0), 4) << stats.dump();
    EXPECT_EQ(stats.value("unauthorized", -1), 0) << stats.dump();

    // A token instead of the client certificate (with no credentials at all kubectl would prompt
    // for a password): 401, which kubectl reports as "You must be logged in ... (Unauthorized)".
    std::string kc = read_file(emu.kubeconfig());
    kc = std::regex_replace(kc, std::regex("    client-certificate-data: \\S+\\n"), "");
    kc = std::regex_replace(kc, std::regex("    client-key-data: \\S+\\n"),
                            "    token: not-a-valid-token\n");
    const std::string anon = emu.dir() + "/anonymous.kubeconfig";
    std::ofstream(anon) << kc;
    const std::string cmd =
        "KUBECONFIG=" + anon + " timeout 60 /usr/bin/kubectl get frameworks </dev/null 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::array<char, 4096> buf{};
    out.clear();
    std::size_t n = 0;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) {
        out.append(buf.data(), n);
    }
    EXPECT_NE(pclose(p), 0) << out;
    EXPECT_NE(out.find("Unauthorized"), std::string::npos) << out;
}

}  // namespace
}  // namespace kemu::test
