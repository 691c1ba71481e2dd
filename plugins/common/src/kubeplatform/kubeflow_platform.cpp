#include "tshost/kubeplatform/kubeflow_platform.hpp"

namespace tshost::kubeplatform {

using nlohmann::json;

namespace {

// The API versions NNI knows for both kinds (reference §9); the unified training-operator serves
// only v1, so that is what tshost creates.
bool nni_api_version(const std::string& v) {
    return v == "v1alpha2" || v == "v1beta1" || v == "v1beta2" || v == "v1" ||
           v == "kubeflow.org/v1";
}

JobKind kubeflow_kind(const KubeflowFlavor& f, const char* crd) {
    return {"kubeflow.org",
            "v1",
            f.plural,
            kubeflow_name_style(f),
            f.platform,
            crd,
            "the official CRD and the training-operator's webhook rules",
            map_kubeflow_status};
}

}  // namespace

KubeflowPlatform::KubeflowPlatform(const tshost::CreateArgs& args, const KubeflowFlavor& flavor,
                                   const char* crd)
    : KubeflowPlatform(args, flavor, crd, checked([&] {
                           return parse_kubeflow_settings(flavor, args.config_json,
                                                          args.experiment_json);
                       })) {}

KubeflowPlatform::KubeflowPlatform(const tshost::CreateArgs& args, const KubeflowFlavor& flavor,
                                   const char* crd, KubeflowSettings settings)
    : KubePlatform(args, settings, kubeflow_kind(flavor, crd)),
      flavor_(flavor),
      settings_(std::move(settings)) {
    const std::string& v = settings_.api_version;
    if (!v.empty() && v != "v1" && v != "kubeflow.org/v1" && nni_api_version(v)) {
        host().info("apiVersion '" + v + "' is accepted for NNI compatibility; " + flavor_.kind +
                    "s are created as kubeflow.org/v1, the only version training-operator "
                    ">= 1.3 serves");
    }
}

json KubeflowPlatform::build_job(const TrialInput& trial, const PodVolume& storage) const {
    return build_kubeflow_job(flavor_, settings_, trial, storage);
}

std::vector<std::pair<std::string, std::string>> KubeflowPlatform::build_scripts(
    const TrialInput& trial, const PodVolume& storage) const {
    return kubeflow_run_scripts(flavor_, settings_, trial, storage);
}

std::vector<std::string> KubeflowPlatform::registry_auth_paths() const {
    return kubeflow_registry_auth_paths(settings_);
}

void KubeflowPlatform::check_rules(const json& job) const {
    check_kubeflow_rules(flavor_, job);
}

}  // namespace tshost::kubeplatform
