// The Kubernetes part of `tshost check`: what a platform plugin's preflight reports before a long
// experiment. Each platform states what it needs (its custom resources and the verbs it uses on
// every resource) and gets the checks back, so its preflight is a few lines:
//   kubeconfig  the credentials and context load
//   API server  the server answers with them
//   namespace   the experiment's namespace exists
//   CRD <r>     the API server serves each custom resource (discovery)
//   access <r>  the credentials may use each verb on each resource (SelfSubjectAccessReview)
//   probe       on request: a pod with the given image reaches the host's metrics port
// Every failed check says what to do in `fix`. Nothing here logs or returns credentials.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tshost/kube/config.hpp"
#include "tshost/kube/log.hpp"

namespace tshost::kube {

/// One entry of the ABI's preflight array: {"check", "ok", "detail", "fix"}.
struct PreflightCheck {
    std::string check;
    bool ok = false;
    std::string detail;
    std::string fix;  // what to do; empty when ok
};

/// A resource the experiment uses and the verbs it needs on it. A non-empty group is a custom
/// resource whose CRD must be served.
struct NeededAccess {
    std::string group;
    std::string version;
    std::string plural;
    std::vector<std::string> verbs;
};

/// --probe-image: one short-lived pod that fetches `url` (the host's metrics healthz).
struct ProbeRequest {
    std::string image;
    std::string url;
    std::chrono::seconds timeout{120};  // for the whole probe: scheduling, pull, run
    std::vector<std::pair<std::string, std::string>> labels;  // the experiment's
    std::string name_prefix = "tshost-probe-";                // + a random suffix
};

struct PreflightRequest {
    LoadOptions load;  // kubeconfig, context, namespace as the platform's config says
    std::vector<NeededAccess> access;
    std::optional<ProbeRequest> probe;
    LogFn log;  // may be empty
    /// Per request, and the total for one check including retries: a preflight answers in
    /// seconds, it does not wait a minute for an unreachable server as an experiment would.
    std::chrono::milliseconds request_timeout{10'000};
};

/// Runs every check that can run; a check that depends on a failed one (no credentials, no
/// server) is not attempted. Never throws for cluster problems: they become failed checks.
std::vector<PreflightCheck> runPreflight(const PreflightRequest& request);

/// The ABI's JSON array.
nlohmann::json preflightJson(const std::vector<PreflightCheck>& checks);
bool allPassed(const std::vector<PreflightCheck>& checks);

/// The probe the host asks for in preflight_with's options ({"probe": {"image", "url",
/// "timeoutSeconds"}}), or nullopt when it asks for none. Throws std::invalid_argument for
/// options that are not JSON or a probe without image or url.
std::optional<ProbeRequest> probeFromOptions(
    std::string_view options_json, std::vector<std::pair<std::string, std::string>> labels);

}  // namespace tshost::kube
