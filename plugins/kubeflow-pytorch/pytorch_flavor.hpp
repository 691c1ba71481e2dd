// What makes a PyTorchJob a PyTorchJob for the shared Kubeflow code
// (tshost/kubeplatform/kubeflow_job.hpp), and the plugin's config schema.
//
// Roles as NNI has them for PyTorch (reference §2.1, §2.2): `master` (required; exactly one
// replica, which training-operator's webhook enforces and NNI did not check) and `worker`; NNI's
// v1 schema forbids `ps` with pytorch-operator. The master's metrics reach the tuner.
#pragma once

#include <tshost/kubeplatform/config_schema_parts.hpp>
#include <tshost/kubeplatform/kubeflow_job.hpp>

namespace kubeflow_pytorch {

const tshost::kubeplatform::KubeflowFlavor& pytorch_flavor();

namespace schema {
namespace kp = tshost::kubeplatform;
inline constexpr char kMasterReplicas[] = R"json({"const": 1,
            "description": "a PyTorchJob has exactly one master (training-operator's webhook rule)"})json";
inline constexpr char kWorkerReplicas[] =
    R"json({"type": "integer", "minimum": 1, "maximum": 10000})json";
inline constexpr auto kText = kp::kubeflow_config_schema(
    "pytorch-operator", "ps",
    "pytorch-operator has no parameter servers (NNI refuses ps too): use master and worker",
    "master", kp::kubeflow_role(kMasterReplicas), "worker", kp::kubeflow_role(kWorkerReplicas));
}  // namespace schema

/// JSON Schema of the config section: every NNI v2 `kubeflow` key (reference §2.1) for
/// pytorch-operator, and what the v1 converter produces.
inline constexpr const char* kConfigSchema = schema::kText.data();

}  // namespace kubeflow_pytorch
