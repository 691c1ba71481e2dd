// What makes a TFJob a TFJob for the shared Kubeflow code (tshost/kubeplatform/kubeflow_job.hpp),
// and the plugin's config schema.
//
// Roles as NNI has them for TensorFlow (reference §2.1, §2.2): `ps` and `worker`. NNI's v1 schema
// forbids `master` with tf-operator and requires `worker`; NNI's configs have no chief or
// evaluator. The replica whose metrics reach the tuner: the chief if there is one, else worker 0.
#pragma once

#include <tshost/kubeplatform/config_schema_parts.hpp>
#include <tshost/kubeplatform/kubeflow_job.hpp>

namespace kubeflow_tf {

const tshost::kubeplatform::KubeflowFlavor& tf_flavor();

namespace schema {
namespace kp = tshost::kubeplatform;
inline constexpr char kReplicas[] =
    R"json({"type": "integer", "minimum": 1, "maximum": 10000})json";
inline constexpr auto kRole = kp::kubeflow_role(kReplicas);
inline constexpr auto kText = kp::kubeflow_config_schema(
    "tf-operator", "master",
    "tf-operator has no master role (NNI refuses it too): use worker and ps", "worker", kRole, "ps",
    kRole);
}  // namespace schema

/// JSON Schema of the config section: every NNI v2 `kubeflow` key (reference §2.1) for
/// tf-operator, and what the v1 converter produces.
inline constexpr const char* kConfigSchema = schema::kText.data();

}  // namespace kubeflow_tf
