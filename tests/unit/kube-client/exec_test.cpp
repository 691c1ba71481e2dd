#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "client_fixture.hpp"
#include "kube/exec_plugin.hpp"

namespace tk = tshost::kube;
using kubetest::fastOptions;
using kubetest::kTfJobs;
using kubetest::LogCapture;
using kubetest::TempDir;
using kubetest::TestRequest;
using kubetest::TestResponse;
using kubetest::TestServer;
using json = nlohmann::json;

namespace {

// A credential plugin that counts its runs and hands out "exec-token-<run>".
const char* kPlugin = R"(#!/bin/sh
echo run >> "$COUNT_FILE"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$INFO_FILE"
echo "$@" > "$ARGS_FILE"
n=$(wc -l < "$COUNT_FILE" | tr -d ' ')
if [ -n "$FAIL" ]; then echo "leaked-output-xyz"; echo "leaked-stderr-xyz" >&2; exit 3; fi
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"exec-token-%s","expirationTimestamp":"%s"}}\n' "$API" "$n" "$EXPIRY"
)";

struct PluginFixture {
    TempDir dir;
    std::string script = kubetest::writeFile(dir.file("plugin.sh"), kPlugin);
    PluginFixture() { ::chmod(script.c_str(), 0755); }

    tk::ExecConfig exec(const std::string& expiry,
                        const std::string& api = "client.authentication.k8s.io/v1") {
        tk::ExecConfig e;
        e.api_version = "client.authentication.k8s.io/v1";
        e.command = script;
        e.args = {"--flag", "value"};
        e.env = {{"COUNT_FILE", dir.file("count")},
                 {"INFO_FILE", dir.file("info")},
                 {"ARGS_FILE", dir.file("args")},
                 {"EXPIRY", expiry},
                 {"API", api}};
        e.install_hint = "install plugin.sh";
        e.provide_cluster_info = true;
        return e;
    }
    int runs() const {
        std::ifstream in(dir.file("count"));
        int n = 0;
        for (std::string line; std::getline(in, line);) {
            ++n;
        }
        return n;
    }
    std::string read(const std::string& name) const {
        std::ifstream in(dir.file(name));
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
};

TestServer acceptingTokens(std::vector<std::string> accepted) {
    return TestServer([accepted](const TestRequest& r) {
        for (const auto& t : accepted) {
            if (r.headers.at("authorization") == "Bearer " + t) {
                return TestResponse::json(200, R"({"metadata":{"name":"j1"}})");
            }
        }
        return TestResponse::json(401, R"({"kind":"Status","reason":"Unauthorized"})");
    });
}

}  // namespace

TEST(ExecPlugin, CachedUntilExpiry) {
    PluginFixture plugin;
    ::setenv("API", "shadowed/v0", 1);  // the kubeconfig's env entry must win over ours
    ::setenv("KUBERNETES_EXEC_INFO", "{}", 1);
    auto server = acceptingTokens({"exec-token-1"});
    LogCapture logs;
    auto o = fastOptions(server.url(), logs);
    o.config.token.clear();
    o.config.exec = plugin.exec("2099-01-01T00:00:00Z");
    tk::Client client(o);
    for (int i = 0; i < 3; ++i) {
        client.get(kTfJobs, "j1");
    }
    EXPECT_EQ(plugin.runs(), 1);
    EXPECT_EQ(plugin.read("args"), "--flag value\n");
    json info = json::parse(plugin.read("info"));
    EXPECT_EQ(info["apiVersion"], "client.authentication.k8s.io/v1");
    EXPECT_EQ(info["kind"], "ExecCredential");
    EXPECT_EQ(info["spec"]["interactive"], false);
    EXPECT_EQ(info["spec"]["cluster"]["server"], server.url());
    EXPECT_EQ(logs.all().find("exec-token-"), std::string::npos) << logs.all();
    ::unsetenv("API");
    ::unsetenv("KUBERNETES_EXEC_INFO");
}

TEST(ExecPlugin, RerunWhenExpired) {
    PluginFixture plugin;
    auto server = acceptingTokens({"exec-token-1", "exec-token-2"});
    LogCapture logs;
    auto o = fastOptions(server.url(), logs);
    o.config.exec = plugin.exec("2000-01-01T00:00:00Z");
    tk::Client client(o);
    client.get(kTfJobs, "j1");
    client.get(kTfJobs, "j1");
    EXPECT_EQ(plugin.runs(), 2);
}

TEST(ExecPlugin, RerunOn401) {
    PluginFixture plugin;
    auto server = acceptingTokens({"exec-token-2"});  // the first token was revoked
    LogCapture logs;
    auto o = fastOptions(server.url(), logs);
    o.config.exec = plugin.exec("2099-01-01T00:00:00Z");
    tk::Client client(o);
    EXPECT_EQ(client.get(kTfJobs, "j1")["metadata"]["name"], "j1");
    EXPECT_EQ(plugin.runs(), 2);
}

TEST(ExecPlugin, FailuresNameThePluginButNotItsOutput) {
    PluginFixture plugin;
    auto e = plugin.exec("2099-01-01T00:00:00Z");
    e.env.emplace_back("FAIL", "1");
    try {
        tk::runExecPlugin(e, {}, std::chrono::milliseconds(5000));
        FAIL() << "no error";
    } catch (const tk::KubeError& err) {
        std::string m = err.what();
        EXPECT_EQ(err.reason(), "ExecPluginFailed");
        EXPECT_NE(m.find("exited with status 3"), std::string::npos) << m;
        EXPECT_NE(m.find("install plugin.sh"), std::string::npos) << m;
        EXPECT_EQ(m.find("leaked"), std::string::npos) << m;
    }
    auto wrong = plugin.exec("2099-01-01T00:00:00Z", "client.authentication.k8s.io/v1beta1");
    EXPECT_THROW(tk::runExecPlugin(wrong, {}, std::chrono::milliseconds(5000)), tk::KubeError);
    tk::ExecConfig missing = e;
    missing.command = plugin.dir.file("no-such-plugin");
    EXPECT_THROW(tk::runExecPlugin(missing, {}, std::chrono::milliseconds(5000)), tk::KubeError);
}

TEST(ExecPlugin, Rfc3339) {
    auto base = tk::parseRfc3339("2024-05-01T12:00:00Z");
    ASSERT_TRUE(base);
    EXPECT_EQ(tk::parseRfc3339("2024-05-01T14:00:00.123+02:00"), base);
    EXPECT_EQ(std::chrono::system_clock::to_time_t(*base), 1714564800);
    EXPECT_FALSE(tk::parseRfc3339("2024-05-01 12:00"));
    EXPECT_FALSE(tk::parseRfc3339("2024-05-01T12:00:00"));
}
