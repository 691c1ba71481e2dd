#include "tshost/kubeplatform/settings.hpp"

#include <cmath>
#include <stdexcept>

namespace tshost::kubeplatform {

using nlohmann::json;

json parse_object(std::string_view text, const char* what) {
    json j = json::parse(text.empty() ? std::string_view("{}") : text, nullptr, false);
    if (!j.is_object()) {
        throw std::invalid_argument(std::string(what) + " is not a JSON object");
    }
    return j;
}

std::string memory_quantity(const json& v) {
    if (v.is_number_integer()) {
        return std::to_string(v.get<int64_t>()) + "Mi";
    }
    return v.get<std::string>();
}

std::string cpu_quantity(double cpus) {
    if (std::floor(cpus) == cpus) {
        return std::to_string(static_cast<int64_t>(cpus));
    }
    // Millicores: Kubernetes' own precision for cpu.
    return std::to_string(static_cast<int64_t>(std::llround(cpus * 1000))) + "m";
}

Role parse_role(const json& r, std::string name) {
    Role role;
    role.name = std::move(name);
    role.image = r.value("dockerImage", std::string("msranni/nni:latest"));
    role.command = r.at("command").get<std::string>();
    role.gpu_number = r.value("gpuNumber", int64_t{0});
    role.cpu_number = r.at("cpuNumber").get<double>();
    role.memory = memory_quantity(r.at("memorySize"));
    role.registry_auth_path = r.value("privateRegistryAuthPath", std::string());
    role.pod_spec_patch = r.value("podSpecPatch", json());
    return role;
}

int64_t duration_ms(const json& v, const char* key) {
    const auto bad = [&] {
        return std::invalid_argument(std::string(key) + ": '" + v.dump() +
                                     "' is not a duration; write e.g. \"45s\", \"10m\", "
                                     "\"1.5h\", \"1d\" or a number of seconds");
    };
    if (v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0)) {
        return v.get<int64_t>() * 1000;
    }
    if (!v.is_string()) {
        throw bad();
    }
    const std::string text = v.get<std::string>();
    size_t used = 0;
    double value = 0;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        throw bad();
    }
    while (used < text.size() && text[used] == ' ') {
        ++used;
    }
    const std::string unit = text.substr(used);
    double factor = 0;
    if (unit.empty() || unit == "s" || unit == "S") {
        factor = 1'000;
    } else if (unit == "m" || unit == "M") {
        factor = 60'000;
    } else if (unit == "h" || unit == "H") {
        factor = 3'600'000;
    } else if (unit == "d" || unit == "D") {
        factor = 86'400'000;
    }
    // A century bounds the arithmetic, and no experiment waits longer.
    if (factor == 0 || value < 0 || value * factor > 100.0 * 365 * 86'400'000) {
        throw bad();
    }
    return static_cast<int64_t>(std::ceil(value * factor));
}

CommonSettings parse_common_settings(const json& config, const json& experiment) {
    CommonSettings s;
    s.experiment_id = experiment.value("experimentId", std::string());
    if (s.experiment_id.empty()) {
        throw std::invalid_argument("the experiment JSON has no experimentId");
    }
    s.namespace_name = config.value("namespace", std::string());
    if (const auto it = config.find("serviceAccountName"); it != config.end() && it->is_string()) {
        s.service_account = it->get<std::string>();
    }
    if (const auto it = config.find("kubeconfig"); it != config.end()) {
        s.kubeconfig = it->get<std::string>();
    }
    s.context = config.value("context", std::string());
    s.qps = config.value("qps", s.qps);
    s.burst = config.value("burst", s.burst);
    // NNI v2 defaults to reuse mode, so only an explicit false says nothing to explain.
    s.reuse_mode_requested = config.value("reuseMode", true);
    s.api_version = config.value("apiVersion", std::string());
    if (const auto it = config.find("podPendingTimeout"); it != config.end()) {
        s.pod_pending_timeout_ms = duration_ms(*it, "podPendingTimeout");
    }
    if (const auto it = config.find("keepFinishedJobs"); it != config.end()) {
        if (it->is_boolean()) {
            s.delete_finished_after_ms = it->get<bool>() ? std::nullopt : std::optional<int64_t>(0);
        } else {
            s.delete_finished_after_ms = duration_ms(*it, "keepFinishedJobs");
        }
    }
    return s;
}

}  // namespace tshost::kubeplatform
