#include "settings.hpp"

#include <tshost/plugin.hpp>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace local_platform {

using nlohmann::json;

namespace {

[[noreturn]] void invalid(const std::string& message) {
    throw tshost::Error(TSH_ERR_INVALID_ARGUMENT, message);
}

json parse_object(std::string_view text, const char* what) {
    json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) {
        invalid(std::string(what) + " is not a JSON object");
    }
    return doc;
}

const json* find(const json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() ? &*it : nullptr;
}

// The value of `key` from the config section if set there, else from the experiment.
const json* lookup(const json& config, const json& experiment, const char* key) {
    const json* value = find(config, key);
    return value != nullptr ? value : find(experiment, key);
}

std::string required_string(const json* value, const char* key) {
    if (value == nullptr || !value->is_string() || value->get_ref<const std::string&>().empty()) {
        invalid(std::string("the experiment has no ") + key);
    }
    return value->get<std::string>();
}

std::vector<int64_t> parse_gpu_indices(const json& value) {
    std::vector<int64_t> indices;
    if (value.is_number_integer()) {
        indices.push_back(value.get<int64_t>());
    } else if (value.is_array()) {
        for (const json& item : value) {
            indices.push_back(item.get<int64_t>());
        }
    } else if (value.is_string()) {  // "0,1,3": the schema guarantees the shape
        const std::string text = value.get<std::string>();
        size_t start = 0;
        while (start <= text.size()) {
            const size_t comma = std::min(text.find(',', start), text.size());
            indices.push_back(std::stoll(text.substr(start, comma - start)));
            start = comma + 1;
        }
    }
    return indices;
}

}  // namespace

Settings parse_settings(std::string_view config_json, std::string_view experiment_json) {
    const json config = parse_object(config_json, "the local platform's config");
    const json experiment = parse_object(experiment_json, "the experiment description");
    Settings s;

    s.experiment_id = required_string(find(experiment, "experimentId"), "experimentId");
    s.trial_command = required_string(lookup(config, experiment, "trialCommand"), "trialCommand");
    const json* code_dir = lookup(config, experiment, "trialCodeDirectory");
    s.code_dir = std::filesystem::absolute(
        code_dir != nullptr && code_dir->is_string() ? code_dir->get<std::string>() : ".");

    const json* work_dir = find(experiment, "workDir");
    if (config.contains("trialsDirectory")) {
        s.trials_dir = config.at("trialsDirectory").get<std::string>();
        if (s.trials_dir.is_relative() && work_dir != nullptr && work_dir->is_string()) {
            s.trials_dir = std::filesystem::path(work_dir->get<std::string>()) / s.trials_dir;
        }
    } else {
        s.trials_dir = std::filesystem::path(required_string(work_dir, "workDir")) / "trials";
    }
    s.trials_dir = std::filesystem::absolute(s.trials_dir).lexically_normal();

    const json* gpus = lookup(config, experiment, "trialGpuNumber");
    if (gpus != nullptr && gpus->is_number_integer()) {
        s.gpus_per_trial = gpus->get<int64_t>();
    }
    if (config.contains("gpuIndices")) {
        s.gpu_indices = parse_gpu_indices(config.at("gpuIndices"));
    }
    if (s.gpus_per_trial > 0 && s.gpu_indices.empty()) {
        invalid("trialGpuNumber is " + std::to_string(s.gpus_per_trial) +
                " but gpuIndices is not set: list the GPUs trials may use");
    }
    if (s.gpus_per_trial > static_cast<int64_t>(s.gpu_indices.size())) {
        invalid("trialGpuNumber (" + std::to_string(s.gpus_per_trial) +
                ") is larger than the number of gpuIndices (" +
                std::to_string(s.gpu_indices.size()) + ")");
    }
    s.kill_grace = std::chrono::milliseconds(config.value("killGraceMs", int64_t{5000}));
    s.use_trial_agent = config.value("useTrialAgent", false);
    if (config.contains("shareDirectory")) {
        s.share_dir = std::filesystem::path(config.at("shareDirectory").get<std::string>())
                          .lexically_normal();
    }
    if (s.use_trial_agent && s.share_dir.empty()) {
        invalid(
            "useTrialAgent needs shareDirectory: the local directory where the storage's root "
            "is visible (for the nfs plugin, its localMountPath)");
    }
    return s;
}

}  // namespace local_platform
