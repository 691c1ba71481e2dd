// kubeflow-tf: runs each trial as one Kubeflow TFJob (kubeflow.org/v1), the way NNI's kubeflow
// training service does with tf-operator, without its bugs (reference §11). Everything but the
// flavor (tf_flavor.*) is shared with kubeflow-pytorch and frameworkcontroller
// (tshost/kubeplatform/).
#include <tshost/kubeplatform/kubeflow_platform.hpp>
#include <tshost/plugin.hpp>

#include "tf_flavor.hpp"

namespace kubeflow_tf {

class TfJobPlatform : public tshost::kubeplatform::KubeflowPlatform {
  public:
    static constexpr tshost::Meta meta{
        .name = "kubeflow-tf",
        .version = "0.1.0",
        .description = "Runs each trial as a Kubeflow TFJob on Kubernetes",
        .config_schema = kConfigSchema,
    };

    explicit TfJobPlatform(const tshost::CreateArgs& args)
        : KubeflowPlatform(args, tf_flavor(), tshost::kubeplatform::tfjob_crd()) {}
};

}  // namespace kubeflow_tf

TSHOST_PLATFORM_PLUGIN(kubeflow_tf::TfJobPlatform)
