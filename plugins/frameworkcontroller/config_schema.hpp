// JSON Schema of the plugin's config section (published as Meta::config_schema; the host
// validates the user's section against it before create()).
//
// Every NNI v2 `frameworkcontroller` key (reference §2.1) plus what the v1 converter produces.
// The host has mapped v1's minSucceededTaskCount to v2's minSucceedTaskCount; the keys every
// Kubernetes platform shares are in tshost/kubeplatform/config_schema_parts.hpp. Where NNI is
// looser than FrameworkController (role names, counts), the schema applies FrameworkController's
// rules so a config that could never run fails at `tshost validate` with its key path. Template
// mode (configPath / frameworkTemplate, in place of taskRoles) is in template_schema.hpp.
#pragma once

#include <tshost/kubeplatform/config_schema_parts.hpp>

#include "template_schema.hpp"

namespace fc_platform {

inline constexpr auto kConfigSchemaText = tshost::kubeplatform::concat_literals(
    R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "additionalProperties": false,
  "anyOf": [{"required": ["taskRoles"]}, {"required": ["frameworkTemplate"]}],
  "$defs": {"retryPolicy": )json",
    kRetryPolicySchema, R"json(},
  "properties": {
    "platform": {"const": "frameworkcontroller"},
    "apiVersion": {"type": "string",
      "description": "accepted for NNI compatibility; tshost always uses frameworkcontroller.microsoft.com/v1"},
    "reuseMode": {"type": "boolean",
      "description": "accepted for NNI compatibility; tshost runs one Framework per trial"},)json",
    tshost::kubeplatform::kCommonProperties, kTemplateProperties, R"json(
    "barrierImage": {"type": "string", "minLength": 1,
      "description": "image of the frameworkbarrier init container of multi-role Frameworks"},
    )json",
    task_roles_opening(R"json("name", "taskNumber", "command", "gpuNumber", "cpuNumber",
        "memorySize", "frameworkAttemptCompletionPolicy")json"),
    tshost::kubeplatform::kRoleProperties, R"json(
          "name": {"type": "string", "pattern": "^[a-z0-9]{1,63}$",
            "description": "FrameworkController's rule for task role names: lower-case letters and digits, 1-63"},
          "taskNumber": {"type": "integer", "minimum": 1, "maximum": 10000},
          "frameworkAttemptCompletionPolicy": )json",
    completion_policy_schema("minSucceedTaskCount"), R"json(
        }
      }
    }
  }
})json");
inline constexpr const char* kConfigSchema = kConfigSchemaText.data();

}  // namespace fc_platform
