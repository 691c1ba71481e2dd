#include "manifest.hpp"

#include <tshost/kubeplatform/pod_spec_patch.hpp>

#include <algorithm>
#include <cctype>

#include "framework_template.hpp"
#include "names.hpp"

namespace fc_platform {

using nlohmann::json;
namespace kp = tshost::kubeplatform;

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

json container(const Settings& s, size_t index, const TrialInput& trial, const PodVolume& storage) {
    const Role& role = s.roles[index];
    json mounts = json::array({storage.volume_mount});
    if (needs_barrier(s)) {
        mounts.push_back({{"name", kBarrierVolume}, {"mountPath", kBarrierDir}});
    }
    json c = {{"name", role.container_name},
              {"image", role.image},
              {"command", kp::run_command(trial, storage, role.name)},
              {"ports", {{{"containerPort", kFirstPort + static_cast<int>(index)}}}},
              {"volumeMounts", mounts}};
    if (role.generated_resources) {
        c["resources"] = kp::resources(role);
    }
    if (json env = kp::metrics_env(trial.spec); !env.empty()) {
        c["env"] = std::move(env);
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

// A role's pod spec: tshost's, with the role's patch (podSpecPatch, or in template mode the
// template's pod spec, without its own storage mount where tshost mounts the share) merged in.
json role_pod_spec(const Settings& s, size_t index, const TrialInput& trial,
                   const PodVolume& storage, const std::string& registry_secret) {
    const json spec = pod_spec(s, index, trial, storage, registry_secret);
    const std::string at = "taskRoles[" + std::to_string(index) + "]";
    if (s.framework_template.is_null()) {
        return kp::patched_pod_spec(spec, s.roles[index].pod_spec_patch, at + ".podSpecPatch");
    }
    return kp::patched_pod_spec(
        spec, without_mounts_at(s.roles[index].pod_spec_patch, storage.mount_path),
        s.template_path + ": spec." + at + ".task.pod.spec");
}

// No retries at either level, said explicitly rather than left to Go zero values: a retry is
// the host's decision (maxTrialRetries), made with a new attempt.
json no_retry() {
    return {{"fancyRetryPolicy", false}, {"maxRetryCount", 0}};
}

}  // namespace

std::string primary_replica(const Settings& settings) {
    return settings.roles.front().name + "-0";
}

std::vector<std::pair<std::string, std::string>> run_scripts(const Settings& s,
                                                             const TrialInput& trial,
                                                             const PodVolume& storage) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const Role& role : s.roles) {
        tshost::trial::RunScriptSpec rs =
            kp::run_script_spec("frameworkcontroller", trial, storage, role, primary_replica(s));
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

std::vector<std::string> registry_auth_paths(const Settings& s) {
    std::vector<std::string> out;
    for (const Role& role : s.roles) {
        out.push_back(role.registry_auth_path);
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> registry_secrets(const Settings& s) {
    return kp::registry_secrets(s.experiment_id, registry_auth_paths(s));
}

json registry_secret(const Settings& s, std::string_view namespace_name, const std::string& name,
                     std::string_view docker_config) {
    return kp::registry_secret(s.experiment_id, namespace_name, name, docker_config);
}

json build_framework(const Settings& s, const TrialInput& trial, const PodVolume& storage) {
    const std::vector<std::string> secrets =
        kp::registry_secret_per_role(s.experiment_id, registry_auth_paths(s));
    const json labels =
        kp::labels_json(trial_labels(trial.experiment_id, trial.trial_id, trial.spec.attempt));
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
                           // The pods carry the Framework's labels: the platform
                           // follows them by the experiment's selector.
                           {"pod",
                            {{"metadata", {{"labels", labels}}},
                             {"spec", role_pod_spec(s, i, trial, storage, secrets[i])}}}}}});
    }
    json framework = {
        {"apiVersion", std::string(kGroup) + "/" + kVersion},
        {"kind", "Framework"},
        {"metadata",
         {{"name", framework_name(trial.experiment_id, trial.trial_id, trial.spec.attempt)},
          {"namespace", trial.namespace_name},
          {"labels", labels}}},
        {"spec", {{"executionType", "Start"}, {"retryPolicy", no_retry()}, {"taskRoles", roles}}}};
    return s.framework_template.is_null() ? framework
                                          : completed_framework(s.framework_template, framework);
}

}  // namespace fc_platform
