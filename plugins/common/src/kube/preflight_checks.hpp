// The pure half of the preflight: API answers (or errors) in, PreflightCheck out, and the probe
// pod's manifest and outcome. No I/O, so the unit tests cover every wording and every fix.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tshost/kube/config.hpp"
#include "tshost/kube/error.hpp"
#include "tshost/kube/preflight.hpp"

namespace tshost::kube {

PreflightCheck kubeconfigCheck(const ResolvedConfig& config);
PreflightCheck kubeconfigFailed(const KubeError& error);

/// GET /version answered (`version`) or failed (`error`).
PreflightCheck serverCheck(const ResolvedConfig& config, const nlohmann::json* version,
                           const KubeError* error);

/// GET namespaces/<ns>: found (error null) or the error (404: missing; 403: cannot tell).
PreflightCheck namespaceCheck(const std::string& ns, const KubeError* error);

/// Discovery of a custom resource's group/version: the APIResourceList, or the error (404: the
/// CRD is not installed).
PreflightCheck crdCheck(const NeededAccess& resource, const nlohmann::json* resource_list,
                        const KubeError* error);

/// One SelfSubjectAccessReview's outcome for a verb.
struct VerbReview {
    std::string verb;
    std::optional<nlohmann::json> status;  // the review's status {"allowed", "reason"...}
    std::optional<std::string> error;      // the review could not be made
};

/// The SelfSubjectAccessReview a client sends for `verb` on `resource` in `ns`.
nlohmann::json accessReview(const NeededAccess& resource, const std::string& verb,
                            const std::string& ns);
PreflightCheck accessCheck(const NeededAccess& resource, const std::string& ns,
                           const std::string& context, const std::vector<VerbReview>& reviews);

// ---- the probe pod ---------------------------------------------------------------------------

/// The probe's shell script: python3 (which every trial image has, since the trial agent needs
/// it), else wget, else curl; exit 0 when the URL answers 2xx. $1 is the URL.
extern const char* const kProbeScript;

nlohmann::json probePod(const ProbeRequest& probe, const std::string& name, const std::string& ns);

/// What a probe pod's state says: nullopt while it is still on its way, else the check. Fails
/// fast on what will not get better (image pull errors, unschedulable).
std::optional<PreflightCheck> probeOutcome(const ProbeRequest& probe, const nlohmann::json& pod);
/// The probe did not finish within its timeout; `pod` is its last state (may be null).
PreflightCheck probeTimedOut(const ProbeRequest& probe, const nlohmann::json& pod);
/// Adds the container's last log lines to a failed probe check.
void addProbeLog(PreflightCheck& check, const std::string& log);

extern const char* const kProbeCheckName;

}  // namespace tshost::kube
