// `tshost check CONFIG [--probe-image IMAGE] [--json]`: the preflight before a long experiment.
// The config against its plugins, the storage end to end (the checks of `tshost storage check`),
// and the platform's own preflight (Kubernetes platforms: kubeconfig, namespace, CRDs, access;
// with --probe-image a pod fetching the host's metrics endpoint, which is started for that).
// Exit status: 0 every check passed, 1 a check failed, 2 usage or config error. Details come
// from the plugins, which never put secrets in them.
#include <algorithm>
#include <boost/program_options.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/experiment_dir.hpp"
#include "cli/experiment_session.hpp"
#include "cli/network_options.hpp"
#include "cli/probe_endpoint.hpp"
#include "engine/ids.hpp"
#include "storage/check.hpp"

namespace po = boost::program_options;

namespace tshost::cli {
namespace {

using nlohmann::json;

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;
constexpr int kMaxProbeSeconds = 3600;
// The storage part checks that the store works, not its speed: a small throughput probe.
constexpr uint64_t kStorageProbeBytes = uint64_t{1} << 20;

constexpr const char* kUsageText =
    "check CONFIG [--probe-image IMAGE [--probe-timeout S]] [--json] [--port N] "
    "[--metrics-bind ADDR]\n"
    "\n"
    "Checks, before a long experiment, what CONFIG needs: its plugins and sections; the store\n"
    "(write, read back, stat, list, remove, as 'tshost storage check'); and the platform: for\n"
    "Kubernetes the kubeconfig and context, the API server, the namespace, that the CRD is\n"
    "served and that the credentials may create, watch and delete what the experiment does.\n"
    "--probe-image starts the trial-metrics endpoint as 'run' would (port + 1, nniManagerIp)\n"
    "and has a pod with IMAGE fetch it, then deletes the pod.\n"
    "\n"
    "Exit status: 0 every check passed; 1 a check failed; 2 usage or config error.\n";

class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class State { ok, failed, skipped };

struct Row {
    std::string part;  // config, storage, host, platform
    std::string check;
    State state = State::ok;
    std::string detail;
    std::string fix;
};

const char* state_text(State s) {
    return s == State::ok ? "ok" : (s == State::failed ? "FAIL" : "skip");
}

void add_storage_rows(const CheckedConfig& checked, const std::string& experiment,
                      std::vector<Row>& rows) {
    storage::CheckOptions options;
    options.throughput_bytes = kStorageProbeBytes;
    storage::CheckReport report;
    try {
        plugin::InstanceOptions instance;
        instance.experiment_json = experiment;
        plugin::StorageInstance store(*checked.storage, checked.config.storage->config.dump(),
                                      instance);
        report = storage::check_storage(store, options);
    } catch (const plugin::PluginError& e) {
        report = storage::open_failed_report(e.status(), e.what());
    }
    for (const auto& step : report.steps) {
        rows.push_back({"storage", "storage " + step.name,
                        !step.ran ? State::skipped : (step.ok ? State::ok : State::failed),
                        step.ran ? step.detail : "not run: an earlier step failed",
                        step.ran && !step.ok ? step.fix : ""});
    }
}

// The platform's checks (a JSON array from its preflight) as rows; a preflight that failed
// without saying which check adds one row with its message.
void add_platform_rows(const plugin::PreflightResult& result, std::vector<Row>& rows) {
    const json checks = json::parse(result.checks_json, nullptr, false);
    bool any_failed = false;
    if (checks.is_array()) {
        for (const json& c : checks) {
            if (!c.is_object()) {
                continue;
            }
            const bool ok = c.value("ok", false);
            any_failed = any_failed || !ok;
            rows.push_back({"platform", c.value("check", std::string("(unnamed)")),
                            ok ? State::ok : State::failed, c.value("detail", std::string()),
                            ok ? "" : c.value("fix", std::string())});
        }
    }
    if (result.status != TSH_OK && !any_failed) {
        rows.push_back({"platform", "preflight", State::failed, result.message,
                        "fix what the message names, then run the check again"});
    }
}

struct ProbeRequest {
    std::string image;
    int timeout_s = 120;
};

std::optional<ProbeRequest> probe_request(const po::variables_map& vm) {
    const int timeout = vm["probe-timeout"].as<int>();
    if (timeout < 1 || timeout > kMaxProbeSeconds) {
        throw UsageError("--probe-timeout must be between 1 and " +
                         std::to_string(kMaxProbeSeconds) + " seconds");
    }
    if (vm.count("probe-image") == 0U) {
        return std::nullopt;
    }
    const std::string image = vm["probe-image"].as<std::string>();
    if (image.empty()) {
        throw UsageError("--probe-image needs an image name, e.g. python:3-slim");
    }
    return ProbeRequest{image, timeout};
}

void print_rows(const std::vector<Row>& rows, const std::string& file, std::ostream& out) {
    size_t width = 5;
    for (const Row& r : rows) {
        width = std::max(width, r.check.size());
    }
    out << "Checking " << file << '\n';
    int counts[3] = {0, 0, 0};
    for (const Row& r : rows) {
        ++counts[static_cast<int>(r.state)];
        out << "  " << state_text(r.state)
            << std::string(6 - std::string(state_text(r.state)).size(), ' ') << r.check
            << std::string(width + 2 - r.check.size(), ' ') << r.detail << '\n';
        if (!r.fix.empty()) {
            out << "        fix: " << r.fix << '\n';
        }
    }
    out << rows.size() << " checks: " << counts[0] << " ok, " << counts[1] << " failed, "
        << counts[2] << " skipped. " << (counts[1] == 0 ? "Ready." : "Fix the failures above.")
        << '\n';
}

json rows_json(const std::vector<Row>& rows, const std::string& file, bool ok) {
    json checks = json::array();
    for (const Row& r : rows) {
        checks.push_back({{"part", r.part},
                          {"check", r.check},
                          {"ok", r.state != State::failed},
                          {"skipped", r.state == State::skipped},
                          {"detail", r.detail},
                          {"fix", r.fix}});
    }
    return {{"config", file}, {"ok", ok}, {"checks", checks}};
}

int check(const GlobalOptions& global, const po::variables_map& vm) {
    const std::string file = vm["config"].as<std::string>();
    std::optional<ProbeRequest> probe;
    std::optional<int> port;
    try {
        probe = probe_request(vm);
        port = port_option(vm);
    } catch (const std::runtime_error& e) {
        std::cerr << "tshost check: " << e.what() << '\n';
        return kUsage;
    }
    const CheckedConfig checked = check_config(global, file);  // ConfigError: exit 2
    const auto& c = checked.config;
    std::vector<Row> rows;
    rows.push_back({"config", "config", State::ok,
                    "platform '" + c.platform.plugin + "'" +
                        (checked.storage != nullptr ? ", storage '" + c.storage->plugin + "'"
                                                    : std::string(", no storage section")) +
                        ": the plugins loaded and their sections match their schemas",
                    ""});

    const std::string id = engine::random_id(8, [](const std::string&) { return false; });
    const std::string experiment = experiment_json(id, c, resolve_data_dir(global.data_dir) / id);
    if (checked.storage != nullptr) {
        add_storage_rows(checked, experiment, rows);
    }

    std::unique_ptr<ProbeEndpoint> endpoint;
    json options = json::object();
    if (probe && c.metrics_transport != "push") {
        rows.push_back({"host", "metrics endpoint", State::skipped,
                        "metricsTransport: storage: trials report through the share and the host "
                        "opens no port, so there is nothing for a probe pod to reach",
                        ""});
    } else if (probe) {
        try {
            endpoint = std::make_unique<ProbeEndpoint>(c, id, port.value_or(c.port),
                                                       metrics_bind_option(vm));
            rows.push_back({"host", "metrics endpoint", State::ok,
                            "listening on " + endpoint->listening() + ", pods are told " +
                                endpoint->healthz_url(),
                            ""});
            options["probe"] = {{"image", probe->image},
                                {"url", endpoint->healthz_url()},
                                {"timeoutSeconds", probe->timeout_s}};
        } catch (const std::exception& e) {
            rows.push_back({"host", "metrics endpoint", State::failed, e.what(),
                            "free the port (the web port + 1), or choose another with --port; "
                            "--metrics-bind must be an address of this host"});
        }
    }

    try {
        plugin::InstanceOptions instance;
        instance.experiment_json = experiment;
        plugin::PlatformInstance platform(*checked.platform, c.platform.config.dump(), instance);
        if (!platform.has_preflight()) {
            rows.push_back({"platform", "platform " + c.platform.plugin, State::ok,
                            "'" + c.platform.plugin +
                                "' has no cluster to check (it runs trials on this host); "
                                "checked: the config, its plugins" +
                                (checked.storage != nullptr ? ", the storage" : std::string()),
                            ""});
        } else {
            const plugin::PreflightResult result = platform.preflight(options.dump());
            add_platform_rows(result, rows);
            if (options.contains("probe") && !result.options_passed) {
                rows.push_back({"platform", "probe", State::skipped,
                                "plugin '" + c.platform.plugin +
                                    "' was built for plugin ABI 1.0, which cannot run a probe "
                                    "pod; its other checks ran",
                                ""});
            }
        }
    } catch (const plugin::PluginError& e) {
        rows.push_back({"platform", "platform " + c.platform.plugin, State::failed, e.what(),
                        "fix what the message names, then run the check again"});
    }
    if (endpoint) {
        rows.push_back({"host", "metrics endpoint requests", State::ok,
                        std::to_string(endpoint->health_checks()) +
                            " healthz request(s) reached this host during the check",
                        ""});
    }

    bool ok = true;
    for (const Row& r : rows) {
        ok = ok && r.state != State::failed;
    }
    if (vm["json"].as<bool>()) {
        std::cout << rows_json(rows, file, ok).dump(2) << '\n';
    } else {
        print_rows(rows, file, std::cout);
    }
    return ok ? kOk : kFailed;
}

}  // namespace

Command check_command() {
    Command c{"check",
              "Check that an experiment can run: config, storage, cluster access and CRDs, and "
              "(--probe-image) that pods reach the metrics port",
              [](po::options_description& o) {
                  o.add_options()("config", po::value<std::string>()->required(),
                                  "the experiment config file")(
                      "probe-image", po::value<std::string>(),
                      "also run a pod with this image that fetches the host's metrics endpoint")(
                      "probe-timeout", po::value<int>()->default_value(120),
                      "seconds the probe pod may take, image pull included")(
                      "json", po::bool_switch(), "print JSON");
                  add_network_options(o);
              },
              check, "config"};
    c.usage = kUsageText;
    return c;
}

}  // namespace tshost::cli
