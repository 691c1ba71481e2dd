// The seed example configs (config/experiments/frameworkcontroller-nfs.v2.yml and its v1 twin),
// loaded by the host's own config loader, become the Framework in golden/ — the same one for
// both, since v1 converts to v2 — and it passes the Framework schema.
// Regenerate after an intended change: TSHOST_UPDATE_GOLDEN=1 ./frameworkcontroller_tests.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "config/experiment_config.hpp"
#include "fc_test_support.hpp"
#include "golden_json.hpp"

namespace {

using fc_test::json;

json framework_for(const std::string& example) {
    const auto config = tshost::config::load_config(std::string(FC_EXAMPLES_DIR) + "/" + example);
    EXPECT_EQ(config.platform.plugin, "frameworkcontroller");
    const auto settings = fc_platform::parse_settings(config.platform.config.dump(),
                                                      json{{"experimentId", "abc12xyz"}}.dump());
    // The example's storage section, as the nfs plugin turns it into a pod volume.
    EXPECT_EQ(config.storage->config.value("server", ""), "10.20.30.40");
    const auto storage = fc_platform::parse_pod_volume(fc_test::nfs_pod_volume(
        config.storage->config.value("server", ""), config.storage->config.value("path", "")));
    return fc_platform::redacted(
        fc_platform::build_framework(settings, fc_test::trial_input("abc12xyz", "xy3qa"), storage));
}

void expect_golden(const json& actual, const std::string& name) {
    tshost::test::expect_golden_json(actual, std::string(FC_GOLDEN_DIR) + "/" + name);
}

TEST(Golden, V2ExampleRendersTheGoldenFramework) {
    const json fw = framework_for("frameworkcontroller-nfs.v2.yml");
    expect_golden(fw, "frameworkcontroller-nfs.framework.json");
    EXPECT_EQ(fc_test::framework_problems(fw), "");
}

TEST(Golden, V1ExampleRendersTheSameFramework) {
    EXPECT_EQ(framework_for("frameworkcontroller-nfs.v1.yml"),
              framework_for("frameworkcontroller-nfs.v2.yml"));
}

TEST(Golden, ExampleSectionsPassThePublishedSchema) {
    for (const char* example :
         {"frameworkcontroller-nfs.v2.yml", "frameworkcontroller-nfs.v1.yml"}) {
        const auto config =
            tshost::config::load_config(std::string(FC_EXAMPLES_DIR) + "/" + example);
        EXPECT_EQ(fc_test::config_problems(config.platform.config), "") << example;
    }
}

// The shared-memory, scheduling and env patch users ask for (NNI #4424, #1354): what tshost built
// stays, what the patch adds is merged in, and the result passes the Framework rules.
TEST(Golden, APodSpecPatchAddsShmSchedulingEnvAndAVolume) {
    json section = fc_test::one_role_section();
    section["taskRoles"][0]["podSpecPatch"] = json::parse(R"({
      "nodeSelector": {"accelerator": "nvidia-a100"},
      "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
      "volumes": [{"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "8Gi"}},
                  {"name": "datasets", "persistentVolumeClaim": {"claimName": "imagenet"}}],
      "containers": [{"name": "framework",
                      "volumeMounts": [{"name": "dshm", "mountPath": "/dev/shm"},
                                       {"name": "datasets", "mountPath": "/data", "readOnly": true}],
                      "env": [{"name": "NCCL_DEBUG", "value": "INFO"}]}]})");
    EXPECT_EQ(fc_test::config_problems(section), "");
    const auto settings = fc_test::settings_of(section);
    const json fw = fc_platform::redacted(
        fc_platform::build_framework(settings, fc_test::trial_input("abc12xyz", "xy3qa"),
                                     fc_platform::parse_pod_volume(fc_test::nfs_pod_volume())));
    expect_golden(fw, "frameworkcontroller-podspecpatch.framework.json");
    EXPECT_EQ(fc_test::framework_problems(fw), "");
}

}  // namespace
