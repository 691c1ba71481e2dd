// kube-emulator: a local Kubernetes API server with simulated FrameworkController and Kubeflow
// training operators whose pods run as local processes. See README.md.
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "admission.hpp"
#include "api.hpp"
#include "events.hpp"
#include "faults.hpp"
#include "framework_operator.hpp"
#include "http_server.hpp"
#include "kubeconfig.hpp"
#include "kubeflow_operator.hpp"
#include "kubelet.hpp"
#include "process.hpp"
#include "resources.hpp"
#include "store.hpp"
#include "tls_pki.hpp"
#include "watch_hub.hpp"

#ifndef KEMU_DEFAULT_CRD_DIR
#define KEMU_DEFAULT_CRD_DIR ""
#endif

namespace {

constexpr const char* kUsage =
    "usage: kube-emulator --listen 127.0.0.1:PORT --write-kubeconfig FILE --workdir DIR\n"
    "  [--crd-dir DIR] [--nfs-root DIR] [--azure-root DIR] [--mount-mode auto|namespace|rewrite]\n"
    "  [--watch-history N] [--bookmark-interval-ms MS] [--max-body-bytes N]\n"
    "  [--max-grace-seconds N] [--fault-seed N] [--tls [--write-pki DIR]]\n"
    "  [--deny VERB:RESOURCE]... [--without-resource PLURAL[.GROUP]]... [--strict-namespaces]\n";

struct Options {
    std::string listen = "127.0.0.1:0";
    std::string kubeconfig;
    std::string workdir;
    std::string crd_dir = KEMU_DEFAULT_CRD_DIR;
    std::string nfs_root;
    std::string azure_root;
    std::string mount_mode = "auto";
    std::size_t watch_history = 10000;
    long bookmark_ms = 60000;
    std::size_t max_body = 3 * 1024 * 1024;
    int max_grace = 5;
    std::uint64_t fault_seed = 1;
    bool tls = false;
    std::string pki_dir;
    std::vector<std::string> deny;              // repeatable
    std::vector<std::string> without_resource;  // repeatable
    bool strict_namespaces = false;
};

bool parse(int argc, char** argv, Options& o) {
    std::map<std::string, std::string> values;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            return false;
        }
        if (arg == "--tls") {  // the flags without a value
            o.tls = true;
            continue;
        }
        if (arg == "--strict-namespaces") {
            o.strict_namespaces = true;
            continue;
        }
        if ((arg == "--deny" || arg == "--without-resource") && i + 1 < argc) {  // repeatable
            (arg == "--deny" ? o.deny : o.without_resource).emplace_back(argv[++i]);
            continue;
        }
        if (arg.rfind("--", 0) != 0) {
            std::cerr << "unexpected argument: " << arg << "\n";
            return false;
        }
        const auto eq = arg.find('=');
        if (eq != std::string::npos) {
            values[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
        } else if (i + 1 < argc) {
            values[arg.substr(2)] = argv[++i];
        } else {
            std::cerr << "missing value for " << arg << "\n";
            return false;
        }
    }
    try {
        for (const auto& [k, v] : values) {
            if (k == "listen")
                o.listen = v;
            else if (k == "write-kubeconfig")
                o.kubeconfig = v;
            else if (k == "workdir")
                o.workdir = v;
            else if (k == "crd-dir")
                o.crd_dir = v;
            else if (k == "nfs-root")
                o.nfs_root = v;
            else if (k == "azure-root")
                o.azure_root = v;
            else if (k == "mount-mode")
                o.mount_mode = v;
            else if (k == "watch-history")
                o.watch_history = std::stoul(v);
            else if (k == "bookmark-interval-ms")
                o.bookmark_ms = std::stol(v);
            else if (k == "max-body-bytes")
                o.max_body = std::stoul(v);
            else if (k == "max-grace-seconds")
                o.max_grace = std::stoi(v);
            else if (k == "fault-seed")
                o.fault_seed = std::stoull(v);
            else if (k == "write-pki")
                o.pki_dir = v;
            else {
                std::cerr << "unknown option --" << k << "\n";
                return false;
            }
        }
    } catch (const std::exception&) {
        std::cerr << "invalid numeric option value\n";
        return false;
    }
    if (o.kubeconfig.empty() || o.workdir.empty() || o.watch_history == 0 || o.bookmark_ms <= 0 ||
        (o.mount_mode != "auto" && o.mount_mode != "namespace" && o.mount_mode != "rewrite") ||
        (!o.pki_dir.empty() && !o.tls)) {
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    if (!parse(argc, argv, opt)) {
        std::cerr << kUsage;
        return 2;
    }
    // A client that disappears must not kill the server with SIGPIPE.
    signal(SIGPIPE, SIG_IGN);
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(opt.workdir, ec);
    const std::string workdir = fs::absolute(opt.workdir).string();
    if (opt.nfs_root.empty())
        opt.nfs_root = workdir + "/nfs";
    if (opt.azure_root.empty())
        opt.azure_root = workdir + "/azure";
    const auto colon = opt.listen.rfind(':');
    if (colon == std::string::npos) {
        std::cerr << "--listen needs HOST:PORT\n";
        return 2;
    }
    using namespace kemu;
    try {
        const bool ns_ok = opt.mount_mode != "rewrite" && mount_namespace_available();
        if (opt.mount_mode == "namespace" && !ns_ok) {
            std::cerr << "kube-emulator: --mount-mode namespace needs CAP_SYS_ADMIN\n";
            return 2;
        }
        Loop loop;
        WatchHub hub(opt.watch_history);
        Store store(hub);
        Faults faults(opt.fault_seed);
        Admission admission(opt.crd_dir);
        EventRecorder events(store);
        Kubelet kubelet(
            loop, store, faults, events,
            KubeletOptions{workdir, fs::absolute(opt.nfs_root).string(),
                           fs::absolute(opt.azure_root).string(), ns_ok, opt.max_grace});
        KubeflowOperator tf(loop, store, events, KubeflowOperator::Flavor::TensorFlow);
        KubeflowOperator pytorch(loop, store, events, KubeflowOperator::Flavor::PyTorch);
        FrameworkOperator framework(loop, store, events);
        ApiHooks hooks;
        for (const auto& rule : opt.deny) {
            if (auto problem = hooks.access.deny(rule)) {
                std::cerr << "kube-emulator: " << *problem << "\n";
                return 2;
            }
        }
        for (const auto& name : opt.without_resource) {
            if (!stop_serving(name)) {
                std::cerr << "kube-emulator: --without-resource " << name
                          << ": no such resource (e.g. frameworks, tfjobs.kubeflow.org)\n";
                return 2;
            }
        }
        hooks.strict_namespaces = opt.strict_namespaces;
        hooks.pod_log = [&kubelet](const std::string& ns, const std::string& pod,
                                   const std::string& c) { return kubelet.log(ns, pod, c); };
        const HttpServer* server_ptr = nullptr;  // set once it listens; the loop runs after
        hooks.stats = [&kubelet, &admission, &server_ptr] {
            json stats = kubelet.stats();
            stats["schemaValidation"] = admission.schema_validation();
            if (server_ptr != nullptr) {
                const ServerCounters& c = server_ptr->counters();
                stats["connections"] = c.connections;
                stats["tlsHandshakes"] = c.tls_handshakes;
                stats["tlsHandshakeFailures"] = c.tls_handshake_failures;
                stats["unauthorized"] = c.unauthorized;
            }
            return stats;
        };
        Api api(loop, store, hub, faults, admission, std::move(hooks));
        ServerOptions so;
        so.host = opt.listen.substr(0, colon);
        so.port = static_cast<unsigned short>(std::stoi(opt.listen.substr(colon + 1)));
        so.body_limit = opt.max_body;
        std::optional<Pki> pki;
        if (opt.tls) {
            pki = generate_pki(so.host);
            so.tls = true;
            so.cert_pem = pki->server_cert_pem;
            so.key_pem = pki->server_key_pem;
            so.client_ca_pem = pki->ca_cert_pem;
        }
        HttpServer server(loop, api, so);
        server_ptr = &server;
        const std::string host_in_url =
            so.host.find(':') != std::string::npos ? "[" + so.host + "]" : so.host;
        const std::string address = host_in_url + ":" + std::to_string(server.port());
        const std::string url = (opt.tls ? "https://" : "http://") + address;
        api.set_server_address(address);

        std::shared_ptr<Loop::Timer> bookmarks;
        std::function<void()> tick = [&] {
            hub.bookmark(store.resource_version());
            bookmarks = loop.after(std::chrono::milliseconds(opt.bookmark_ms), tick);
        };
        bookmarks = loop.after(std::chrono::milliseconds(opt.bookmark_ms), tick);

        boost::asio::signal_set stop_signals(loop.io(), SIGTERM, SIGINT);
        stop_signals.async_wait([&](const boost::system::error_code&, int sig) {
            std::cerr << "kube-emulator: signal " << sig << ", stopping\n";
            server.stop();
            loop.stop();
        });

        if (pki && !opt.pki_dir.empty()) {
            write_pki_files(opt.pki_dir, *pki);  // before the kubeconfig: that is the ready signal
        }
        write_kubeconfig(opt.kubeconfig,
                         pki ? KubeconfigData{url,
                                              {},
                                              pki->ca_cert_pem,
                                              pki->client_cert_pem,
                                              pki->client_key_pem}
                             : KubeconfigData{url, "kube-emulator-token", {}, {}, {}});
        std::cout << "kube-emulator listening on " << url
                  << " (mounts: " << (ns_ok ? "namespace" : "rewrite")
                  << ", schema validation: " << (admission.schema_validation() ? "on" : "off")
                  << ")" << std::endl;
        loop.run();
        kubelet.shutdown(std::chrono::milliseconds(2000));
    } catch (const std::exception& e) {
        std::cerr << "kube-emulator: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
