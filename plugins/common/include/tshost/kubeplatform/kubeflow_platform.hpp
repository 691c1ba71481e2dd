// The platform class of kubeflow-tf and kubeflow-pytorch: KubePlatform with a training-operator
// job. Each plugin only names its flavor, its CRD and its Meta.
#pragma once

#include <tshost/plugin.hpp>

#include "crds.hpp"
#include "kubeflow_job.hpp"
#include "platform.hpp"

namespace tshost::kubeplatform {

class KubeflowPlatform : public KubePlatform {
  public:
    /// `crd`: the operator's CustomResourceDefinition (JSON) every job is checked against.
    KubeflowPlatform(const tshost::CreateArgs& args, const KubeflowFlavor& flavor, const char* crd);

  protected:
    nlohmann::json build_job(const TrialInput& trial, const PodVolume& storage) const override;
    std::vector<std::pair<std::string, std::string>> build_scripts(
        const TrialInput& trial, const PodVolume& storage) const override;
    std::vector<std::string> registry_auth_paths() const override;
    void check_rules(const nlohmann::json& job) const override;

  private:
    KubeflowPlatform(const tshost::CreateArgs& args, const KubeflowFlavor& flavor, const char* crd,
                     KubeflowSettings settings);

    const KubeflowFlavor& flavor_;
    KubeflowSettings settings_;
};

}  // namespace tshost::kubeplatform
