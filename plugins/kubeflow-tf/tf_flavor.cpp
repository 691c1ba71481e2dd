#include "tf_flavor.hpp"

namespace kubeflow_tf {

const tshost::kubeplatform::KubeflowFlavor& tf_flavor() {
    static const tshost::kubeplatform::KubeflowFlavor flavor{
        "TFJob",
        "tfjobs",
        "tfReplicaSpecs",
        "tensorflow",
        "kubeflow-tf",
        {{"ps", "PS"}, {"worker", "Worker"}},
        {"PS", "Worker", "Chief", "Master", "Evaluator"},
        {"chief-0", "worker-0"},
        false,
    };
    return flavor;
}

}  // namespace kubeflow_tf
