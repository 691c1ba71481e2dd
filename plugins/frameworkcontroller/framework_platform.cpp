// frameworkcontroller: runs each trial as one FrameworkController Framework, the way NNI's
// frameworkcontroller training service does (same names, labels, run-script layout), without
// its bugs (reference §11). The pieces:
//   config_schema.hpp, settings.*   the config section
//   template_schema.hpp, framework_template.*  template mode (configPath)
//   names.hpp, manifest.*           what a trial creates (pure; `render` shows exactly that)
//   framework_schema.hpp            the Framework rules every object is checked against first
//   status_map.*                    Framework status → trial status
//   this file                       what the shared KubePlatform (tshost/kubeplatform/) needs
//                                   of FrameworkController: the manifest and a graceful stop
#include <tshost/kube/client.hpp>
#include <tshost/kubeplatform/kube_errors.hpp>
#include <tshost/kubeplatform/platform.hpp>
#include <tshost/plugin.hpp>

#include <nlohmann/json.hpp>

#include "config_schema.hpp"
#include "framework_schema.hpp"
#include "manifest.hpp"
#include "names.hpp"
#include "settings.hpp"
#include "status_map.hpp"

namespace fc_platform {
namespace {

using nlohmann::json;
namespace kp = tshost::kubeplatform;

const kp::JobKind kFramework{
    kGroup,
    kVersion,
    kPlural,
    kNameStyle,
    "frameworkcontroller",
    kFrameworkSchema,
    "FrameworkController's rules",
    map_framework_status,
};

}  // namespace

class FrameworkControllerPlatform : public kp::KubePlatform {
  public:
    static constexpr tshost::Meta meta{
        .name = "frameworkcontroller",
        .version = "0.1.0",
        .description = "Runs each trial as a FrameworkController Framework on Kubernetes",
        .config_schema = kConfigSchema,
    };

    explicit FrameworkControllerPlatform(const tshost::CreateArgs& args)
        : FrameworkControllerPlatform(
              args,
              kp::checked([&] { return parse_settings(args.config_json, args.experiment_json); })) {
    }

  protected:
    json build_job(const TrialInput& trial, const PodVolume& storage) const override {
        return build_framework(settings_, trial, storage);
    }
    std::vector<std::pair<std::string, std::string>> build_scripts(
        const TrialInput& trial, const PodVolume& storage) const override {
        return run_scripts(settings_, trial, storage);
    }
    std::vector<std::string> registry_auth_paths() const override {
        return fc_platform::registry_auth_paths(settings_);
    }
    // executionType Stop first: FrameworkController stops the pods gracefully and completes
    // the attempt (as Failed, -210, which the tracker reads as the cancel); the delete follows.
    void stop_job(tshost::kube::Client& client, const std::string& name) override {
        try {
            client.patch(jobs(), name, json{{"spec", {{"executionType", "Stop"}}}});
        } catch (const tshost::kube::KubeError& e) {
            if (e.code() != 404) {
                throw kp::to_plugin_error(e, "stopping Framework " + name);
            }
        }
    }

  private:
    FrameworkControllerPlatform(const tshost::CreateArgs& args, Settings settings)
        : KubePlatform(args, settings, kFramework), settings_(std::move(settings)) {
        if (!settings_.api_version.empty() && settings_.api_version != "v1" &&
            settings_.api_version != "frameworkcontroller.microsoft.com/v1") {
            host().info("apiVersion '" + settings_.api_version +
                        "' is accepted for NNI compatibility; Frameworks are created as "
                        "frameworkcontroller.microsoft.com/v1");
        }
        if (!settings_.framework_template.is_null()) {
            host().info("template mode: each trial's Framework completes " +
                        settings_.template_path);
        }
    }

    Settings settings_;
};

}  // namespace fc_platform

TSHOST_PLATFORM_PLUGIN(fc_platform::FrameworkControllerPlatform)
