#include "tshost/kubeplatform/pod_parts.hpp"

#include <algorithm>

#include "kube/base64.hpp"
#include "tshost/kubeplatform/names.hpp"

namespace tshost::kubeplatform {

using nlohmann::json;

json labels_json(const std::vector<std::pair<std::string, std::string>>& labels) {
    json out = json::object();
    for (const auto& [k, v] : labels) {
        out[k] = v;
    }
    return out;
}

json resources(const Role& role) {
    json r = {{"cpu", cpu_quantity(role.cpu_number)}, {"memory", role.memory}};
    if (role.gpu_number > 0) {
        r["nvidia.com/gpu"] = std::to_string(role.gpu_number);
    }
    return {{"requests", r}, {"limits", r}};
}

json metrics_env(const TrialSpec& spec) {
    json env = json::array();
    if (spec.metrics_url) {
        env.push_back({{"name", "TSHOST_METRICS_URL"}, {"value", *spec.metrics_url}});
    }
    if (spec.metrics_token) {
        env.push_back({{"name", "TSHOST_METRICS_TOKEN"}, {"value", *spec.metrics_token}});
    }
    return env;
}

json run_command(const TrialInput& trial, const PodVolume& storage, const std::string& role) {
    return {"sh", storage.mount_path + "/" + trial.spec.trial_dir + "/" +
                      tshost::trial::run_script_name(role)};
}

tshost::trial::RunScriptSpec run_script_spec(const char* platform, const TrialInput& trial,
                                             const PodVolume& storage, const Role& role,
                                             const std::string& primary_replica) {
    tshost::trial::RunScriptSpec rs;
    rs.platform = platform;
    rs.experiment_id = trial.experiment_id;
    rs.trial_id = trial.trial_id;
    rs.sequence_id = trial.sequence_id;
    rs.mount_root = storage.mount_path;
    rs.trial_dir = trial.spec.trial_dir;
    rs.kit_dir = trial.spec.kit_dir;
    rs.code_manifest = trial.spec.code_manifest;
    rs.cas_dir = trial.spec.cas_dir;
    rs.role = role.name;
    rs.command = role.command;
    rs.gpu_number = role.gpu_number;
    rs.primary_replica = primary_replica;
    return rs;
}

std::vector<std::pair<std::string, std::string>> registry_secrets(
    std::string_view experiment_id, const std::vector<std::string>& auth_paths) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const std::string& path : auth_paths) {
        if (path.empty()) {
            continue;
        }
        const bool known =
            std::any_of(out.begin(), out.end(), [&](const auto& p) { return p.first == path; });
        if (!known) {
            out.emplace_back(path, registry_secret_name(experiment_id, out.size()));
        }
    }
    return out;
}

std::vector<std::string> registry_secret_per_role(std::string_view experiment_id,
                                                  const std::vector<std::string>& auth_paths) {
    const auto secrets = registry_secrets(experiment_id, auth_paths);
    std::vector<std::string> out;
    for (const std::string& path : auth_paths) {
        std::string name;
        for (const auto& [file, secret] : secrets) {
            if (file == path) {
                name = secret;
            }
        }
        out.push_back(name);
    }
    return out;
}

json registry_secret(std::string_view experiment_id, std::string_view namespace_name,
                     const std::string& name, std::string_view docker_config) {
    return {{"apiVersion", "v1"},
            {"kind", "Secret"},
            {"metadata",
             {{"name", name},
              {"namespace", std::string(namespace_name)},
              {"labels", labels_json(experiment_labels(experiment_id))}}},
            {"type", "kubernetes.io/dockerconfigjson"},
            {"data", {{".dockerconfigjson", tshost::kube::base64Encode(docker_config)}}}};
}

json storage_secret(std::string_view experiment_id, const PodVolume& storage,
                    std::string_view namespace_name) {
    json secret = storage.secret;
    secret["metadata"]["namespace"] = std::string(namespace_name);
    for (const auto& [k, v] : experiment_labels(experiment_id)) {
        secret["metadata"]["labels"][k] = v;
    }
    return secret;
}

namespace {

void redact_tokens(json& node) {
    if (node.is_array()) {
        for (json& item : node) {
            redact_tokens(item);
        }
        return;
    }
    if (!node.is_object()) {
        return;
    }
    if (node.value("name", json()) == "TSHOST_METRICS_TOKEN" && node.contains("value")) {
        node["value"] = "<redacted>";
    }
    for (auto& [key, child] : node.items()) {
        redact_tokens(child);
    }
}

}  // namespace

json redacted(json object) {
    if (object.value("kind", "") == "Secret") {
        for (const char* key : {"data", "stringData"}) {
            if (object.contains(key) && object[key].is_object()) {
                for (auto& [k, v] : object[key].items()) {
                    v = "<redacted>";
                }
            }
        }
        return object;
    }
    redact_tokens(object);
    return object;
}

}  // namespace tshost::kubeplatform
