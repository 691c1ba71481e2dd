// The model's normalised JSON form and its source lookups.
#include <cmath>

#include "config/experiment_config.hpp"
#include "config/keys.hpp"

namespace tshost::config {

namespace {

using nlohmann::json;

// NNI's name for a plugin, so that to_json() reads as an NNI v2 config.
std::string nni_platform(const std::string& plugin) {
    return plugin.starts_with("kubeflow-") ? "kubeflow" : plugin;
}
std::string nni_storage(const std::string& plugin) {
    return plugin == "azure-file" ? "azureStorage" : plugin;
}

// Keys whose values are secrets. Names that end like "...Name", "...Path" or "...File" hold
// where a secret is, not the secret, and stay; so does Azure's keyVaultKey, which is the name
// of the Key Vault secret that holds the storage key.
bool secret_key(std::string_view key) {
    std::string k = normalize_key(key);
    for (std::string_view keep : {"name", "path", "file", "dir", "directory", "count"}) {
        if (k.ends_with(keep)) {
            return false;
        }
    }
    if (k == "keyvaultkey") {
        return false;
    }
    for (std::string_view secret : {"password", "passwd", "secret", "token", "credential",
                                    "passphrase", "apikey", "accesskey"}) {
        if (k.find(secret) != std::string::npos) {
            return true;
        }
    }
    return k.ends_with("key");
}

void redact(json& value) {
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
            if (secret_key(it.key()) && !it.value().is_structured() && !it.value().is_null()) {
                it.value() = "<redacted>";
            } else {
                redact(it.value());
            }
        }
    } else if (value.is_array()) {
        for (json& item : value) {
            redact(item);
        }
    }
}

json algorithm_json(const Algorithm& algorithm) {
    json out = json::object();
    if (!algorithm.name.empty()) {
        out["name"] = algorithm.name;
    }
    if (!algorithm.class_name.empty()) {
        out["className"] = algorithm.class_name;
    }
    if (!algorithm.code_directory.empty()) {
        out["codeDirectory"] = algorithm.code_directory;
    }
    out["classArgs"] = algorithm.class_args;
    return out;
}

json number(double value) {
    if (std::floor(value) == value && std::abs(value) < 1e15) {
        return static_cast<std::int64_t>(value);
    }
    return value;
}

}  // namespace

json ExperimentConfig::to_json() const {
    json out = json::object();
    if (!experiment_name.empty()) {
        out["experimentName"] = experiment_name;
    }
    if (!trial_command.empty()) {
        out["trialCommand"] = trial_command;
    }
    out["trialCodeDirectory"] = trial_code_directory;
    out["trialConcurrency"] = trial_concurrency;
    out["trialGpuNumber"] = number(trial_gpu_number);
    if (max_trial_number) {
        out["maxTrialNumber"] = *max_trial_number;
    }
    if (max_experiment_duration) {
        out["maxExperimentDuration"] = max_experiment_duration->count();
    }
    if (max_trial_duration) {
        out["maxTrialDuration"] = max_trial_duration->count();
    }
    out["maxTrialRetries"] = max_trial_retries;
    if (!nni_manager_ip.empty()) {
        out["nniManagerIp"] = nni_manager_ip;
    }
    out["port"] = port;
    out["metricsTransport"] = metrics_transport;
    out["metricsTls"] = metrics_tls;
    out["debug"] = debug;
    out["logLevel"] = log_level;
    if (!experiment_working_directory.empty()) {
        out["experimentWorkingDirectory"] = experiment_working_directory;
    }
    if (!tuner_gpu_indices.empty()) {
        out["tunerGpuIndices"] = tuner_gpu_indices;
    }
    if (version_check) {
        out["versionCheck"] = *version_check;
    }
    if (log_collection) {
        out["logCollection"] = *log_collection;
    }
    out["tuner"] = algorithm_json(tuner);
    if (assessor) {
        out["assessor"] = algorithm_json(*assessor);
    }
    json service = platform.config.is_object() ? platform.config : json::object();
    service["platform"] = nni_platform(platform.plugin);
    if (storage) {
        json section = storage->config.is_object() ? storage->config : json::object();
        section["storageType"] = nni_storage(storage->plugin);
        service["storage"] = std::move(section);
    }
    out["trainingService"] = std::move(service);
    redact(out);
    out["searchSpace"] = search_space;  // parameter names are not secrets, whatever they say
    // A Framework template is a Kubernetes object whose keys name things ("key" of a
    // secretKeyRef, say) rather than hold secrets; redacting them would break a resumed run.
    if (const auto it = platform.config.find("frameworkTemplate"); it != platform.config.end()) {
        out["trainingService"]["frameworkTemplate"] = *it;
    }
    return out;
}

SourceLocation ExperimentConfig::location_of(std::string_view key_path_or_pointer) const {
    SourceLocation where = source_map.key_location(pointer_from_key_path(key_path_or_pointer));
    if (where.file.empty()) {
        where.file = file;
    }
    return where;
}

Diagnostic ExperimentConfig::diagnostic_at(std::string_view key_path_or_pointer,
                                           std::string message, std::string hint) const {
    std::string pointer = pointer_from_key_path(key_path_or_pointer);
    std::string key_path = source_map.key_path(pointer);
    return {location_of(pointer), key_path.empty() ? std::string(key_path_or_pointer) : key_path,
            std::move(message), std::move(hint)};
}

}  // namespace tshost::config
