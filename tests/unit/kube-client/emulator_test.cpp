// The client against the local Kubernetes API emulator: real REST semantics end to end, over
// plain HTTP and over HTTPS with client certificates (kube-emulator --tls).
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "emulator_process.hpp"
#include "kube/base64.hpp"
#include "test_server.hpp"
#include "tshost/kube/client.hpp"
#include "tshost/kube/informer.hpp"

namespace tk = tshost::kube;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

// The emulator under a test's temporary directory; `name` prefixes its files (several
// emulators may share a directory).
class Emulator : public kubetest::EmulatorProcess {
  public:
    explicit Emulator(const kubetest::TempDir& dir, bool tls = false, const std::string& name = "")
        : EmulatorProcess(KUBE_EMULATOR_BIN, dir.path, tls, name) {}
};

json tfjob(const std::string& name) {
    json container = {{"name", "tensorflow"}, {"image", "busybox"}, {"command", {"true"}}};
    return {{"apiVersion", "kubeflow.org/v1"},
            {"kind", "TFJob"},
            {"metadata",
             {{"name", name}, {"labels", {{"app", "nni-kubernetes-trial"}, {"expId", "exp1"}}}}},
            {"spec",
             {{"tfReplicaSpecs",
               {{"Worker",
                 {{"replicas", 1},
                  {"restartPolicy", "Never"},
                  {"template", {{"spec", {{"containers", {container}}}}}}}}}}}}};
}

}  // namespace

TEST(Emulator, CreateListWatchDeleteTfJob) {
    kubetest::TempDir dir;
    Emulator emulator(dir);
    auto cfg = emulator.config(20s);
    ASSERT_TRUE(cfg) << "the emulator did not write its kubeconfig";
    tk::ClientOptions options;
    options.config = *cfg;
    tk::Client client(options);
    tk::ResourceRef tfjobs{"kubeflow.org", "v1", "tfjobs", ""};

    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::string> added, deleted;
    tk::Informer informer(client, tfjobs, "app=nni-kubernetes-trial,expId=exp1",
                          {[&](const json& o) {
                               std::lock_guard lock(mutex);
                               added.push_back(o["metadata"]["name"]);
                               cv.notify_all();
                           },
                           {},
                           [&](const json& o) {
                               std::lock_guard lock(mutex);
                               deleted.push_back(o["metadata"]["name"]);
                               cv.notify_all();
                           },
                           {}});
    informer.start();
    ASSERT_TRUE(informer.waitForSync(10s));

    auto created = client.create(tfjobs, tfjob("nni-exp-exp1-trial-a"));
    EXPECT_FALSE(created.recovered_after_ambiguous_failure);
    EXPECT_FALSE(created.object["metadata"]["resourceVersion"].get<std::string>().empty());
    try {
        client.create(tfjobs, tfjob("nni-exp-exp1-trial-a"));
        ADD_FAILURE() << "duplicate create accepted";
    } catch (const tk::KubeError& e) {
        EXPECT_EQ(e.code(), 409);
    }
    auto listed = client.list(tfjobs, {"expId=exp1", "", 500, ""});
    ASSERT_EQ(listed.items.size(), 1u);
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return !added.empty(); }));
        EXPECT_EQ(added.front(), "nni-exp-exp1-trial-a");
    }
    client.removeCollection(tfjobs, "app=nni-kubernetes-trial,expId=exp1");
    {
        std::unique_lock lock(mutex);
        EXPECT_TRUE(cv.wait_for(lock, 10s, [&] { return !deleted.empty(); }));
    }
    informer.stop();
}

// ---- HTTPS with client certificates (kube-emulator --tls) ----

namespace {

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string kubeconfigField(const std::string& text, const std::string& field) {
    std::smatch m;
    return std::regex_search(text, m, std::regex(" " + field + ": (\\S+)")) ? m[1].str() : "";
}

tk::ResolvedConfig loadFrom(const std::string& path) {
    tk::LoadOptions o;
    o.kubeconfig = path;
    o.namespace_name = "default";
    return tk::loadConfig(o);
}

// A kubeconfig with the given cluster and user lines (each "key: value").
std::string writeKubeconfig(const std::string& path, const std::string& server,
                            const std::vector<std::string>& cluster,
                            const std::vector<std::string>& user) {
    std::string text =
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
        "    server: " +
        server + "\n";
    for (const auto& line : cluster) {
        text += "    " + line + "\n";
    }
    text +=
        "contexts:\n- name: ctx\n  context:\n    cluster: c\n    user: u\n"
        "current-context: ctx\nusers:\n- name: u\n  user:";
    text += user.empty() ? " {}\n" : "\n";
    for (const auto& line : user) {
        text += "    " + line + "\n";
    }
    return kubetest::writeFile(path, text);
}

// Reads /emulator/v1/stats over its own pooled connection (the stats reader adds at most one
// connection, once), with the emulator's own credentials.
class StatsReader {
  public:
    explicit StatsReader(const tk::ResolvedConfig& cfg) : control_(cfg) {}
    json read() {
        try {
            return control_.stats();
        } catch (const std::exception& e) {
            ADD_FAILURE() << "stats: " << e.what();
            return json::object();
        }
    }

  private:
    kubetest::EmulatorControl control_;
};

// Everything the client said (errors and log lines), to check that no key material leaks.
struct Said {
    std::mutex mutex;
    std::vector<std::string> lines;
    void add(std::string_view s) {
        std::lock_guard lock(mutex);
        lines.emplace_back(s);
    }
    // Neither the kubeconfig's base64 nor any base64 line of the PEM key appears anywhere.
    void expectNoKeyMaterial(const std::string& key_pem, const std::string& key_data) {
        std::lock_guard lock(mutex);
        ASSERT_FALSE(key_pem.empty());
        std::vector<std::string> secrets{key_data};
        std::istringstream pem(key_pem);
        for (std::string line; std::getline(pem, line);) {
            if (line.rfind("-----", 0) != 0 && line.size() >= 16) {
                secrets.push_back(line);
            }
        }
        for (const auto& said : lines) {
            for (const auto& secret : secrets) {
                EXPECT_EQ(said.find(secret), std::string::npos) << "key material in: " << said;
            }
        }
    }
};

tk::ClientOptions optionsFor(const tk::ResolvedConfig& cfg, Said& said) {
    tk::ClientOptions options;
    options.config = cfg;
    options.qps = 1000;  // the test's own request count must not be throttled
    options.burst = 1000;
    options.retry_deadline = 5s;
    options.log = [&said](tk::LogLevel, std::string_view msg) { said.add(msg); };
    return options;
}

// CRUD on core Secrets plus a watch that sees ADDED, MODIFIED and DELETED, over the client's
// configured transport.
void crudAndWatch(tk::Client& client, const std::string& name) {
    const tk::ResourceRef secrets{"", "v1", "secrets", ""};
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::string> seen;  // "TYPE name"
    tk::Cancellation stop;
    std::optional<tk::KubeError> watch_error;
    std::thread watcher([&] {
        try {
            client.watch(secrets, {"app=tls-test", "", ""},
                         {[&](const tk::WatchEvent& e) {
                              static const char* kNames[] = {"ADDED", "MODIFIED", "DELETED",
                                                             "BOOKMARK", "ERROR"};
                              std::lock_guard lock(mutex);
                              seen.push_back(std::string(kNames[static_cast<int>(e.type)]) + " " +
                                             e.object["metadata"].value("name", ""));
                              cv.notify_all();
                          },
                          [&](const tk::ListResult&) {
                              std::lock_guard lock(mutex);
                              seen.push_back("LISTED");
                              cv.notify_all();
                          }},
                         stop);
        } catch (const tk::KubeError& e) {
            std::lock_guard lock(mutex);
            watch_error = e;
            cv.notify_all();
        }
    });
    auto waitFor = [&](const std::string& what) {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, 10s, [&] {
            return watch_error || std::find(seen.begin(), seen.end(), what) != seen.end();
        });
    };
    EXPECT_TRUE(waitFor("LISTED"));
    json secret = {{"apiVersion", "v1"},
                   {"kind", "Secret"},
                   {"metadata", {{"name", name}, {"labels", {{"app", "tls-test"}}}}},
                   {"stringData", {{"k", "v"}}}};
    auto created = client.create(secrets, secret);
    EXPECT_FALSE(created.object["metadata"].value("uid", "").empty());
    EXPECT_EQ(client.get(secrets, name)["metadata"]["name"], name);
    client.patch(secrets, name, {{"metadata", {{"annotations", {{"step", "patched"}}}}}});
    EXPECT_EQ(client.get(secrets, name)["metadata"]["annotations"]["step"], "patched");
    EXPECT_EQ(client.list(secrets, {"app=tls-test", "", 500, ""}).items.size(), 1u);
    client.remove(secrets, name);
    EXPECT_TRUE(waitFor("ADDED " + name));
    EXPECT_TRUE(waitFor("MODIFIED " + name));
    EXPECT_TRUE(waitFor("DELETED " + name));
    stop.cancel();
    watcher.join();
    EXPECT_FALSE(watch_error) << watch_error->what();
}

}  // namespace

TEST(EmulatorTls, InlineDataCrudWatchAndConnectionReuse) {
    kubetest::TempDir dir;
    Emulator emulator(dir, true);
    auto cfg = emulator.config(20s);
    ASSERT_TRUE(cfg) << "the emulator did not write its kubeconfig";
    ASSERT_EQ(cfg->server.rfind("https://127.0.0.1:", 0), 0u) << cfg->server;
    ASSERT_FALSE(cfg->ca_pem.empty());
    ASSERT_FALSE(cfg->client_cert_pem.empty());
    ASSERT_TRUE(cfg->token.empty());
    Said said;
    tk::Client client(optionsFor(*cfg, said));
    crudAndWatch(client, "inline");

    // Sequential requests reuse a pooled connection: at most one new TCP connection and TLS
    // handshake (the first list may take the handle whose watch connection was just closed),
    // not one per request; resumed TLS sessions must not fail.
    StatsReader stats(*cfg);
    const json before = stats.read();
    const tk::ResourceRef secrets{"", "v1", "secrets", ""};
    for (int i = 0; i < 20; ++i) {
        client.list(secrets);
    }
    const json after = stats.read();
    EXPECT_LE(after.value("connections", 0) - before.value("connections", 0), 1)
        << before.dump() << " -> " << after.dump();
    EXPECT_LE(after.value("tlsHandshakes", 0) - before.value("tlsHandshakes", 0), 1);
    EXPECT_EQ(after.value("tlsHandshakeFailures", -1), 0) << after.dump();
    EXPECT_EQ(after.value("unauthorized", -1), 0);
    said.expectNoKeyMaterial(
        cfg->client_key_pem,
        kubeconfigField(readFile(emulator.kubeconfigPath()), "client-key-data"));
}

TEST(EmulatorTls, FileVariantsCrudAndWatch) {
    kubetest::TempDir dir;
    Emulator emulator(dir, true);
    auto inline_cfg = emulator.config(20s);
    ASSERT_TRUE(inline_cfg);
    const std::string path = writeKubeconfig(dir.file("files.kubeconfig"), inline_cfg->server,
                                             {"certificate-authority: " + emulator.pki("ca.crt")},
                                             {"client-certificate: " + emulator.pki("client.crt"),
                                              "client-key: " + emulator.pki("client.key")});
    auto cfg = loadFrom(path);
    EXPECT_EQ(cfg.ca_pem, readFile(emulator.pki("ca.crt")));
    EXPECT_EQ(cfg.client_cert_pem, readFile(emulator.pki("client.crt")));
    EXPECT_EQ(cfg.client_key_pem, readFile(emulator.pki("client.key")));
    Said said;
    tk::Client client(optionsFor(cfg, said));
    crudAndWatch(client, "files");
    said.expectNoKeyMaterial(cfg.client_key_pem, tk::base64Encode(cfg.client_key_pem));
}

TEST(EmulatorTls, WithoutClientCertificateIs401Unauthorized) {
    kubetest::TempDir dir;
    Emulator emulator(dir, true);
    Emulator other(dir, true, "other-");
    auto cfg = emulator.config(20s);
    auto other_cfg = other.config(20s);
    ASSERT_TRUE(cfg && other_cfg);
    const std::string ca = "certificate-authority-data: " + tk::base64Encode(cfg->ca_pem);
    // No credentials at all, and a client certificate another CA signed: both anonymous.
    const std::vector<std::pair<std::string, std::vector<std::string>>> users = {
        {"no credentials", {}},
        {"another CA's certificate",
         {"client-certificate-data: " + tk::base64Encode(other_cfg->client_cert_pem),
          "client-key-data: " + tk::base64Encode(other_cfg->client_key_pem)}}};
    for (const auto& [what, user] : users) {
        SCOPED_TRACE(what);
        Said said;
        auto anon = loadFrom(writeKubeconfig(dir.file("anon.kubeconfig"), cfg->server, {ca}, user));
        tk::Client client(optionsFor(anon, said));
        try {
            client.list(tk::ResourceRef{"", "v1", "secrets", ""});
            ADD_FAILURE() << "an unauthenticated request succeeded";
        } catch (const tk::KubeError& e) {
            said.add(e.what());
            EXPECT_EQ(e.code(), 401) << e.what();
            EXPECT_EQ(e.reason(), "Unauthorized") << e.what();
            EXPECT_NE(std::string(e.what()).find("401"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("Unauthorized"), std::string::npos) << e.what();
        }
        said.expectNoKeyMaterial(other_cfg->client_key_pem,
                                 tk::base64Encode(other_cfg->client_key_pem));
    }
}

TEST(EmulatorTls, ForeignCaIsATlsVerificationErrorNamingTheServer) {
    kubetest::TempDir dir;
    Emulator emulator(dir, true);
    Emulator other(dir, true, "other-");
    auto cfg = emulator.config(20s);
    auto other_cfg = other.config(20s);
    ASSERT_TRUE(cfg && other_cfg);
    const std::string key_data = tk::base64Encode(cfg->client_key_pem);
    auto wrong = loadFrom(
        writeKubeconfig(dir.file("wrong-ca.kubeconfig"), cfg->server,
                        {"certificate-authority-data: " + tk::base64Encode(other_cfg->ca_pem)},
                        {"client-certificate-data: " + tk::base64Encode(cfg->client_cert_pem),
                         "client-key-data: " + key_data}));
    Said said;
    tk::Client client(optionsFor(wrong, said));
    try {
        client.get(tk::ResourceRef{"", "v1", "secrets", ""}, "any");
        ADD_FAILURE() << "a server the CA did not sign was trusted";
    } catch (const tk::KubeError& e) {
        said.add(e.what());
        const std::string msg = e.what();
        EXPECT_EQ(e.reason(), "TLSError") << msg;
        EXPECT_NE(msg.find(cfg->server), std::string::npos) << msg;
        EXPECT_NE(msg.find("certificate"), std::string::npos) << msg;
        EXPECT_FALSE(e.retryable());
    }
    said.expectNoKeyMaterial(cfg->client_key_pem, key_data);
}

TEST(EmulatorTls, InsecureSkipTlsVerifyWithClientCertificate) {
    kubetest::TempDir dir;
    Emulator emulator(dir, true);
    auto cfg = emulator.config(20s);
    ASSERT_TRUE(cfg);
    const std::string key_data = tk::base64Encode(cfg->client_key_pem);
    auto insecure = loadFrom(writeKubeconfig(
        dir.file("insecure.kubeconfig"), cfg->server, {"insecure-skip-tls-verify: true"},
        {"client-certificate-data: " + tk::base64Encode(cfg->client_cert_pem),
         "client-key-data: " + key_data}));
    ASSERT_TRUE(insecure.insecure_skip_tls_verify);
    ASSERT_TRUE(insecure.ca_pem.empty());
    Said said;
    tk::Client client(optionsFor(insecure, said));
    // The server is not verified, but the client certificate is still presented: a 401 would
    // mean it was not.
    crudAndWatch(client, "insecure");
    said.expectNoKeyMaterial(cfg->client_key_pem, key_data);
}
