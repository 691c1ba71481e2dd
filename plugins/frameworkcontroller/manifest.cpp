#include "manifest.hpp"

#include <tshost/trial/run_script.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

#include "base64.hpp"
#include "names.hpp"

namespace fc_platform {

using nlohmann::json;

namespace {

constexpr const char* kBarrierVolume = "frameworkbarrier-volume";
constexpr const char* kBarrierDir = "/mnt/frameworkbarrier";
constexpr int kFirstPort = 4000;  // NNI: 4000 + the role's index

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

// The barrier (and the FB_<ROLE>_PORT variables its injector.sh reads) only matter when the
// tasks of several roles must find each other.
bool needs_barrier(const Settings& s) {
    return s.roles.size() > 1;
}

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

json container(const Settings& s, size_t index, const TrialInput& trial, const PodVolume& storage) {
    const Role& role = s.roles[index];
    json mounts = json::array({storage.volume_mount});
    if (needs_barrier(s)) {
        mounts.push_back({{"name", kBarrierVolume}, {"mountPath", kBarrierDir}});
    }
    json c = {{"name", "framework"},
              {"image", role.image},
              // `command`, not NNI's `args`: an image ENTRYPOINT must not wrap the script.
              {"command",
               {"sh", storage.mount_path + "/" + trial.spec.trial_dir + "/" +
                          tshost::trial::run_script_name(role.name)}},
              {"ports", {{{"containerPort", kFirstPort + static_cast<int>(index)}}}},
              {"resources", resources(role)},
              {"volumeMounts", mounts}};
    // The per-trial metrics token goes only into the pod's environment: every trial mounts the
    // same share, so a token written there would let one trial report for another.
    json env = json::array();
    if (trial.spec.metrics_url) {
        env.push_back({{"name", "TSHOST_METRICS_URL"}, {"value", *trial.spec.metrics_url}});
    }
    if (trial.spec.metrics_token) {
        env.push_back({{"name", "TSHOST_METRICS_TOKEN"}, {"value", *trial.spec.metrics_token}});
    }
    if (!env.empty()) {
        c["env"] = env;
    }
    return c;
}

json pod_spec(const Settings& s, size_t index, const TrialInput& trial, const PodVolume& storage,
              const std::string& registry_secret) {
    // Never: a failing trial fails, instead of kubelet restarting it in place and re-running
    // the trial (NNI's OnFailure, §11.1).
    json spec = {{"restartPolicy", "Never"},
                 {"hostNetwork", false},
                 {"containers", {container(s, index, trial, storage)}}};
    json volumes = json::array({storage.volume});
    if (needs_barrier(s)) {
        spec["initContainers"] = {
            {{"name", "frameworkbarrier"},
             {"image", s.barrier_image},
             {"volumeMounts", {{{"name", kBarrierVolume}, {"mountPath", kBarrierDir}}}}}};
        volumes.push_back({{"name", kBarrierVolume}, {"emptyDir", json::object()}});
    }
    spec["volumes"] = volumes;
    if (s.service_account) {
        spec["serviceAccountName"] = *s.service_account;
    }
    if (!registry_secret.empty()) {
        spec["imagePullSecrets"] = {{{"name", registry_secret}}};
    }
    return spec;
}

// No retries at either level, said explicitly rather than left to Go zero values: a retry is
// the host's decision (maxTrialRetries), made with a new attempt.
json no_retry() {
    return {{"fancyRetryPolicy", false}, {"maxRetryCount", 0}};
}

// Paths in the ABI are relative and clean; one that is not would escape the trial's directory.
void require_relative(const char* key, const std::string& path) {
    const bool bad = path.empty() || path.front() == '/' || path.find("..") != std::string::npos;
    if (bad) {
        throw std::invalid_argument(std::string("the trial's spec has an unusable ") + key);
    }
}

}  // namespace

TrialSpec parse_trial_spec(std::string_view spec_json) {
    const json spec =
        json::parse(spec_json.empty() ? std::string_view("{}") : spec_json, nullptr, false);
    if (!spec.is_object()) {
        throw std::invalid_argument("the trial's spec is not a JSON object");
    }
    TrialSpec t;
    std::string missing;
    auto take = [&](const char* key, std::string& out) {
        const auto it = spec.find(key);
        if (it != spec.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
            out = it->get<std::string>();
            require_relative(key, out);
        } else {
            missing += (missing.empty() ? "" : ", ") + std::string(key);
        }
    };
    take("trialDir", t.trial_dir);
    take("kitDir", t.kit_dir);
    take("codeManifest", t.code_manifest);
    take("casDir", t.cas_dir);
    if (!missing.empty()) {
        throw std::invalid_argument("the trial's spec has no " + missing +
                                    ": the host sends them when the experiment has a storage "
                                    "section, which frameworkcontroller needs");
    }
    if (const auto it = spec.find("attempt"); it != spec.end()) {
        if (!it->is_number_integer() || it->get<int64_t>() < 0) {
            throw std::invalid_argument("the trial's attempt is not an integer >= 0");
        }
        t.attempt = it->get<int64_t>();
    }
    if (const auto m = spec.find("metrics"); m != spec.end() && m->is_object()) {
        if (const auto url = m->find("url"); url != m->end() && url->is_string()) {
            t.metrics_url = url->get<std::string>();
        }
        if (const auto token = m->find("token"); token != m->end() && token->is_string()) {
            t.metrics_token = token->get<std::string>();
        }
    }
    return t;
}

PodVolume parse_pod_volume(std::string_view pod_volume_json) {
    const json v = json::parse(pod_volume_json, nullptr, false);
    if (!v.is_object() || !v.contains("volume") || !v["volume"].is_object() ||
        !v.contains("volumeMount") || !v["volumeMount"].is_object()) {
        throw std::invalid_argument(
            "the storage plugin's pod_volume is not {\"volume\", \"volumeMount\", \"secret\"}");
    }
    PodVolume p;
    p.volume = v["volume"];
    const std::string name = p.volume.value("name", std::string());
    p.mount_path = v["volumeMount"].value("mountPath", std::string());
    if (name.empty() || p.mount_path.empty() || p.mount_path.front() != '/') {
        throw std::invalid_argument(
            "the storage plugin's pod_volume lacks volume.name or an absolute mountPath");
    }
    while (p.mount_path.size() > 1 && p.mount_path.back() == '/') {
        p.mount_path.pop_back();
    }
    p.volume_mount = v["volumeMount"];
    p.volume_mount["name"] = name;
    p.volume_mount["mountPath"] = p.mount_path;
    // NNI wrote `readonly`, which the API server drops (§11.14): keep the meaning, spell it right.
    for (json* obj : {&p.volume_mount}) {
        if (obj->contains("readonly")) {
            (*obj)["readOnly"] = (*obj)["readonly"];
            obj->erase("readonly");
        }
    }
    for (auto& [key, source] : p.volume.items()) {
        if (source.is_object() && source.contains("readonly")) {
            source["readOnly"] = source["readonly"];
            source.erase("readonly");
        }
    }
    p.secret = v.value("secret", json());
    return p;
}

std::string primary_replica(const Settings& settings) {
    return settings.roles.front().name + "-0";
}

std::vector<std::pair<std::string, std::string>> run_scripts(const Settings& s,
                                                             const TrialInput& trial,
                                                             const PodVolume& storage) {
    std::vector<std::pair<std::string, std::string>> out;
    for (size_t i = 0; i < s.roles.size(); ++i) {
        const Role& role = s.roles[i];
        tshost::trial::RunScriptSpec rs;
        rs.platform = "frameworkcontroller";
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
        rs.primary_replica = primary_replica(s);
        if (needs_barrier(s)) {
            // As NNI does (§8.1): the barrier's injector.sh turns these into
            // FB_<ROLE>_ADDRESSES=ip:port,... for every role.
            for (size_t j = 0; j < s.roles.size(); ++j) {
                rs.env.emplace_back("FB_" + upper(s.roles[j].name) + "_PORT",
                                    std::to_string(kFirstPort + static_cast<int>(j)));
            }
            rs.before_command = std::string(". ") + kBarrierDir + "/injector.sh";
        }
        out.emplace_back(trial.spec.trial_dir + "/" + tshost::trial::run_script_name(role.name),
                         tshost::trial::render_run_script(rs));
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> registry_secrets(const Settings& s) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const Role& role : s.roles) {
        if (role.registry_auth_path.empty()) {
            continue;
        }
        const bool known = std::any_of(out.begin(), out.end(), [&](const auto& p) {
            return p.first == role.registry_auth_path;
        });
        if (!known) {
            out.emplace_back(role.registry_auth_path,
                             registry_secret_name(s.experiment_id, out.size()));
        }
    }
    return out;
}

std::vector<std::string> registry_secret_per_role(const Settings& s) {
    const auto secrets = registry_secrets(s);
    std::vector<std::string> out;
    for (const Role& role : s.roles) {
        std::string name;
        for (const auto& [path, secret] : secrets) {
            if (path == role.registry_auth_path) {
                name = secret;
            }
        }
        out.push_back(name);
    }
    return out;
}

json registry_secret(const Settings& s, std::string_view namespace_name, const std::string& name,
                     std::string_view docker_config) {
    return {{"apiVersion", "v1"},
            {"kind", "Secret"},
            {"metadata",
             {{"name", name},
              {"namespace", std::string(namespace_name)},
              {"labels", labels_json(experiment_labels(s.experiment_id))}}},
            {"type", "kubernetes.io/dockerconfigjson"},
            {"data", {{".dockerconfigjson", base64_encode(docker_config)}}}};
}

json build_framework(const Settings& s, const TrialInput& trial, const PodVolume& storage) {
    const std::vector<std::string> secrets = registry_secret_per_role(s);
    json roles = json::array();
    for (size_t i = 0; i < s.roles.size(); ++i) {
        const Role& role = s.roles[i];
        roles.push_back({{"name", role.name},
                         {"taskNumber", role.task_number},
                         {"frameworkAttemptCompletionPolicy",
                          {{"minFailedTaskCount", role.min_failed},
                           {"minSucceededTaskCount", role.min_succeeded}}},
                         {"task",
                          {{"retryPolicy", no_retry()},
                           {"pod", {{"spec", pod_spec(s, i, trial, storage, secrets[i])}}}}}});
    }
    return {
        {"apiVersion", std::string(kGroup) + "/" + kVersion},
        {"kind", "Framework"},
        {"metadata",
         {{"name", framework_name(trial.experiment_id, trial.trial_id, trial.spec.attempt)},
          {"namespace", trial.namespace_name},
          {"labels",
           labels_json(trial_labels(trial.experiment_id, trial.trial_id, trial.spec.attempt))}}},
        {"spec", {{"executionType", "Start"}, {"retryPolicy", no_retry()}, {"taskRoles", roles}}}};
}

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
    if (!object.contains("spec") || !object["spec"].contains("taskRoles")) {
        return object;
    }
    for (json& role : object["spec"]["taskRoles"]) {
        for (json& c : role["task"]["pod"]["spec"]["containers"]) {
            if (!c.contains("env")) {
                continue;
            }
            for (json& e : c["env"]) {
                if (e.value("name", "") == "TSHOST_METRICS_TOKEN") {
                    e["value"] = "<redacted>";
                }
            }
        }
    }
    return object;
}

}  // namespace fc_platform
