// The JSON Schema of template mode's keys (part of kConfigSchema): `configPath` (NNI's key: the
// Framework YAML, which the host reads into `frameworkTemplate` with its lines, so a problem
// found here is reported at the template's file, line, column and key path).
//
// What a template must be for tshost to complete it: a Framework (FrameworkController's rules
// where they apply to what the user wrote: role names ^[a-z0-9]{1,63}$, taskNumber 0..10000 (1+
// here: a role runs the trial), counts >= -1, maxRetryCount >= -2, container names DNS labels),
// exactly one container per role (NNI's rule: it runs the trial) with an image and the command
// that becomes the trial command, and no keys FrameworkController does not know in spec, roles
// and tasks except NNI's gpuNum/cpuNum/memoryMB. metadata.name, executionType, retryPolicy and
// restartPolicy are accepted and replaced by tshost's.
#pragma once

#include "framework_schema_parts.hpp"

namespace fc_platform {

inline constexpr auto kTemplateProperties = tshost::kubeplatform::concat_literals(
    R"json(
    "configPath": {"type": "string", "minLength": 1,
      "description": "FrameworkController template mode (NNI): a Framework YAML whose task roles every trial's Framework completes; the host reads it into frameworkTemplate"},
    "frameworkTemplate": {
      "description": "the Framework template (read from configPath; the experiment's saved config keeps it inline)",
      "type": "object",
      "required": ["spec"],
      "properties": {
        "apiVersion": {"const": "frameworkcontroller.microsoft.com/v1"},
        "kind": {"const": "Framework"},
        "metadata": {
          "type": "object",
          "properties": {
            "name": {"type": "string", "description": "replaced by the trial's Framework name"},
            "namespace": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"},
            "labels": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 63}},
            "annotations": {"type": "object", "additionalProperties": {"type": "string"}}
          }
        },
        "spec": {
          "type": "object",
          "additionalProperties": false,
          "required": ["taskRoles"],
          "properties": {)json",
    kSpecProperties, task_roles_opening(R"json("name", "task")json"), R"json(
                  "name": )json",
    kRoleNameSchema, R"json(,
                  "taskNumber": {"type": "integer", "minimum": 1, "maximum": 10000},
                  "frameworkAttemptCompletionPolicy": )json",
    kCompletionPolicySchema, ",", kTaskOpening, R"json(
                      "gpuNum": {"type": "integer", "minimum": 0},
                      "cpuNum": {"type": "number", "exclusiveMinimum": 0},
                      "memoryMB": {"type": "integer", "minimum": 1},
                      "pod": {
                        "type": "object",
                        "required": ["spec"],
                        "properties": {
                          "metadata": {"type": "object"},
                          "spec": {
                            "type": "object",
                            "required": ["containers"],
                            "properties": {
                              "containers": {
                                "type": "array", "minItems": 1, "maxItems": 1,
                                "items": {
                                  "type": "object",
                                  "required": ["name", "image", "command"],
                                  "properties": {
                                    "name": )json",
    kContainerNameSchema, R"json(,
                                    "image": {"type": "string", "minLength": 1},
                                    "command": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                                    "args": {"type": "array", "items": {"type": "string"}},
                                    "resources": {"type": "object"},
                                    "volumeMounts": )json",
    kVolumeMountsSchema, R"json(
                                  }
                                }
                              },
                              "initContainers": {"type": "array", "items": {
                                "type": "object", "required": ["name", "image"],
                                "properties": {"name": )json",
    kContainerNameSchema, R"json(, "volumeMounts": )json", kVolumeMountsSchema, R"json(}}},
                              "restartPolicy": {"enum": ["Always", "OnFailure", "Never"]},
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
    },)json");

}  // namespace fc_platform
