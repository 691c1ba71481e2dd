// JSON Schema fragments of FrameworkController's rules that the Framework schema (what tshost
// sends), the template schema (what a user's Framework may hold) and the config schema share.
#pragma once

#include <tshost/kubeplatform/config_schema_parts.hpp>

namespace fc_platform {

/// {fancyRetryPolicy, maxRetryCount >= -2}: spec.retryPolicy and task.retryPolicy.
inline constexpr char kRetryPolicySchema[] = R"json({
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "fancyRetryPolicy": {"type": "boolean"},
        "maxRetryCount": {"type": "integer", "minimum": -2}
      }
    })json";

/// A container name: a DNS label.
inline constexpr char kContainerNameSchema[] =
    R"json({"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63})json";

/// frameworkAttemptCompletionPolicy with both counts >= -1; `succeeded` is the key of the
/// second (FrameworkController's minSucceededTaskCount, NNI v2's minSucceedTaskCount).
template <class Key>
constexpr auto completion_policy_schema(const Key& succeeded) {
    return tshost::kubeplatform::concat_literals(R"json({
                "type": "object",
                "additionalProperties": false,
                "required": ["minFailedTaskCount", ")json",
                                                 succeeded, R"json("],
                "properties": {
                  "minFailedTaskCount": {"type": "integer", "minimum": -1},
                  ")json",
                                                 succeeded,
                                                 R"json(": {"type": "integer", "minimum": -1}
                }
              })json");
}
inline constexpr auto kCompletionPolicySchema = completion_policy_schema("minSucceededTaskCount");

/// A task's retryPolicy and podGracefulDeletionTimeoutSec properties (comma-terminated), with
/// the retry policy as "#/$defs/retryPolicy".
inline constexpr char kTaskTimingProperties[] = R"json(
                  "retryPolicy": {"$ref": "#/$defs/retryPolicy"},
                  "podGracefulDeletionTimeoutSec": {"type": ["integer", "null"], "minimum": 0},)json";

}  // namespace fc_platform
