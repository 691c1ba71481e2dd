// kubeflow-pytorch: runs each trial as one Kubeflow PyTorchJob (kubeflow.org/v1), the way NNI's
// kubeflow training service does with pytorch-operator, without its bugs (reference §11).
// Everything but the flavor (pytorch_flavor.*) is shared with kubeflow-tf and
// frameworkcontroller (tshost/kubeplatform/).
#include <tshost/kubeplatform/kubeflow_platform.hpp>
#include <tshost/plugin.hpp>

#include "pytorch_flavor.hpp"

namespace kubeflow_pytorch {

class PyTorchJobPlatform : public tshost::kubeplatform::KubeflowPlatform {
  public:
    static constexpr tshost::Meta meta{
        .name = "kubeflow-pytorch",
        .version = "0.1.0",
        .description = "Runs each trial as a Kubeflow PyTorchJob on Kubernetes",
        .config_schema = kConfigSchema,
    };

    explicit PyTorchJobPlatform(const tshost::CreateArgs& args)
        : KubeflowPlatform(args, pytorch_flavor(), tshost::kubeplatform::pytorchjob_crd()) {}
};

}  // namespace kubeflow_pytorch

TSHOST_PLATFORM_PLUGIN(kubeflow_pytorch::PyTorchJobPlatform)
