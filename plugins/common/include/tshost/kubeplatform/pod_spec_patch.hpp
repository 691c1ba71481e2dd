// A role's `podSpecPatch`: what users add to the pod spec tshost builds (/dev/shm, nodeSelector,
// tolerations, env, extra volumes; NNI #4424, #1354), applied as a JSON merge patch (RFC 7386)
// with one difference: lists of named items (containers, initContainers, volumes, env,
// volumeMounts by mountPath) merge item by item, as kubectl's strategic merge does, so a patch
// adds a mount without restating a container tshost generated. tshost's own parts must survive.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace tshost::kubeplatform {

/// `target` with `patch` applied as above (RFC 7386, named lists item by item), with no checks:
/// for platforms that merge other objects the same way (a FrameworkController template).
nlohmann::json strategic_merge(const nlohmann::json& target, const nlohmann::json& patch);

/// `spec` with `patch` applied. Throws std::invalid_argument, naming `where` (the config key of
/// the patch), when the patch is not an object or removes or changes what tshost needs: a
/// container or init container, its image or command, a volume, or a volume mount.
nlohmann::json patched_pod_spec(const nlohmann::json& spec, const nlohmann::json& patch,
                                const std::string& where);

}  // namespace tshost::kubeplatform
