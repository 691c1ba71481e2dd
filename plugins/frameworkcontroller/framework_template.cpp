#include "framework_template.hpp"

#include <tshost/kubeplatform/pod_spec_patch.hpp>
#include <tshost/trial/run_script.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace fc_platform {

using nlohmann::json;

namespace {

constexpr const char* kBarrierContainer = "frameworkbarrier";

// NNI's non-standard resource keys of a template task, and its defaults for them.
constexpr const char* kNniResourceKeys[] = {"gpuNum", "cpuNum", "memoryMB"};
constexpr double kNniDefaultCpus = 1;
constexpr int64_t kNniDefaultMemoryMb = 8192;

bool plain_word(const std::string& word) {
    return !word.empty() && std::all_of(word.begin(), word.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 ||
               std::string_view("_./=:,@%+-").find(static_cast<char>(c)) != std::string_view::npos;
    });
}

// The container's argv as one shell command line: NNI joined it with spaces, which broke any
// argument holding a space ("sh -c 'a b'"); words that need it are quoted instead.
std::string shell_join(const std::vector<std::string>& words) {
    std::string out;
    for (const std::string& word : words) {
        out +=
            (out.empty() ? "" : " ") + (plain_word(word) ? word : tshost::trial::shell_quote(word));
    }
    return out;
}

std::vector<std::string> strings_of(const json& container, const char* key) {
    const auto it = container.find(key);
    return it != container.end() && it->is_array() ? it->get<std::vector<std::string>>()
                                                   : std::vector<std::string>();
}

// nvidia.com/gpu of the container's limits (else requests): the run script hides the GPUs
// (CUDA_VISIBLE_DEVICES=) from a role that has none.
int64_t gpus_of(const json& resources, const std::string& at) {
    for (const char* part : {"limits", "requests"}) {
        const auto p = resources.find(part);
        if (p == resources.end() || !p->is_object() || !p->contains("nvidia.com/gpu")) {
            continue;
        }
        const json& value = (*p)["nvidia.com/gpu"];
        if (value.is_number_unsigned()) {
            return value.get<int64_t>();
        }
        const std::string text = value.is_string() ? value.get<std::string>() : "";
        if (!text.empty() && std::all_of(text.begin(), text.end(),
                                         [](unsigned char c) { return std::isdigit(c) != 0; })) {
            return std::stoll(text);
        }
        throw std::invalid_argument(at + ".resources." + part + "[\"nvidia.com/gpu\"]: '" +
                                    value.dump() + "' is not a whole number of GPUs");
    }
    return 0;
}

// What tshost decides in a role's pod spec, taken out of the template's: the rest is the patch.
json pod_patch(json spec, bool config_sets_service_account) {
    spec.erase("restartPolicy");  // Never, so a failing trial fails (§11.1)
    if (config_sets_service_account) {
        spec.erase("serviceAccountName");
    }
    json& container = spec["containers"][0];
    container.erase("command");
    container.erase("args");
    return spec;
}

Role template_role(const json& r, const std::string& at, bool config_sets_service_account) {
    Role role;
    role.name = r.at("name").get<std::string>();
    const json& task = r.at("task");
    const json& spec = task.at("pod").at("spec");
    const json& containers = spec.at("containers");
    if (!containers.is_array() || containers.size() != 1) {
        throw std::invalid_argument(
            at +
            ".task.pod.spec.containers: a task role has exactly one container (init "
            "containers aside), which runs the trial; found " +
            std::to_string(containers.is_array() ? containers.size() : 0));
    }
    const json& c = containers[0];
    const std::string container_at = at + ".task.pod.spec.containers[0]";
    role.container_name = c.at("name").get<std::string>();
    role.image = c.at("image").get<std::string>();
    std::vector<std::string> argv = strings_of(c, "command");
    const std::vector<std::string> args = strings_of(c, "args");
    argv.insert(argv.end(), args.begin(), args.end());
    if (argv.empty()) {
        throw std::invalid_argument(container_at +
                                    ".command: the container's command is the trial command "
                                    "tshost runs; give one, e.g. [python3, trial.py]");
    }
    role.command = shell_join(argv);
    if (const auto res = c.find("resources"); res != c.end() && res->is_object()) {
        role.generated_resources = false;  // kept exactly as written
        role.gpu_number = gpus_of(*res, container_at);
    } else if (std::any_of(std::begin(kNniResourceKeys), std::end(kNniResourceKeys),
                           [&](const char* key) { return task.contains(key); })) {
        role.gpu_number = task.value("gpuNum", int64_t{0});
        role.cpu_number = task.value("cpuNum", kNniDefaultCpus);
        role.memory = std::to_string(task.value("memoryMB", kNniDefaultMemoryMb)) + "Mi";
    } else {
        role.generated_resources = false;  // none written, none added
    }
    role.task_number = r.value("taskNumber", int64_t{1});
    if (const auto policy = r.find("frameworkAttemptCompletionPolicy"); policy != r.end()) {
        role.min_failed = policy->at("minFailedTaskCount").get<int64_t>();
        role.min_succeeded = policy->at("minSucceededTaskCount").get<int64_t>();
    }
    role.pod_spec_patch = pod_patch(spec, config_sets_service_account);
    return role;
}

const json& list_of(const json& object, const char* key) {
    static const json kEmpty = json::array();
    const auto it = object.find(key);
    return it != object.end() && it->is_array() ? *it : kEmpty;
}

}  // namespace

std::vector<Role> template_roles(const json& framework, const std::string& where,
                                 bool config_sets_service_account) {
    std::vector<Role> roles;
    const json& list = framework.at("spec").at("taskRoles");
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string at = "spec.taskRoles[" + std::to_string(i) + "]";
        try {
            roles.push_back(template_role(list[i], at, config_sets_service_account));
        } catch (const std::exception& e) {
            throw std::invalid_argument(where + ": " + e.what());
        }
    }
    return roles;
}

std::string template_barrier_image(const json& framework) {
    for (const json& role : framework.at("spec").at("taskRoles")) {
        const json& spec = role.at("task").at("pod").at("spec");
        for (const json& c : list_of(spec, "initContainers")) {
            if (c.value("name", "") == kBarrierContainer && c.contains("image")) {
                return c["image"].get<std::string>();
            }
        }
    }
    return "";
}

std::string template_namespace(const json& framework) {
    const auto meta = framework.find("metadata");
    return meta != framework.end() && meta->is_object() ? meta->value("namespace", "") : "";
}

json without_mounts_at(json pod_spec, const std::string& mount_path) {
    std::set<std::string> dropped;
    std::set<std::string> used;
    for (const char* list : {"containers", "initContainers"}) {
        if (!pod_spec.contains(list)) {
            continue;
        }
        for (json& c : pod_spec[list]) {
            if (!c.contains("volumeMounts")) {
                continue;
            }
            json kept = json::array();
            for (const json& mount : c["volumeMounts"]) {
                const bool at_storage = mount.value("mountPath", "") == mount_path;
                (at_storage ? dropped : used).insert(mount.value("name", ""));
                if (!at_storage) {
                    kept.push_back(mount);
                }
            }
            c["volumeMounts"] = std::move(kept);
        }
    }
    if (pod_spec.contains("volumes")) {
        json kept = json::array();
        for (const json& volume : pod_spec["volumes"]) {
            const std::string name = volume.value("name", "");
            if (dropped.count(name) == 0 || used.count(name) > 0) {
                kept.push_back(volume);
            }
        }
        pod_spec["volumes"] = std::move(kept);
    }
    return pod_spec;
}

json completed_framework(const json& framework, const json& generated) {
    json base = framework;
    base.erase("status");
    if (base.contains("metadata") && base["metadata"].is_object()) {
        for (const char* server_set :
             {"name", "generateName", "uid", "resourceVersion", "generation", "creationTimestamp",
              "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink"}) {
            base["metadata"].erase(server_set);
        }
    }
    json template_roles = std::move(base["spec"]["taskRoles"]);
    base["spec"].erase("taskRoles");
    json ours = generated;
    json our_roles = std::move(ours["spec"]["taskRoles"]);
    ours["spec"].erase("taskRoles");

    json out = tshost::kubeplatform::strategic_merge(base, ours);
    json roles = json::array();
    for (size_t i = 0; i < our_roles.size(); ++i) {
        json role = template_roles[i];
        json& task = role["task"];
        for (const char* key : kNniResourceKeys) {
            task.erase(key);  // not FrameworkController's: they became the container's resources
        }
        // The pod spec is already complete (template merged in, by patched_pod_spec); its
        // metadata (labels, annotations) merges here.
        task["pod"].erase("spec");
        roles.push_back(tshost::kubeplatform::strategic_merge(role, our_roles[i]));
    }
    out["spec"]["taskRoles"] = std::move(roles);
    return out;
}

}  // namespace fc_platform
