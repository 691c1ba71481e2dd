// FrameworkController's template mode (NNI's `configPath`, reference §8.4): the user writes a
// Framework, and every trial's Framework completes it. The roles (one container each: image,
// command, resources) come from the template; per trial, tshost builds its usual Framework from
// those roles with each role's template pod spec as the pod spec patch, and lays the result
// over the rest of the template. One builder, so a template-mode Framework has everything
// tshost's own has (names, labels, run-script command, storage, env, restart and retry policy,
// barrier) and keeps what the user wrote besides (nodeSelector, tolerations, volumes, ...).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "settings.hpp"

namespace fc_platform {

/// The roles of `framework` (the frameworkTemplate section, checked against the config schema),
/// each with pod_spec_patch = its pod spec minus what tshost decides: the container's command and
/// args (they become the trial command the run script runs), restartPolicy, and
/// serviceAccountName when `config_sets_service_account`. Throws std::invalid_argument naming
/// `where` (the template file) and the key path.
std::vector<Role> template_roles(const nlohmann::json& framework, const std::string& where,
                                 bool config_sets_service_account);

/// The image of the template's frameworkbarrier init container, "" when it has none.
std::string template_barrier_image(const nlohmann::json& framework);

/// The template's metadata.namespace, "" when it has none.
std::string template_namespace(const nlohmann::json& framework);

/// `pod_spec` without the volume mounts at `mount_path`, where tshost mounts its storage (NNI
/// made template authors mount their own there), and without the volumes only those used.
nlohmann::json without_mounts_at(nlohmann::json pod_spec, const std::string& mount_path);

/// `generated` (tshost's Framework for the trial, built from template_roles) laid over the
/// template: tshost's keys win; the user's other metadata, spec, role and task keys stay.
/// Server-set metadata (uid, resourceVersion, ...) and status are dropped.
nlohmann::json completed_framework(const nlohmann::json& framework,
                                   const nlohmann::json& generated);

}  // namespace fc_platform
