#include "pytorch_flavor.hpp"

namespace kubeflow_pytorch {

const tshost::kubeplatform::KubeflowFlavor& pytorch_flavor() {
    static const tshost::kubeplatform::KubeflowFlavor flavor{
        "PyTorchJob",
        "pytorchjobs",
        "pytorchReplicaSpecs",
        "pytorch",
        "kubeflow-pytorch",
        {{"master", "Master"}, {"worker", "Worker"}},
        {"Master", "Worker"},
        {"master-0"},
        true,
    };
    return flavor;
}

}  // namespace kubeflow_pytorch
