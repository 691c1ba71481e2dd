// NNI experiment configs (v2, and legacy v1 converted to v2) loaded from YAML or JSON into one
// model, with every problem reported at its file, line and column.
//
// What the loader owns: NNI's top-level keys, the tuner/assessor sections, the mapping from
// trainingService.platform / storage.storageType to plugin names, and v1 → v2 conversion. The
// keys inside a platform or storage section are validated later by that plugin's JSON Schema
// (validate_section), with diagnostics that point back at the user's file.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/diagnostic.hpp"
#include "config/source_map.hpp"
#include "config/units.hpp"

namespace tshost::jsonschema {
class Schema;
}

namespace tshost::config {

/// A tuner or assessor: a built-in `name`, or a custom `class_name` ("module.Class") found in
/// `code_directory`.
struct Algorithm {
    std::string name;
    std::string class_name;
    std::string code_directory;  ///< absolute; only with class_name
    nlohmann::json class_args = nlohmann::json::object();
};

/// The part of the config a plugin receives.
struct PluginSection {
    /// "local", "frameworkcontroller", "kubeflow-tf", "kubeflow-pytorch" (platforms);
    /// "nfs", "azure-file" (storage); any other name is a third-party plugin's.
    std::string plugin;
    /// The section in NNI v2 shape (camelCase keys), without `platform` / `storage` /
    /// `storageType`. Normalised: keys canonically spelled, role `memorySize` an exact Kubernetes
    /// quantity string (config/units.hpp memory_quantity),
    /// paths absolute, FrameworkController's `minSucceededTaskCount` spelled NNI's way
    /// (`minSucceedTaskCount`).
    nlohmann::json config = nlohmann::json::object();
    /// Where it sits in the model: "trainingService" or "trainingService.storage".
    std::string key_path;
};

struct ExperimentConfig {
    std::string file;        ///< absolute path of the config
    int source_version = 2;  ///< 1 when converted from a legacy (v1) config

    std::string experiment_name;
    nlohmann::json search_space = nlohmann::json::object();
    std::string search_space_file;     ///< absolute; empty when the search space was inline
    std::string trial_command;         ///< required except for kubeflow / frameworkcontroller
    std::string trial_code_directory;  ///< absolute, an existing directory
    int trial_concurrency = 1;
    std::optional<std::int64_t> max_trial_number;
    std::optional<std::chrono::seconds> max_experiment_duration;
    std::optional<std::chrono::seconds> max_trial_duration;
    int max_trial_retries = 0;  ///< tshost extension
    double trial_gpu_number = 0;
    /// Required, as in NNI v2 ("ExperimentConfig: tuner must be set"); the deprecated
    /// `advisor` key is accepted in its place.
    Algorithm tuner;
    std::optional<Algorithm> assessor;
    std::vector<int> tuner_gpu_indices;

    PluginSection platform;                ///< trainingService without platform / storage
    std::optional<PluginSection> storage;  ///< trainingService.storage without storageType

    std::string nni_manager_ip;  ///< empty: the host picks its own address
    int port = 8080;             ///< tshost extension (nnictl's --port); trials use port + 1
    /// tshost extension: "push" (agents POST metrics to port + 1, journal as backup) or
    /// "storage" (no inbound port: the host follows the journals on the share).
    std::string metrics_transport = "push";
    /// tshost extension: with push, serve the metrics port over TLS with a CA the host
    /// generates per experiment; trials get only the CA certificate (kit/metrics-ca.crt).
    bool metrics_tls = false;
    bool debug = false;
    std::string log_level = "info";             ///< fatal, error, warning, info, debug, trace
    std::string experiment_working_directory;   ///< absolute; empty: the host's default
    std::optional<bool> version_check;          ///< v1 `versionCheck` (also accepted in v2)
    std::optional<std::string> log_collection;  ///< "http" or "none", a plain string

    /// Accepted but ignored keys (v1 authorName, nasMode, ...), for the user to see.
    std::vector<Diagnostic> warnings;
    /// JSON pointer into to_json() → where the user wrote it.
    SourceMap source_map;

    /// The normalised model in NNI v2 shape, for the experiment database: durations in
    /// seconds, search space inline, paths absolute; anything that looks like a secret
    /// (token, password, key, ...) replaced by "<redacted>". Does not include `file`.
    nlohmann::json to_json() const;

    /// Where a key of the model was written: a key path ("trainingService.taskRoles[0].name")
    /// or a JSON pointer ("/trainingService/taskRoles/0/name"). Falls back to the nearest
    /// enclosing key that was written, then to the file alone.
    SourceLocation location_of(std::string_view key_path_or_pointer) const;
    /// A diagnostic at that key, with the key path as the user spelled it.
    Diagnostic diagnostic_at(std::string_view key_path_or_pointer, std::string message,
                             std::string hint = {}) const;
};

/// Loads a YAML or JSON experiment config, v2 or legacy v1 (recognised by
/// `trainingServicePlatform`). Throws ConfigError listing EVERY problem found; never throws
/// anything else for bad input.
ExperimentConfig load_config(const std::filesystem::path& file);

/// Validates a plugin section against that plugin's JSON Schema. Each diagnostic carries the
/// file, line and column of the offending key and the key path as the user wrote it.
std::vector<Diagnostic> validate_section(const ExperimentConfig& config,
                                         const PluginSection& section,
                                         const jsonschema::Schema& schema);

}  // namespace tshost::config
