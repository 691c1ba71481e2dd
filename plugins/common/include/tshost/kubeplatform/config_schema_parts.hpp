// JSON Schema fragments the Kubernetes platforms' config schemas share, and a compile-time
// concatenation, so each plugin's schema stays one constant (Meta::config_schema is constexpr).
// The host has already spelled keys canonically, moved the shortcut keys (trialCommand, ...) to
// the top level and resolved privateRegistryAuthPath to an absolute file; the storage section
// belongs to the storage plugin.
#pragma once

#include <array>
#include <cstddef>

namespace tshost::kubeplatform {

namespace detail {
template <class T>
struct text_size;
template <size_t N>
struct text_size<char[N]> {
    static constexpr size_t value = N - 1;
};
template <size_t N>
struct text_size<std::array<char, N>> {
    static constexpr size_t value = N - 1;
};
}  // namespace detail

/// String literals and earlier results joined into one NUL-terminated array, at compile time.
template <class... Parts>
constexpr auto concat_literals(const Parts&... parts) {
    std::array<char, (detail::text_size<Parts>::value + ...) + 1> out{};
    size_t at = 0;
    (
        [&](const auto& part) {
            for (size_t i = 0; i < detail::text_size<Parts>::value; ++i) {
                out[at++] = part[i];
            }
        }(parts),
        ...);
    out[at] = '\0';
    return out;
}

/// Properties every platform section has (comma-terminated).
inline constexpr char kCommonProperties[] = R"json(
    "namespace": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
      "description": "namespace of the jobs (default: the kubeconfig context's, else default)"},
    "serviceAccountName": {"type": ["string", "null"],
      "pattern": "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$",
      "description": "service account of the pods"},
    "trialCommand": {"type": "string"},
    "trialCodeDirectory": {"type": "string"},
    "trialGpuNumber": {"type": ["integer", "null"], "minimum": 0},
    "nniManagerIp": {"type": ["string", "null"]},
    "debug": {"type": "boolean"},
    "kubeconfig": {"type": "string", "minLength": 1,
      "description": "kubeconfig file(s), ':'-separated (default: $KUBECONFIG, ~/.kube/config, in-cluster)"},
    "context": {"type": "string", "minLength": 1, "description": "kubeconfig context (default: current-context)"},
    "qps": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000,
      "description": "client-side limit of creates, deletes and patches per second towards the API server (default 20; the experiment's list+watch streams have a budget of their own)"},
    "burst": {"type": "integer", "minimum": 1, "maximum": 2000, "description": "rate limit burst (default 30)"},
    "podPendingTimeout": {
      "description": "how long a pod may stay in trouble (image pull error, unschedulable, broken container config, init container stuck) before its trial fails with that reason: \"45s\", \"10m\", \"1.5h\", \"1d\" or seconds (default 10m; 0 disables)",
      "oneOf": [{"type": "integer", "minimum": 0},
                {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?\\s*[sSmMhHdD]?$"}]},
    "keepFinishedJobs": {
      "description": "false (default): delete a trial's job once it has ended by itself; true: keep finished jobs until the experiment ends; a duration (\"30m\", seconds): keep each that long",
      "oneOf": [{"type": "boolean"}, {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?\\s*[sSmMhHdD]?$"}]},)json";

/// The container keys of a role (comma-terminated): what NNI's Kubeflow and FrameworkController
/// roles share.
inline constexpr char kRoleProperties[] = R"json(
          "dockerImage": {"type": "string", "minLength": 1, "default": "msranni/nni:latest"},
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
          "privateRegistryAuthPath": {"type": "string", "minLength": 1,
            "description": "a docker config.json: becomes the experiment's one registry Secret"},
          "podSpecPatch": {"type": "object",
            "description": "JSON merge patch (RFC 7386) of the role's pod spec, lists of named items (containers, volumes, env, volumeMounts) merged by name: nodeSelector, tolerations, /dev/shm, env, extra volumes; tshost's own containers, commands, volumes and mounts must stay"},)json";

/// A Kubeflow role (KubeflowRoleConfig) whose `replicas` has the schema `replicas`.
template <class Replicas>
constexpr auto kubeflow_role(const Replicas& replicas) {
    return concat_literals(R"json({
        "type": "object",
        "additionalProperties": false,
        "required": ["replicas", "command", "cpuNumber", "memorySize"],
        "properties": {)json",
                           kRoleProperties, R"json(
          "codeDirectory": {"type": "string",
            "description": "accepted for NNI compatibility; the code comes from trialCodeDirectory"},
          "replicas": )json",
                           replicas, "}}");
}

/// The keys of a Kubeflow section besides operator and the roles (comma-terminated).
inline constexpr char kKubeflowProperties[] = R"json(
    "platform": {"const": "kubeflow"},
    "apiVersion": {"enum": ["v1alpha2", "v1beta1", "v1beta2", "v1", "kubeflow.org/v1"],
      "description": "an API version NNI knows; tshost always creates kubeflow.org/v1"},
    "reuseMode": {"type": "boolean",
      "description": "accepted for NNI compatibility; tshost runs one job per trial"},)json";

/// A Kubeflow section's schema: `operator` must be `op`, `forbidden` is the role the operator
/// does not have (refused with `why`), `first` is required; both roles' schemas are given.
template <class Op, class Forbidden, class Why, class First, class FirstRole, class Second,
          class SecondRole>
constexpr auto kubeflow_config_schema(const Op& op, const Forbidden& forbidden, const Why& why,
                                      const First& first, const FirstRole& first_role,
                                      const Second& second, const SecondRole& second_role) {
    return concat_literals(R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "additionalProperties": false,
  "required": [")json",
                           first, R"json("],
  "properties": {
    "operator": {"const": ")json",
                           op, R"json("},
    ")json",
                           forbidden, R"json(": {"not": {}, "description": ")json", why,
                           R"json("},)json", kKubeflowProperties, kCommonProperties, R"json(
    ")json",
                           first, R"json(": )json", first_role, R"json(,
    ")json",
                           second, R"json(": )json", second_role, R"json(
  }
})json");
}

}  // namespace tshost::kubeplatform
