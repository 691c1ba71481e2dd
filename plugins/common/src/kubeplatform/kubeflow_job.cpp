#include "tshost/kubeplatform/kubeflow_job.hpp"

#include <tshost/trial/run_script.hpp>

#include <algorithm>
#include <cstring>
#include <regex>
#include <stdexcept>

#include "tshost/kubeplatform/pod_parts.hpp"
#include "tshost/kubeplatform/pod_spec_patch.hpp"

namespace tshost::kubeplatform {

using nlohmann::json;

namespace {

// training-operator < 1.7 defaulted to Running, >= 1.7 to None, which leaves PS pods running
// after the workers succeeded (§3.6, §11.6). Running ends exactly those with the job and keeps
// the finished pods (and their logs) until the job is deleted.
constexpr const char* kCleanPodPolicy = "Running";

const json* true_condition(const json& conditions, const char* type) {
    for (const json& c : conditions) {
        if (c.is_object() && c.value("type", "") == type && c.value("status", "") == "True") {
            return &c;
        }
    }
    return nullptr;
}

std::optional<int64_t> time_of(const json& obj, const char* key) {
    const auto it = obj.find(key);
    if (it == obj.end() || !it->is_string()) {
        return std::nullopt;
    }
    return parse_rfc3339_ms(it->get<std::string>());
}

StatusUpdate from_condition(const char* status, const json& c) {
    StatusUpdate u;
    u.status = status;
    u.reason = c.value("reason", "");
    u.message = c.value("message", "");
    return u;
}

json container(const KubeflowFlavor& f, const KubeflowRole& role, const TrialInput& trial,
               const PodVolume& storage) {
    json c = {{"name", f.container},
              {"image", role.image},
              {"command", run_command(trial, storage, role.name)},
              {"resources", resources(role)},
              {"volumeMounts", json::array({storage.volume_mount})}};
    if (json env = metrics_env(trial.spec); !env.empty()) {
        c["env"] = std::move(env);
    }
    return c;
}

[[noreturn]] void rule(const std::string& path, const std::string& what) {
    throw std::invalid_argument(path + ": " + what);
}

}  // namespace

NameStyle kubeflow_name_style(const KubeflowFlavor& flavor) {
    return {"nni-exp-", "-trial-", "-", flavor.kind};
}

KubeflowSettings parse_kubeflow_settings(const KubeflowFlavor& flavor, std::string_view config_json,
                                         std::string_view experiment_json) {
    const json config =
        parse_object(config_json, (std::string("the ") + flavor.platform + " section").c_str());
    KubeflowSettings s;
    static_cast<CommonSettings&>(s) =
        parse_common_settings(config, parse_object(experiment_json, "the experiment"));
    for (const KubeflowRoleType& t : flavor.roles) {
        const auto it = config.find(t.key);
        if (it == config.end() || it->is_null()) {
            continue;
        }
        KubeflowRole role;
        static_cast<Role&>(role) = parse_role(*it, t.key);
        role.replica_type = t.replica_type;
        role.replicas = it->at("replicas").get<int64_t>();
        if (flavor.single_master && role.replica_type == "Master" && role.replicas != 1) {
            throw std::invalid_argument(std::string(t.key) +
                                        ".replicas: must be 1 (the operator runs exactly one "
                                        "master), not " +
                                        std::to_string(role.replicas));
        }
        s.roles.push_back(std::move(role));
    }
    if (s.roles.empty()) {
        throw std::invalid_argument(std::string("the ") + flavor.platform +
                                    " section has no role: add " + flavor.roles.front().key);
    }
    return s;
}

std::string kubeflow_primary_replica(const KubeflowFlavor& flavor, const KubeflowSettings& s) {
    for (const char* candidate : flavor.primary_candidates) {
        for (const KubeflowRole& role : s.roles) {
            if (role.name + "-0" == candidate) {
                return candidate;
            }
        }
    }
    return s.roles.front().name + "-0";
}

json build_kubeflow_job(const KubeflowFlavor& f, const KubeflowSettings& s, const TrialInput& trial,
                        const PodVolume& storage) {
    const std::vector<std::string> secrets =
        registry_secret_per_role(s.experiment_id, kubeflow_registry_auth_paths(s));
    const json labels =
        labels_json(trial_labels(trial.experiment_id, trial.trial_id, trial.spec.attempt));
    json specs = json::object();
    for (size_t i = 0; i < s.roles.size(); ++i) {
        const KubeflowRole& role = s.roles[i];
        // Never, on the replica spec (the operator overwrites the pod template's with it): a
        // failing trial fails instead of being restarted and re-run (§11.1; PyTorchJob's
        // default is OnFailure). The pod template says the same, for whoever reads the pod.
        json pod = {{"restartPolicy", "Never"},
                    {"containers", {container(f, role, trial, storage)}},
                    {"volumes", json::array({storage.volume})}};
        if (s.service_account) {
            pod["serviceAccountName"] = *s.service_account;
        }
        if (!secrets[i].empty()) {
            pod["imagePullSecrets"] = {{{"name", secrets[i]}}};
        }
        // The pods carry the job's labels: the platform follows them by the experiment's
        // selector.
        specs[role.replica_type] = {
            {"replicas", role.replicas},
            {"restartPolicy", "Never"},
            {"template",
             {{"metadata", {{"labels", labels}}},
              {"spec", patched_pod_spec(pod, role.pod_spec_patch, role.name + ".podSpecPatch")}}}};
    }
    return {{"apiVersion", "kubeflow.org/v1"},
            {"kind", f.kind},
            {"metadata",
             {{"name", job_name(kubeflow_name_style(f), trial.experiment_id, trial.trial_id,
                                trial.spec.attempt)},
              {"namespace", trial.namespace_name},
              {"labels", labels}}},
            {"spec", {{"runPolicy", {{"cleanPodPolicy", kCleanPodPolicy}}}, {f.specs_key, specs}}}};
}

std::vector<std::pair<std::string, std::string>> kubeflow_run_scripts(const KubeflowFlavor& flavor,
                                                                      const KubeflowSettings& s,
                                                                      const TrialInput& trial,
                                                                      const PodVolume& storage) {
    const std::string primary = kubeflow_primary_replica(flavor, s);
    std::vector<std::pair<std::string, std::string>> out;
    for (const KubeflowRole& role : s.roles) {
        // NNI_PLATFORM=kubeflow, as NNI's kubeflow service sets it.
        const auto rs = run_script_spec("kubeflow", trial, storage, role, primary);
        out.emplace_back(trial.spec.trial_dir + "/" + tshost::trial::run_script_name(role.name),
                         tshost::trial::render_run_script(rs));
    }
    return out;
}

std::vector<std::string> kubeflow_registry_auth_paths(const KubeflowSettings& s) {
    std::vector<std::string> out;
    for (const KubeflowRole& role : s.roles) {
        out.push_back(role.registry_auth_path);
    }
    return out;
}

void check_kubeflow_rules(const KubeflowFlavor& f, const json& job) {
    static const std::regex kDns1035("^[a-z]([-a-z0-9]*[a-z0-9])?$");
    const std::string name = job.value("metadata", json::object()).value("name", "");
    if (name.size() > 63 || !std::regex_match(name, kDns1035)) {
        rule("metadata.name", "'" + name +
                                  "' is not a DNS-1035 label ([a-z]([-a-z0-9]*[a-z0-9])?, " +
                                  "at most 63 characters)");
    }
    const std::string specs_path = std::string("spec.") + f.specs_key;
    const json specs = job.value("spec", json::object()).value(f.specs_key, json::object());
    if (specs.empty()) {
        rule(specs_path, "must have at least one replica spec");
    }
    int masters = 0;
    for (const auto& [type, spec] : specs.items()) {
        const std::string path = specs_path + "." + type;
        const bool known = std::any_of(f.replica_types.begin(), f.replica_types.end(),
                                       [&](const char* t) { return type == t; });
        if (!known) {
            std::string allowed;
            for (const char* t : f.replica_types) {
                allowed += (allowed.empty() ? "" : ", ") + std::string(t);
            }
            rule(path, std::string("unknown replica type; ") + f.kind + " allows " + allowed);
        }
        const json containers = spec.value("template", json::object())
                                    .value("spec", json::object())
                                    .value("containers", json::array());
        if (containers.empty()) {
            rule(path + ".template.spec.containers", "must have at least one container");
        }
        bool named = false;
        for (size_t i = 0; i < containers.size(); ++i) {
            if (containers[i].value("image", "").empty()) {
                rule(path + ".template.spec.containers[" + std::to_string(i) + "].image",
                     "must be set");
            }
            named = named || containers[i].value("name", "") == f.container;
        }
        if (!named) {
            rule(path + ".template.spec.containers", std::string("must have a container named '") +
                                                         f.container +
                                                         "' (the operator requires it)");
        }
        if (type == "Chief" || type == "Master") {
            ++masters;
            const int64_t replicas = spec.value("replicas", int64_t{1});
            if (f.single_master && type == "Master" && replicas != 1) {
                rule(path + ".replicas", "must be 1 (a " + std::string(f.kind) +
                                             " has exactly one Master), not " +
                                             std::to_string(replicas));
            }
        }
    }
    if (masters > 1) {
        rule(specs_path, "must not have more than 1 Chief or Master role");
    }
}

std::optional<StatusUpdate> map_kubeflow_status(const json& job) {
    const json status = job.value("status", json::object());
    const json conditions =
        status.is_object() ? status.value("conditions", json::array()) : json::array();
    if (!conditions.is_array()) {
        return StatusUpdate{"WAITING", {}, {}, {}, "", ""};
    }
    // The end conditions first: NNI took the last element and ignored `status` (§5.2, §11.2).
    for (const char* end : {"Failed", "Succeeded"}) {
        if (const json* c = true_condition(conditions, end)) {
            StatusUpdate u =
                from_condition(std::strcmp(end, "Failed") == 0 ? "FAILED" : "SUCCEEDED", *c);
            u.end_ms = time_of(*c, "lastTransitionTime");
            if (!u.end_ms) {
                u.end_ms = time_of(status, "completionTime");
            }
            if (u.status == "SUCCEEDED") {
                u.message.clear();  // "... successfully completed." says nothing new
                u.reason.clear();
            }
            return u;
        }
    }
    // A replica exited with a retryable code and is being restarted: still running, never
    // success, and the reason is shown.
    if (const json* c = true_condition(conditions, "Restarting")) {
        return from_condition("RUNNING", *c);
    }
    if (const json* c = true_condition(conditions, "Running")) {
        StatusUpdate u;
        u.status = "RUNNING";
        // When it began running, not when it was created (§11.4).
        u.start_ms = time_of(*c, "lastTransitionTime");
        return u;
    }
    if (const json* c = true_condition(conditions, "Suspended")) {
        return from_condition("WAITING", *c);
    }
    return StatusUpdate{"WAITING", {}, {}, {}, "", ""};
}

}  // namespace tshost::kubeplatform
