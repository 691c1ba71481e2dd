// JSON Schema of the plugin's config section (published as Meta::config_schema; the host
// validates the user's section against it before create()).
//
// Every NNI v2 `frameworkcontroller` key (reference §2.1) plus what the v1 converter produces.
// The host has already spelled keys canonically, moved the shortcut keys (trialCommand, ...)
// to the top level, turned memorySize into an exact Kubernetes quantity string ("4g" → "4Gi",
// 8192 → "8192Mi"), resolved
// privateRegistryAuthPath to an absolute file, and mapped v1's minSucceededTaskCount to v2's
// minSucceedTaskCount; the storage section belongs to the storage plugin. Where NNI is looser
// than FrameworkController (role names, counts), the schema applies FrameworkController's rules
// so a config that could never run fails at `tshost validate` with its key path.
#pragma once

namespace fc_platform {

inline constexpr const char* kConfigSchema = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "additionalProperties": false,
  "required": ["taskRoles"],
  "properties": {
    "platform": {"const": "frameworkcontroller"},
    "namespace": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
      "description": "namespace of the Frameworks (default: the kubeconfig context's, else default)"},
    "serviceAccountName": {"type": ["string", "null"],
      "pattern": "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$",
      "description": "service account of the pods; the barrier needs get/list/watch on frameworks"},
    "apiVersion": {"type": "string",
      "description": "accepted for NNI compatibility; tshost always uses frameworkcontroller.microsoft.com/v1"},
    "reuseMode": {"type": "boolean",
      "description": "accepted for NNI compatibility; tshost runs one Framework per trial"},
    "trialCommand": {"type": "string"},
    "trialCodeDirectory": {"type": "string"},
    "trialGpuNumber": {"type": ["integer", "null"], "minimum": 0},
    "nniManagerIp": {"type": ["string", "null"]},
    "debug": {"type": "boolean"},
    "kubeconfig": {"type": "string", "minLength": 1,
      "description": "kubeconfig file(s), ':'-separated (default: $KUBECONFIG, ~/.kube/config, in-cluster)"},
    "context": {"type": "string", "minLength": 1, "description": "kubeconfig context (default: current-context)"},
    "qps": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000,
      "description": "client-side request rate limit towards the API server (default 5)"},
    "burst": {"type": "integer", "minimum": 1, "maximum": 2000, "description": "rate limit burst (default 10)"},
    "configPath": {"not": {},
      "description": "FrameworkController template mode is not supported by this version of the plugin"},
    "barrierImage": {"type": "string", "minLength": 1,
      "description": "image of the frameworkbarrier init container of multi-role Frameworks"},
    "taskRoles": {
      "type": "array",
      "minItems": 1,
      "items": {
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "taskNumber", "command", "gpuNumber", "cpuNumber", "memorySize",
                     "frameworkAttemptCompletionPolicy"],
        "properties": {
          "name": {"type": "string", "pattern": "^[a-z0-9]{1,63}$",
            "description": "FrameworkController's rule for task role names: lower-case letters and digits, 1-63"},
          "dockerImage": {"type": "string", "minLength": 1, "default": "msranni/nni:latest"},
          "taskNumber": {"type": "integer", "minimum": 1, "maximum": 10000},
          "command": {"type": "string", "minLength": 1},
          "gpuNumber": {"type": "integer", "minimum": 0},
          "cpuNumber": {"type": "number", "exclusiveMinimum": 0},
          "memorySize": {
            "description": "a Kubernetes quantity, put in the manifest as written (the host turns \"4g\" into \"4Gi\" and 8192 MB into \"8192Mi\"), or an integer of MB",
            "oneOf": [
              {"type": "integer", "minimum": 1},
              {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$"}
            ]
          },
          "frameworkAttemptCompletionPolicy": {
            "type": "object",
            "additionalProperties": false,
            "required": ["minFailedTaskCount", "minSucceedTaskCount"],
            "properties": {
              "minFailedTaskCount": {"type": "integer", "minimum": -1},
              "minSucceedTaskCount": {"type": "integer", "minimum": -1}
            }
          },
          "privateRegistryAuthPath": {"type": "string", "minLength": 1,
            "description": "a docker config.json: becomes the experiment's one registry Secret"}
        }
      }
    }
  }
})json";

}  // namespace fc_platform
