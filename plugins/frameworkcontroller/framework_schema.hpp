// The Framework schema every generated object is checked against (host service validate_json)
// before anything is sent. FrameworkController ships no CRD YAML: it registers the CRD from
// code (pkg/apis/frameworkcontroller/v1/crd.go), and these are its rules (reference SOURCES.md,
// §8.2): metadata.name and taskRoles[].name ^[a-z0-9]{1,63}$, executionType Create|Start|Stop,
// retryPolicy.maxRetryCount >= -2, taskNumber 0..10000, completion policy counts >= -1, and
// task.pod a PodTemplateSpec. Added: what any API server requires of that pod template
// (containers with a name and an image) and, because the document is our own output, no
// unknown keys in the Framework's spec, so a typo fails here rather than being dropped silently.
// Written in draft 2020-12, the dialect validate_json compiles by default.
#pragma once

#include "framework_schema_parts.hpp"

namespace fc_platform {

inline constexpr auto kFrameworkSchemaText = tshost::kubeplatform::concat_literals(
    R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$defs": {
    "name": )json",
    kRoleNameSchema, R"json(,
    "retryPolicy": )json",
    kRetryPolicySchema, R"json(,
    "container": {
      "type": "object",
      "required": ["name", "image"],
      "properties": {
        "name": )json",
    kContainerNameSchema, R"json(,
        "image": {"type": "string", "minLength": 1},
        "command": {"type": "array", "items": {"type": "string"}},
        "env": {"type": "array", "items": {"type": "object", "required": ["name"],
          "properties": {"name": {"type": "string", "minLength": 1}, "value": {"type": "string"}}}},
        "volumeMounts": )json",
    kVolumeMountsSchema, R"json(
      }
    }
  },
  "type": "object",
  "required": ["apiVersion", "kind", "metadata", "spec"],
  "properties": {
    "apiVersion": {"const": "frameworkcontroller.microsoft.com/v1"},
    "kind": {"const": "Framework"},
    "metadata": {
      "type": "object",
      "required": ["name"],
      "properties": {
        "name": {"$ref": "#/$defs/name"},
        "namespace": {"type": "string", "minLength": 1},
        "labels": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 63}}
      }
    },
    "spec": {
      "type": "object",
      "additionalProperties": false,
      "required": ["taskRoles"],
      "properties": {)json",
    kSpecProperties, task_roles_opening(R"json("name", "taskNumber", "task")json"),
    R"json(
              "name": )json",
    kRoleNameSchema, R"json(,
              "taskNumber": {"type": "integer", "minimum": 0, "maximum": 10000},
              "frameworkAttemptCompletionPolicy": )json",
    kCompletionPolicySchema, ",", kTaskOpening, R"json(
                  "pod": {
                    "type": "object",
                    "required": ["spec"],
                    "properties": {
                      "spec": {
                        "type": "object",
                        "required": ["containers"],
                        "properties": {
                          "restartPolicy": {"enum": ["Always", "OnFailure", "Never"]},
                          "containers": {"type": "array", "minItems": 1,
                                         "items": {"$ref": "#/$defs/container"}},
                          "initContainers": {"type": "array", "items": {"$ref": "#/$defs/container"}},
                          "volumes": )json",
    kVolumesSchema, R"json(
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
})json");
inline constexpr const char* kFrameworkSchema = kFrameworkSchemaText.data();

}  // namespace fc_platform
