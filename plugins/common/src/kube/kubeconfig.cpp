// Credential discovery: kubeconfig files (merged like kubectl) and in-cluster service accounts.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "kube/base64.hpp"
#include "tshost/kube/config.hpp"
#include "tshost/kube/error.hpp"

namespace tshost::kube {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void fail(const std::string& message) {
    throw KubeError(0, "InvalidConfig", message);
}

std::optional<std::string> envOf(const LoadOptions& options, const std::string& name) {
    if (options.getenv) {
        return options.getenv(name);
    }
    const char* v = std::getenv(name.c_str());
    return v != nullptr ? std::optional<std::string>(v) : std::nullopt;
}

std::optional<std::string> readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string trimmed(std::string s) {
    auto end = s.find_last_not_of(" \t\r\n");
    s.erase(end == std::string::npos ? 0 : end + 1);
    return s.substr(std::min(s.size(), s.find_first_not_of(" \t\r\n")));
}

std::vector<std::string> splitList(const std::string& list) {
    std::vector<std::string> out;
    std::stringstream ss(list);
    std::string item;
    while (std::getline(ss, item, ':')) {
        if (!item.empty()) {
            out.push_back(item);
        }
    }
    return out;
}

std::string str(const YAML::Node& node, const char* key) {
    const YAML::Node v = node[key];
    return v && v.IsScalar() ? v.as<std::string>() : std::string();
}

// One named entry (cluster/user/context) and the directory its relative paths resolve against.
struct Entry {
    YAML::Node body;
    fs::path dir;
    std::string file;
};

struct Merged {
    std::map<std::string, Entry> clusters, users, contexts;
    std::string current_context;
};

void mergeFile(Merged& merged, const std::string& file, const YAML::Node& root) {
    fs::path dir = fs::absolute(fs::path(file)).parent_path();
    auto take = [&](const char* list, const char* inner, std::map<std::string, Entry>& into) {
        const YAML::Node items = root[list];
        if (!items) {
            return;
        }
        if (!items.IsSequence()) {
            fail("kubeconfig " + file + ": '" + list + "' is not a list");
        }
        for (const auto& item : items) {
            std::string name = str(item, "name");
            if (name.empty()) {
                fail("kubeconfig " + file + ": an entry of '" + list + "' has no name");
            }
            // kubectl: the first file to set a map key wins, and its value is kept whole.
            into.try_emplace(name, Entry{item[inner], dir, file});
        }
    };
    take("clusters", "cluster", merged.clusters);
    take("users", "user", merged.users);
    take("contexts", "context", merged.contexts);
    if (merged.current_context.empty()) {
        merged.current_context = str(root, "current-context");
    }
}

// A file path field or its inline base64 "-data" twin; "" when neither is set.
std::string fileOrData(const Entry& e, const char* file_key, const std::string& what) {
    std::string data = str(e.body, (std::string(file_key) + "-data").c_str());
    if (!data.empty()) {
        auto decoded = base64Decode(data);
        if (!decoded) {
            fail("kubeconfig " + e.file + ": " + what + ": " + file_key + "-data is not base64");
        }
        return *decoded;
    }
    std::string path = str(e.body, file_key);
    if (path.empty()) {
        return {};
    }
    fs::path p = fs::path(path).is_absolute() ? fs::path(path) : e.dir / path;
    auto content = readFile(p);
    if (!content) {
        fail("kubeconfig " + e.file + ": " + what + ": cannot read " + file_key + " " + p.string());
    }
    return *content;
}

bool boolField(const YAML::Node& node, const char* key) {
    const YAML::Node v = node[key];
    return v && v.IsScalar() && v.as<bool>(false);
}

ExecConfig parseExec(const Entry& user, const YAML::Node& exec, const std::string& what) {
    ExecConfig cfg;
    cfg.api_version = str(exec, "apiVersion");
    cfg.command = str(exec, "command");
    if (cfg.command.empty()) {
        fail("kubeconfig " + user.file + ": " + what + ": exec has no command");
    }
    if (cfg.api_version != "client.authentication.k8s.io/v1" &&
        cfg.api_version != "client.authentication.k8s.io/v1beta1") {
        fail("kubeconfig " + user.file + ": " + what + ": exec apiVersion '" + cfg.api_version +
             "' is not supported (use client.authentication.k8s.io/v1 or v1beta1)");
    }
    // Like kubectl: a command with a path separator is relative to the kubeconfig, a bare name
    // is looked up on PATH.
    if (cfg.command.find('/') != std::string::npos && !fs::path(cfg.command).is_absolute()) {
        cfg.command = (user.dir / cfg.command).lexically_normal().string();
    }
    if (const YAML::Node args = exec["args"]; args && args.IsSequence()) {
        for (const auto& a : args) {
            cfg.args.push_back(a.as<std::string>());
        }
    }
    if (const YAML::Node env = exec["env"]; env && env.IsSequence()) {
        for (const auto& e : env) {
            cfg.env.emplace_back(str(e, "name"), str(e, "value"));
        }
    }
    cfg.install_hint = str(exec, "installHint");
    cfg.provide_cluster_info = boolField(exec, "provideClusterInfo");
    return cfg;
}

const Entry& lookup(const std::map<std::string, Entry>& map, const std::string& name,
                    const std::string& kind, const std::string& context, const std::string& files) {
    auto it = map.find(name);
    if (it == map.end()) {
        fail("kubeconfig " + files + ": context '" + context + "' refers to " + kind + " '" + name +
             "', which is not defined");
    }
    return it->second;
}

}  // namespace

ResolvedConfig loadKubeconfig(const std::vector<std::string>& files, const LoadOptions& options) {
    Merged merged;
    std::string names;
    for (const auto& file : files) {
        names += (names.empty() ? "" : ":") + file;
    }
    int loaded = 0;
    for (const auto& file : files) {
        if (!fs::exists(file)) {
            continue;  // kubectl ignores missing files in the list
        }
        YAML::Node root;
        try {
            root = YAML::LoadFile(file);
        } catch (const YAML::Exception& e) {
            fail("kubeconfig " + file + ": not valid YAML: " + e.what());
        }
        if (root.IsNull()) {
            continue;
        }
        if (!root.IsMap()) {
            fail("kubeconfig " + file + ": not a kubeconfig (top level is not a map)");
        }
        mergeFile(merged, file, root);
        ++loaded;
    }
    if (loaded == 0) {
        fail("no kubeconfig found in " + names);
    }

    ResolvedConfig out;
    out.source = "kubeconfig " + names;
    out.context_name = options.context.empty() ? merged.current_context : options.context;
    if (out.context_name.empty()) {
        fail("kubeconfig " + names + ": no current-context is set and no context was given");
    }
    auto ctx_it = merged.contexts.find(out.context_name);
    if (ctx_it == merged.contexts.end()) {
        fail("kubeconfig " + names + ": context '" + out.context_name + "' is not defined");
    }
    const Entry& ctx = ctx_it->second;
    const Entry& cluster =
        lookup(merged.clusters, str(ctx.body, "cluster"), "cluster", out.context_name, names);
    const Entry& user =
        lookup(merged.users, str(ctx.body, "user"), "user", out.context_name, names);

    out.namespace_name =
        !options.namespace_name.empty() ? options.namespace_name : str(ctx.body, "namespace");
    if (out.namespace_name.empty()) {
        out.namespace_name = "default";
    }

    std::string cluster_what = "cluster '" + str(ctx.body, "cluster") + "'";
    out.server = str(cluster.body, "server");
    while (!out.server.empty() && out.server.back() == '/') {
        out.server.pop_back();
    }
    if (out.server.empty()) {
        fail("kubeconfig " + cluster.file + ": " + cluster_what + " has no server");
    }
    out.insecure_skip_tls_verify = boolField(cluster.body, "insecure-skip-tls-verify");
    out.tls_server_name = str(cluster.body, "tls-server-name");
    out.ca_pem = fileOrData(cluster, "certificate-authority", cluster_what);

    std::string user_what = "user '" + str(ctx.body, "user") + "'";
    out.client_cert_pem = fileOrData(user, "client-certificate", user_what);
    out.client_key_pem = fileOrData(user, "client-key", user_what);
    if (out.client_cert_pem.empty() != out.client_key_pem.empty()) {
        fail("kubeconfig " + user.file + ": " + user_what +
             ": client-certificate and client-key must be set together");
    }
    out.token = str(user.body, "token");
    if (std::string tf = str(user.body, "tokenFile"); !tf.empty()) {
        out.token_file = fs::path(tf).is_absolute() ? tf : (user.dir / tf).string();
    }
    out.username = str(user.body, "username");
    out.password = str(user.body, "password");
    if (const YAML::Node exec = user.body["exec"]; exec && exec.IsMap()) {
        out.exec = parseExec(user, exec, user_what);
    }
    if (user.body["auth-provider"] && out.token.empty() && out.token_file.empty() && !out.exec &&
        out.client_cert_pem.empty()) {
        fail("kubeconfig " + user.file + ": " + user_what +
             ": auth-provider is not supported; configure an exec credential plugin instead");
    }
    return out;
}

ResolvedConfig loadInClusterConfig(const LoadOptions& options) {
    auto host = envOf(options, "KUBERNETES_SERVICE_HOST");
    auto port = envOf(options, "KUBERNETES_SERVICE_PORT");
    if (!host || host->empty() || !port || port->empty()) {
        fail("in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
    }
    fs::path root(options.in_cluster_root);
    ResolvedConfig out;
    out.source = "in-cluster";
    bool ipv6 = host->find(':') != std::string::npos;
    out.server = "https://" + (ipv6 ? "[" + *host + "]" : *host) + ":" + *port;
    out.token_file = (root / "token").string();
    if (!fs::exists(out.token_file)) {
        fail("in-cluster config: service account token " + out.token_file + " does not exist");
    }
    auto ca = readFile(root / "ca.crt");
    if (!ca) {
        fail("in-cluster config: cannot read " + (root / "ca.crt").string());
    }
    out.ca_pem = *ca;
    if (!options.namespace_name.empty()) {
        out.namespace_name = options.namespace_name;
    } else if (auto ns = readFile(root / "namespace")) {
        out.namespace_name = trimmed(*ns);
    }
    if (out.namespace_name.empty()) {
        out.namespace_name = "default";
    }
    return out;
}

ResolvedConfig loadConfig(const LoadOptions& options) {
    if (options.kubeconfig) {
        return loadKubeconfig(splitList(*options.kubeconfig), options);
    }
    if (auto env = envOf(options, "KUBECONFIG"); env && !env->empty()) {
        return loadKubeconfig(splitList(*env), options);
    }
    if (auto home = envOf(options, "HOME"); home && !home->empty()) {
        fs::path file = fs::path(*home) / ".kube" / "config";
        if (fs::exists(file)) {
            return loadKubeconfig({file.string()}, options);
        }
    }
    if (auto host = envOf(options, "KUBERNETES_SERVICE_HOST"); host && !host->empty()) {
        return loadInClusterConfig(options);
    }
    fail("no Kubernetes credentials: set KUBECONFIG, create ~/.kube/config, or run in a cluster");
}

}  // namespace tshost::kube
