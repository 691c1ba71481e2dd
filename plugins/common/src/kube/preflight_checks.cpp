#include "kube/preflight_checks.hpp"

#include <algorithm>

namespace tshost::kube {
namespace {

using json = nlohmann::json;

std::string displayName(const NeededAccess& r) {
    return r.group.empty() ? r.plural : r.plural + "." + r.group;
}

std::string groupVersion(const NeededAccess& r) {
    return r.group.empty() ? r.version : r.group + "/" + r.version;
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

std::string join(const std::vector<std::string>& items, const char* separator) {
    std::string out;
    for (const auto& item : items) {
        out += (out.empty() ? "" : separator) + item;
    }
    return out;
}

PreflightCheck passed(std::string name, std::string detail) {
    return PreflightCheck{std::move(name), true, std::move(detail), ""};
}

PreflightCheck failed(std::string name, std::string detail, std::string fix) {
    return PreflightCheck{std::move(name), false, std::move(detail), std::move(fix)};
}

std::string contextText(const ResolvedConfig& c) {
    return c.context_name.empty() ? std::string("the in-cluster service account")
                                  : "context '" + c.context_name + "'";
}

// Who installs a custom resource, for the fix of a CRD that is not served.
std::string installHint(const std::string& group) {
    if (group == "frameworkcontroller.microsoft.com") {
        return "install FrameworkController (github.com/microsoft/frameworkcontroller)";
    }
    if (group == "kubeflow.org") {
        return "install the Kubeflow training operator (github.com/kubeflow/training-operator)";
    }
    return "install the operator that defines it";
}

// The first container status of a pod, or null.
json containerStatus(const json& pod) {
    const json status = pod.value("status", json::object());
    const json statuses = status.value("containerStatuses", json::array());
    return statuses.is_array() && !statuses.empty() ? statuses[0] : json();
}

std::string urlHostPort(const std::string& url) {
    const auto start = url.find("://");
    const auto from = start == std::string::npos ? 0 : start + 3;
    return url.substr(from, url.find('/', from) - from);
}

}  // namespace

const char* const kProbeCheckName = "probe: pod reaches the metrics port";

PreflightCheck kubeconfigCheck(const ResolvedConfig& config) {
    std::string detail = config.context_name.empty()
                             ? "in-cluster service account"
                             : "context '" + config.context_name + "' of " + config.source;
    return passed("kubeconfig", detail + ", namespace '" + config.namespace_name + "'");
}

PreflightCheck kubeconfigFailed(const KubeError& error) {
    const std::string& message = error.message();
    std::string fix;
    if (contains(message, "is not defined")) {
        fix =
            "set trainingService.context to one of the contexts `kubectl config get-contexts` "
            "lists, or leave it out to use the kubeconfig's current-context";
    } else if (contains(message, "no kubeconfig found") ||
               contains(message, "no Kubernetes credentials")) {
        fix = "set trainingService.kubeconfig to your kubeconfig file (or export KUBECONFIG)";
    } else if (contains(message, "current-context")) {
        fix = "set trainingService.context, or `kubectl config use-context NAME`";
    } else {
        fix =
            "correct the kubeconfig named above, or point trainingService.kubeconfig at "
            "another one";
    }
    return failed("kubeconfig", message, fix);
}

PreflightCheck serverCheck(const ResolvedConfig& config, const json* version,
                           const KubeError* error) {
    if (error == nullptr || (error->code() != 0 && error->code() != 401)) {
        std::string detail = config.server + " answers";
        if (version != nullptr && version->is_object()) {
            detail += " (Kubernetes " + version->value("gitVersion", std::string("?")) + ")";
        }
        return passed("API server", detail);
    }
    const std::string ctx = config.context_name.empty()
                                ? std::string("kubectl version")
                                : "kubectl --context " + config.context_name + " version";
    if (error->code() == 401) {
        return failed("API server",
                      config.server + " refused the credentials of " + contextText(config),
                      "renew them (log in again, or a fresh token or certificate in the "
                      "kubeconfig); `" +
                          ctx + "` must work");
    }
    return failed("API server", error->message(),
                  "make " + config.server +
                      " reachable from this host (VPN, proxy, firewall) or correct the "
                      "kubeconfig's server URL; `" +
                      ctx + "` must work");
}

PreflightCheck namespaceCheck(const std::string& ns, const KubeError* error) {
    if (error == nullptr) {
        return passed("namespace", "namespace '" + ns + "' exists");
    }
    if (error->code() == 404) {
        return failed("namespace", "namespace '" + ns + "' does not exist",
                      "create it (`kubectl create namespace " + ns +
                          "`) or set trainingService.namespace to an existing one");
    }
    if (error->code() == 403) {
        return passed("namespace", "namespace '" + ns +
                                       "' cannot be read with these credentials (forbidden); "
                                       "the access checks tell what may be done in it");
    }
    return failed("namespace", error->message(), "check with `kubectl get namespace " + ns + "`");
}

PreflightCheck crdCheck(const NeededAccess& resource, const json* resource_list,
                        const KubeError* error) {
    const std::string name = "CRD " + displayName(resource);
    const std::string gv = groupVersion(resource);
    if (error != nullptr) {
        if (error->code() == 404) {
            return failed(
                name,
                "the API server does not serve " + gv + " (no CRD " + displayName(resource) + ")",
                installHint(resource.group) + "; `kubectl get crd " + displayName(resource) +
                    "` shows it once installed");
        }
        return failed(name, "discovery of " + gv + " failed: " + error->message(),
                      "check with `kubectl api-resources --api-group=" + resource.group + "`");
    }
    const json resources = resource_list != nullptr && resource_list->is_object()
                               ? resource_list->value("resources", json::array())
                               : json::array();
    for (const json& r : resources) {
        if (r.is_object() && r.value("name", "") == resource.plural) {
            return passed(name, "served as " + gv + " (kind " + r.value("kind", "?") + ")");
        }
    }
    return failed(
        name, gv + " is served but has no resource '" + resource.plural + "'",
        installHint(resource.group) + " in a version that serves " + gv + "/" + resource.plural);
}

json accessReview(const NeededAccess& resource, const std::string& verb, const std::string& ns) {
    json attributes = {{"verb", verb},
                       {"group", resource.group},
                       {"version", resource.version},
                       {"resource", resource.plural}};
    if (!ns.empty()) {
        attributes["namespace"] = ns;
    }
    return {{"apiVersion", "authorization.k8s.io/v1"},
            {"kind", "SelfSubjectAccessReview"},
            {"spec", {{"resourceAttributes", attributes}}}};
}

PreflightCheck accessCheck(const NeededAccess& resource, const std::string& ns,
                           const std::string& context, const std::vector<VerbReview>& reviews) {
    const std::string name = "access " + displayName(resource);
    std::vector<std::string> allowed;
    std::vector<std::string> denied;  // the verbs, for the fix
    std::vector<std::string> why;     // each with its reason, for the detail
    std::vector<std::string> unknown;
    for (const VerbReview& r : reviews) {
        if (r.error) {
            unknown.push_back(r.verb + " (" + *r.error + ")");
        } else if (r.status && r.status->value("allowed", false)) {
            allowed.push_back(r.verb);
        } else {
            denied.push_back(r.verb);
            const std::string reason =
                r.status ? r.status->value("reason", std::string()) : std::string();
            why.push_back(r.verb + (reason.empty() ? "" : " (" + reason + ")"));
        }
    }
    const std::string where = " on " + displayName(resource) + " in namespace '" + ns + "'";
    if (denied.empty() && unknown.empty()) {
        return passed(name, "may " + join(allowed, ", ") + where);
    }
    const std::string as = context.empty() ? "" : " --context " + context;
    if (!denied.empty()) {
        std::string detail = "denied: " + join(why, ", ") + where;
        if (!unknown.empty()) {
            detail += "; not known: " + join(unknown, ", ");
        }
        return failed(name, detail,
                      "ask a cluster administrator to grant " + join(denied, ",") + " on " +
                          displayName(resource) + ", e.g. `kubectl create role tshost-" +
                          resource.plural + " -n " + ns + " --verb=" + join(denied, ",") +
                          " --resource=" + displayName(resource) +
                          "` and a rolebinding of it to your user; `kubectl auth can-i " +
                          denied.front() + " " + displayName(resource) + " -n " + ns + as +
                          "` must say yes");
    }
    return failed(name, "could not ask the API server: " + join(unknown, ", ") + where,
                  "check with `kubectl auth can-i --list -n " + ns + as + "`");
}

// ---- the probe pod ---------------------------------------------------------------------------

// POSIX sh. python3 first: every trial image has it (the trial agent runs under it). For https
// (metricsTls) the probe asks only whether the port answers; certificate trust is the agent's
// own check with the experiment's CA. Exit 127 when the image has none of the three.
const char* const kProbeScript = R"(url=$1
if command -v python3 >/dev/null 2>&1; then
  exec python3 -c 'import ssl, sys, urllib.request
url = sys.argv[1]
ctx = ssl._create_unverified_context() if url.startswith("https:") else None
try:
    with urllib.request.urlopen(url, timeout=10, context=ctx) as r:
        print("tshost probe: HTTP", r.status, "from", url, r.read(200).decode(errors="replace"))
except Exception as e:
    print("tshost probe: cannot fetch", url + ":", e, file=sys.stderr)
    sys.exit(1)' "$url"
elif command -v wget >/dev/null 2>&1; then
  exec wget -q -T 10 --no-check-certificate -O - "$url"
elif command -v curl >/dev/null 2>&1; then
  exec curl -fsS -m 10 -k "$url"
fi
echo "tshost probe: the image has none of python3, wget, curl" >&2
exit 127
)";

json probePod(const ProbeRequest& probe, const std::string& name, const std::string& ns) {
    json labels = json::object();
    for (const auto& [k, v] : probe.labels) {
        labels[k] = v;
    }
    labels["tshost.io/probe"] = "metrics";
    return {
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
        {"spec",
         {{"restartPolicy", "Never"},
          {"terminationGracePeriodSeconds", 0},
          {"containers", json::array({{{"name", "probe"},
                                       {"image", probe.image},
                                       {"command", json::array({"sh", "-c", kProbeScript,
                                                                "tshost-probe", probe.url})}}})}}}};
}

std::optional<PreflightCheck> probeOutcome(const ProbeRequest& probe, const json& pod) {
    if (!pod.is_object()) {
        return std::nullopt;
    }
    const json status = pod.value("status", json::object());
    const std::string phase = status.value("phase", "");
    const json container = containerStatus(pod);
    const std::string address = urlHostPort(probe.url);
    if (phase == "Succeeded") {
        return passed(kProbeCheckName, "a pod with image " + probe.image + " fetched " + probe.url);
    }
    if (phase == "Failed") {
        const json terminated =
            container.is_object()
                ? container.value("state", json::object()).value("terminated", json::object())
                : json::object();
        const int64_t code = terminated.value("exitCode", int64_t{-1});
        std::string detail = "a pod with image " + probe.image + " could not fetch " + probe.url +
                             " (exit code " + std::to_string(code);
        const std::string reason = terminated.value("reason", status.value("reason", ""));
        detail += reason.empty() ? ")" : ", " + reason + ")";
        if (code == 127) {
            return failed(kProbeCheckName, detail,
                          "probe with an image that has python3 (trials need it anyway), wget or "
                          "curl: --probe-image IMAGE");
        }
        return failed(kProbeCheckName, detail,
                      "pods must reach this host at " + address +
                          ": set nniManagerIp to an address of this host that the cluster's pods "
                          "can route to, and allow TCP port " +
                          address.substr(address.rfind(':') + 1) + " through this host's firewall");
    }
    if (container.is_object()) {
        const json waiting =
            container.value("state", json::object()).value("waiting", json::object());
        const std::string reason = waiting.value("reason", "");
        if (reason == "ErrImagePull" || reason == "ImagePullBackOff" ||
            reason == "InvalidImageName" || reason == "ErrImageNeverPull") {
            const std::string message = waiting.value("message", "");
            return failed(kProbeCheckName,
                          "image " + probe.image + " cannot be pulled: " + reason +
                              (message.empty() ? "" : ": " + message),
                          "check the image's name and tag and that the nodes may pull it "
                          "(a private registry needs privateRegistryAuthPath)");
        }
    }
    for (const json& c : status.value("conditions", json::array())) {
        if (c.is_object() && c.value("type", "") == "PodScheduled" &&
            c.value("status", "") == "False" && c.value("reason", "") == "Unschedulable") {
            return failed(kProbeCheckName,
                          "the probe pod cannot be scheduled: " + c.value("message", ""),
                          "make room on the nodes, or check their taints and the namespace's "
                          "resource quota");
        }
    }
    return std::nullopt;
}

PreflightCheck probeTimedOut(const ProbeRequest& probe, const json& pod) {
    std::string phase = "not seen";
    if (pod.is_object()) {
        phase = pod.value("status", json::object()).value("phase", std::string("unknown"));
    }
    return failed(kProbeCheckName,
                  "the probe pod did not finish within " + std::to_string(probe.timeout.count()) +
                      " s (phase " + phase + ")",
                  "see `kubectl describe pod` of a probe while it runs; a slow image pull "
                  "needs a larger --probe-timeout, a pod that hangs on " +
                      urlHostPort(probe.url) + " needs nniManagerIp and the firewall fixed");
}

void addProbeLog(PreflightCheck& check, const std::string& log) {
    std::string text = log;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.pop_back();
    }
    if (!text.empty()) {
        std::replace(text.begin(), text.end(), '\n', ' ');
        check.detail += "; its log: " + text;
    }
}

}  // namespace tshost::kube
