// runPreflight: the checks in order, each on what the earlier ones established. The pure
// wording is in preflight_checks.cpp; the probe pod's life is in probe_pod.cpp.
#include "tshost/kube/preflight.hpp"

#include <algorithm>
#include <stdexcept>

#include "kube/preflight_checks.hpp"
#include "kube/probe_pod.hpp"
#include "tshost/kube/client.hpp"

namespace tshost::kube {
namespace {

using json = nlohmann::json;

ClientOptions preflightOptions(const PreflightRequest& request, ResolvedConfig config) {
    ClientOptions options;
    options.config = std::move(config);
    options.log = request.log;
    options.connect_timeout = std::min(options.connect_timeout, request.request_timeout);
    options.request_timeout = request.request_timeout;
    options.retry_deadline = request.request_timeout;
    // Reviews are many small requests at once: client-go's 5 QPS would make them slow.
    options.qps = 50;
    options.burst = 100;
    return options;
}

std::vector<VerbReview> reviewVerbs(Client& client, const NeededAccess& resource,
                                    const std::string& ns) {
    const ResourceRef reviews{"authorization.k8s.io", "v1", "selfsubjectaccessreviews", "", true};
    std::vector<VerbReview> out;
    for (const std::string& verb : resource.verbs) {
        VerbReview r{verb, std::nullopt, std::nullopt};
        try {
            const CreateResult created = client.create(reviews, accessReview(resource, verb, ns));
            r.status = created.object.value("status", json::object());
        } catch (const KubeError& e) {
            r.error = e.message();
        }
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace

std::vector<PreflightCheck> runPreflight(const PreflightRequest& request) {
    std::vector<PreflightCheck> checks;
    ResolvedConfig config;
    try {
        config = loadConfig(request.load);
    } catch (const KubeError& e) {
        checks.push_back(kubeconfigFailed(e));
        return checks;
    }
    if (config.namespace_name.empty()) {
        config.namespace_name = "default";
    }
    checks.push_back(kubeconfigCheck(config));
    const std::string ns = config.namespace_name;
    const std::string context = config.context_name;
    Client client(preflightOptions(request, config));

    try {
        const json version = client.serverVersion();
        checks.push_back(serverCheck(client.config(), &version, nullptr));
    } catch (const KubeError& e) {
        checks.push_back(serverCheck(client.config(), nullptr, &e));
        if (!checks.back().ok) {
            return checks;  // nothing further can be learnt without the server
        }
    }

    try {
        client.get(ResourceRef{"", "v1", "namespaces", "", true}, ns);
        checks.push_back(namespaceCheck(ns, nullptr));
    } catch (const KubeError& e) {
        checks.push_back(namespaceCheck(ns, &e));
    }
    const bool namespace_ok = checks.back().ok;

    for (const NeededAccess& resource : request.access) {
        if (resource.group.empty()) {
            continue;  // core resources are always served
        }
        try {
            const json list = client.discover(resource.group, resource.version);
            checks.push_back(crdCheck(resource, &list, nullptr));
        } catch (const KubeError& e) {
            checks.push_back(crdCheck(resource, nullptr, &e));
        }
    }

    bool access_ok = true;
    for (const NeededAccess& resource : request.access) {
        checks.push_back(accessCheck(resource, ns, context, reviewVerbs(client, resource, ns)));
        access_ok = access_ok && checks.back().ok;
    }

    if (request.probe) {
        // The probe needs only pods, not the custom resources.
        if (namespace_ok && access_ok) {
            checks.push_back(runProbe(client, *request.probe, ns));
        } else {
            checks.push_back(PreflightCheck{
                kProbeCheckName, false,
                "not run: the namespace or the access the probe pod needs failed above",
                "fix the checks above first"});
        }
    }
    return checks;
}

json preflightJson(const std::vector<PreflightCheck>& checks) {
    json out = json::array();
    for (const PreflightCheck& c : checks) {
        out.push_back({{"check", c.check}, {"ok", c.ok}, {"detail", c.detail}, {"fix", c.fix}});
    }
    return out;
}

bool allPassed(const std::vector<PreflightCheck>& checks) {
    for (const PreflightCheck& c : checks) {
        if (!c.ok) {
            return false;
        }
    }
    return true;
}

std::optional<ProbeRequest> probeFromOptions(
    std::string_view options_json, std::vector<std::pair<std::string, std::string>> labels) {
    const json options =
        options_json.empty() ? json::object() : json::parse(options_json, nullptr, false);
    if (!options.is_object()) {
        throw std::invalid_argument("preflight options are not a JSON object");
    }
    const auto it = options.find("probe");
    if (it == options.end() || it->is_null()) {
        return std::nullopt;
    }
    if (!it->is_object() || !(*it).value("image", json()).is_string() ||
        !(*it).value("url", json()).is_string() || (*it)["image"].get<std::string>().empty() ||
        (*it)["url"].get<std::string>().empty()) {
        throw std::invalid_argument("preflight options: probe needs an image and a url");
    }
    ProbeRequest probe;
    probe.image = (*it)["image"].get<std::string>();
    probe.url = (*it)["url"].get<std::string>();
    const int64_t seconds = it->value("timeoutSeconds", int64_t{0});
    if (seconds > 0) {
        probe.timeout = std::chrono::seconds(seconds);
    }
    probe.labels = std::move(labels);
    return probe;
}

}  // namespace tshost::kube
