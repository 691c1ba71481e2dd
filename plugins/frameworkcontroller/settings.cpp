#include "settings.hpp"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

namespace fc_platform {

using nlohmann::json;

namespace {

json parse_object(std::string_view text, const char* what) {
    json j = json::parse(text.empty() ? std::string_view("{}") : text, nullptr, false);
    if (!j.is_object()) {
        throw std::invalid_argument(std::string(what) + " is not a JSON object");
    }
    return j;
}

// The host hands memorySize over as an exact Kubernetes quantity, kept as written; an integer
// (from an older host, or a direct caller) is MB.
std::string memory_quantity(const json& v) {
    if (v.is_number_integer()) {
        return std::to_string(v.get<int64_t>()) + "Mi";
    }
    return v.get<std::string>();
}

Role parse_role(const json& r) {
    Role role;
    role.name = r.at("name").get<std::string>();
    role.image = r.value("dockerImage", std::string("msranni/nni:latest"));
    role.task_number = r.at("taskNumber").get<int64_t>();
    role.command = r.at("command").get<std::string>();
    role.gpu_number = r.at("gpuNumber").get<int64_t>();
    role.cpu_number = r.at("cpuNumber").get<double>();
    role.memory = memory_quantity(r.at("memorySize"));
    const json& policy = r.at("frameworkAttemptCompletionPolicy");
    role.min_failed = policy.at("minFailedTaskCount").get<int64_t>();
    // NNI v2's spelling; FrameworkController's own is minSucceededTaskCount.
    role.min_succeeded = policy.at("minSucceedTaskCount").get<int64_t>();
    role.registry_auth_path = r.value("privateRegistryAuthPath", std::string());
    return role;
}

}  // namespace

std::string cpu_quantity(double cpus) {
    if (std::floor(cpus) == cpus) {
        return std::to_string(static_cast<int64_t>(cpus));
    }
    // Millicores: Kubernetes' own precision for cpu.
    return std::to_string(static_cast<int64_t>(std::llround(cpus * 1000))) + "m";
}

Settings parse_settings(std::string_view config_json, std::string_view experiment_json) {
    const json config = parse_object(config_json, "the frameworkcontroller section");
    const json experiment = parse_object(experiment_json, "the experiment");
    Settings s;
    s.experiment_id = experiment.value("experimentId", std::string());
    if (s.experiment_id.empty()) {
        throw std::invalid_argument("the experiment JSON has no experimentId");
    }
    s.namespace_name = config.value("namespace", std::string());
    if (const auto it = config.find("serviceAccountName"); it != config.end() && it->is_string()) {
        s.service_account = it->get<std::string>();
    }
    std::set<std::string> names;
    const json& roles = config.at("taskRoles");
    for (size_t i = 0; i < roles.size(); ++i) {
        Role role = parse_role(roles[i]);
        if (!names.insert(role.name).second) {
            throw std::invalid_argument("taskRoles[" + std::to_string(i) + "].name: '" + role.name +
                                        "' is used by an earlier role; role names must be unique");
        }
        s.roles.push_back(std::move(role));
    }
    if (const auto it = config.find("kubeconfig"); it != config.end()) {
        s.kubeconfig = it->get<std::string>();
    }
    s.context = config.value("context", std::string());
    s.qps = config.value("qps", s.qps);
    s.burst = config.value("burst", s.burst);
    s.barrier_image = config.value("barrierImage", s.barrier_image);
    // NNI v2 defaults to reuse mode, so only an explicit false says nothing to explain.
    s.reuse_mode_requested = config.value("reuseMode", true);
    s.api_version = config.value("apiVersion", std::string());
    return s;
}

}  // namespace fc_platform
