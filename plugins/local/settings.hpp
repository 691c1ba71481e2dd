// What the local platform needs to know, merged from the user's config section
// (validated against kConfigSchema by the host) and the experiment JSON.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace local_platform {

/// JSON Schema of the plugin's config section: NNI v2's `local` training-service
/// keys plus our own (trialsDirectory, killGraceMs, useTrialAgent, shareDirectory). NNI copies the
/// shortcut fields (trialCommand, trialCodeDirectory, trialGpuNumber, nniManagerIp, debug) into
/// this section, so a config written for NNI carries them; a value set here wins over the
/// experiment's, as in NNI. Of reuseMode only `false` means anything for a local process.
inline constexpr const char* kConfigSchema = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "platform": {"const": "local"},
    "useActiveGpu": {"type": "boolean",
      "description": "NNI: allow GPUs that other processes use (accepted; GPUs are not probed)"},
    "maxTrialNumberPerGpu": {"type": "integer", "minimum": 1,
      "description": "NNI: trials sharing one GPU (accepted; not enforced)"},
    "gpuIndices": {
      "description": "GPUs handed out round-robin as CUDA_VISIBLE_DEVICES: 1, [0, 1] or \"0,1\"",
      "oneOf": [
        {"type": "integer", "minimum": 0},
        {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 1},
        {"type": "string", "pattern": "^[0-9]+(,[0-9]+)*$"}
      ]
    },
    "reuseMode": {"const": false},
    "trialCommand": {"type": "string", "minLength": 1},
    "trialCodeDirectory": {"type": "string", "minLength": 1},
    "trialGpuNumber": {"type": "integer", "minimum": 0},
    "nniManagerIp": {"type": "string"},
    "debug": {"type": "boolean"},
    "trialsDirectory": {"type": "string", "minLength": 1,
      "description": "where trial directories go; default <workDir>/trials"},
    "killGraceMs": {"type": "integer", "minimum": 0, "maximum": 600000, "default": 5000,
      "description": "after SIGTERM, wait this long before SIGKILL"},
    "useTrialAgent": {"type": "boolean", "default": false,
      "description": "run each trial as the Kubernetes platforms do: a run script on the configured storage materializes the code and starts the trial agent, which delivers the metrics (needs a storage section and shareDirectory)"},
    "shareDirectory": {"type": "string", "pattern": "^/",
      "description": "with useTrialAgent: the local directory where the storage's root is visible (e.g. the nfs plugin's localMountPath)"}
  }
})json";

struct Settings {
    std::string experiment_id;
    std::filesystem::path trials_dir;            // absolute; one sub-directory per trial attempt
    std::string trial_command;                   // run by /bin/sh -c, never spliced into other text
    std::filesystem::path code_dir;              // the trial's working directory (NNI_CODE_DIR)
    int64_t gpus_per_trial = 0;                  // trialGpuNumber
    std::vector<int64_t> gpu_indices;            // handed out round-robin when gpus_per_trial > 0
    std::chrono::milliseconds kill_grace{5000};  // SIGTERM → SIGKILL
    bool use_trial_agent = false;                // useTrialAgent
    std::filesystem::path share_dir;             // shareDirectory; set when use_trial_agent
};

/// Throws tshost::Error(TSH_ERR_INVALID_ARGUMENT) naming the missing or
/// inconsistent key.
Settings parse_settings(std::string_view config_json, std::string_view experiment_json);

}  // namespace local_platform
