#include <gtest/gtest.h>

#include <map>

#include "kube/base64.hpp"
#include "test_server.hpp"
#include "tshost/kube/config.hpp"
#include "tshost/kube/error.hpp"

namespace tk = tshost::kube;
using kubetest::TempDir;
using kubetest::writeFile;

namespace {

tk::LoadOptions withEnv(std::map<std::string, std::string> env) {
    tk::LoadOptions o;
    o.getenv = [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    return o;
}

std::string expectConfigError(const tk::LoadOptions& options) {
    try {
        tk::loadConfig(options);
    } catch (const tk::KubeError& e) {
        EXPECT_EQ(e.reason(), "InvalidConfig");
        return e.what();
    }
    ADD_FAILURE() << "no error";
    return "";
}

}  // namespace

TEST(Kubeconfig, SingleFileWithInlineDataAndContextNamespace) {
    TempDir dir;
    std::string file = writeFile(dir.file("config"), R"(
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c1
  cluster:
    server: https://api.example:6443/
    certificate-authority-data: )" + tk::base64Encode("CA-PEM") +
                                                         R"(
contexts:
- name: dev
  context: {cluster: c1, user: u1, namespace: team-a}
users:
- name: u1
  user:
    client-certificate-data: )" + tk::base64Encode("CERT-PEM") +
                                                         R"(
    client-key-data: )" + tk::base64Encode("KEY-PEM") + R"(
    token: abc-token
)");
    auto cfg = tk::loadConfig(withEnv({{"KUBECONFIG", file}}));
    EXPECT_EQ(cfg.context_name, "dev");
    EXPECT_EQ(cfg.namespace_name, "team-a");
    EXPECT_EQ(cfg.server, "https://api.example:6443");  // trailing '/' dropped
    EXPECT_EQ(cfg.ca_pem, "CA-PEM");
    EXPECT_EQ(cfg.client_cert_pem, "CERT-PEM");
    EXPECT_EQ(cfg.client_key_pem, "KEY-PEM");
    EXPECT_EQ(cfg.token, "abc-token");

    auto explicit_ns = withEnv({{"KUBECONFIG", file}});
    explicit_ns.namespace_name = "mine";
    EXPECT_EQ(tk::loadConfig(explicit_ns).namespace_name, "mine");
}

TEST(Kubeconfig, MergesFilesFirstKeyWinsAndFirstCurrentContext) {
    TempDir dir;
    std::string a = writeFile(dir.file("a"), R"(
current-context: ctx-a
clusters:
- name: shared
  cluster: {server: "https://first:1"}
contexts:
- name: ctx-a
  context: {cluster: shared, user: ua}
users:
- name: ua
  user: {token: token-a}
)");
    std::string b = writeFile(dir.file("b/config"), R"(
current-context: ctx-b
clusters:
- name: shared
  cluster: {server: "https://second:2", insecure-skip-tls-verify: true}
- name: only-b
  cluster: {server: "https://b-only:3"}
contexts:
- name: ctx-b
  context: {cluster: only-b, user: ua, namespace: nb}
users:
- name: ua
  user: {token: token-from-b}
)");
    std::string missing = dir.file("does-not-exist");
    auto cfg = tk::loadConfig(withEnv({{"KUBECONFIG", a + ":" + missing + ":" + b}}));
    EXPECT_EQ(cfg.context_name, "ctx-a");        // first file to set current-context
    EXPECT_EQ(cfg.server, "https://first:1");    // first definition of "shared" wins whole
    EXPECT_FALSE(cfg.insecure_skip_tls_verify);  // ...even fields the first did not set
    EXPECT_EQ(cfg.token, "token-a");
    EXPECT_EQ(cfg.namespace_name, "default");

    // A context only the second file defines, with the first file's user.
    auto other = withEnv({{"KUBECONFIG", a + ":" + b}});
    other.context = "ctx-b";
    auto cb = tk::loadConfig(other);
    EXPECT_EQ(cb.server, "https://b-only:3");
    EXPECT_EQ(cb.namespace_name, "nb");
    EXPECT_EQ(cb.token, "token-a");
}

TEST(Kubeconfig, RelativePathsResolveAgainstTheirFile) {
    TempDir dir;
    writeFile(dir.file("kube/certs/ca.pem"), "CA-FROM-FILE");
    writeFile(dir.file("kube/certs/client.pem"), "CERT-FROM-FILE");
    writeFile(dir.file("kube/certs/client.key"), "KEY-FROM-FILE");
    writeFile(dir.file("kube/token"), "tok\n");
    std::string file = writeFile(dir.file("kube/config"), R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://h:1", certificate-authority: certs/ca.pem}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
users:
- name: u
  user: {client-certificate: certs/client.pem, client-key: certs/client.key, tokenFile: token}
)");
    tk::LoadOptions o = withEnv({});
    o.kubeconfig = file;
    auto cfg = tk::loadConfig(o);
    EXPECT_EQ(cfg.ca_pem, "CA-FROM-FILE");
    EXPECT_EQ(cfg.client_cert_pem, "CERT-FROM-FILE");
    EXPECT_EQ(cfg.client_key_pem, "KEY-FROM-FILE");
    EXPECT_EQ(cfg.token_file, dir.file("kube/token"));
}

TEST(Kubeconfig, HomeConfigIsTheDefault) {
    TempDir dir;
    writeFile(dir.file(".kube/config"), R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://home:1"}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
users: [{name: u, user: {token: t}}]
)");
    EXPECT_EQ(tk::loadConfig(withEnv({{"HOME", dir.path}})).server, "https://home:1");
}

TEST(Kubeconfig, ExecPluginCommandResolvesRelativeToFile) {
    TempDir dir;
    std::string file = writeFile(dir.file("config"), R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://h:1"}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/get-token
      args: [--cluster, c]
      env: [{name: FOO, value: bar}]
      provideClusterInfo: true
)");
    auto cfg = tk::loadConfig(withEnv({{"KUBECONFIG", file}}));
    ASSERT_TRUE(cfg.exec);
    EXPECT_EQ(cfg.exec->command, dir.file("bin/get-token"));
    EXPECT_EQ(cfg.exec->args, (std::vector<std::string>{"--cluster", "c"}));
    ASSERT_EQ(cfg.exec->env.size(), 1u);
    EXPECT_EQ(cfg.exec->env[0].first, "FOO");
    EXPECT_TRUE(cfg.exec->provide_cluster_info);
}

TEST(Kubeconfig, ErrorsNameTheProblem) {
    TempDir dir;
    std::string file = writeFile(dir.file("config"), R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://h:1", certificate-authority-data: "!!notbase64"}}]
contexts:
- {name: x, context: {cluster: c, user: u}}
- {name: y, context: {cluster: nowhere, user: u}}
users: [{name: u, user: {token: t}}]
)");
    auto o = withEnv({{"KUBECONFIG", file}});
    EXPECT_NE(expectConfigError(o).find("certificate-authority-data is not base64"),
              std::string::npos);
    o.context = "y";
    EXPECT_NE(expectConfigError(o).find("cluster 'nowhere'"), std::string::npos);
    o.context = "zzz";
    EXPECT_NE(expectConfigError(o).find("context 'zzz' is not defined"), std::string::npos);
    EXPECT_NE(expectConfigError(withEnv({{"HOME", dir.path + "/nope"}})).find("no Kubernetes"),
              std::string::npos);
}

TEST(InClusterConfig, ReadsServiceAccountFromOverriddenRoot) {
    TempDir dir;
    writeFile(dir.file("sa/token"), "sa-token");
    writeFile(dir.file("sa/ca.crt"), "SA-CA");
    writeFile(dir.file("sa/namespace"), "jobs\n");
    auto o = withEnv({{"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                      {"KUBERNETES_SERVICE_PORT", "443"},
                      {"HOME", dir.path}});
    o.in_cluster_root = dir.file("sa");
    auto cfg = tk::loadConfig(o);
    EXPECT_EQ(cfg.source, "in-cluster");
    EXPECT_EQ(cfg.server, "https://10.0.0.1:443");
    EXPECT_EQ(cfg.ca_pem, "SA-CA");
    EXPECT_EQ(cfg.token_file, dir.file("sa/token"));
    EXPECT_EQ(cfg.namespace_name, "jobs");

    auto v6 =
        withEnv({{"KUBERNETES_SERVICE_HOST", "fd00::1"}, {"KUBERNETES_SERVICE_PORT", "6443"}});
    v6.in_cluster_root = dir.file("sa");
    v6.namespace_name = "explicit";
    auto c6 = tk::loadInClusterConfig(v6);
    EXPECT_EQ(c6.server, "https://[fd00::1]:6443");
    EXPECT_EQ(c6.namespace_name, "explicit");
}
