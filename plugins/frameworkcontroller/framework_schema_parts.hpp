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

/// A container's volumeMounts: each with a name and a mountPath.
inline constexpr char kVolumeMountsSchema[] = R"json({"type": "array", "items": {"type": "object",
          "required": ["name", "mountPath"],
          "properties": {"name": {"type": "string"}, "mountPath": {"type": "string"},
                         "readOnly": {"type": "boolean"}}}})json";

/// A pod's volumes: each with a name.
inline constexpr char kVolumesSchema[] = R"json({"type": "array", "items": {"type": "object",
          "required": ["name"], "properties": {"name": {"type": "string"}}}})json";

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

/// The properties of a Framework's spec before its taskRoles (comma-terminated).
inline constexpr char kSpecProperties[] = R"json(
        "description": {"type": ["string", "null"]},
        "executionType": {"enum": ["Create", "Start", "Stop"]},
        "retryPolicy": {"$ref": "#/$defs/retryPolicy"},)json";

/// `"taskRoles": {` a non-empty array of objects without unknown keys, whose keys `required`
/// (a JSON list's items) must be there, up to and including `"properties": {`.
template <class Required>
constexpr auto task_roles_opening(const Required& required) {
    return tshost::kubeplatform::concat_literals(R"json(
        "taskRoles": {
          "type": "array",
          "minItems": 1,
          "items": {
            "type": "object",
            "additionalProperties": false,
            "required": [)json",
                                                 required, R"json(],
            "properties": {)json");
}

/// A task role's name: FrameworkController's ^[a-z0-9]{1,63}$.
inline constexpr char kRoleNameSchema[] =
    R"json({"type": "string", "pattern": "^[a-z0-9]{1,63}$"})json";

/// `"task": {` without unknown keys, `pod` required, its retryPolicy (as
/// "#/$defs/retryPolicy") and podGracefulDeletionTimeoutSec, up to the next property
/// (comma-terminated).
inline constexpr char kTaskOpening[] = R"json(
              "task": {
                "type": "object",
                "additionalProperties": false,
                "required": ["pod"],
                "properties": {
                  "retryPolicy": {"$ref": "#/$defs/retryPolicy"},
                  "podGracefulDeletionTimeoutSec": {"type": ["integer", "null"], "minimum": 0},)json";

}  // namespace fc_platform
