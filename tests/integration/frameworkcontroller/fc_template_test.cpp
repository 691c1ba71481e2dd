// FrameworkController's template mode (configPath) end to end: the real tshost binary completes
// a user's Framework YAML, written as NNI required (its own PVC at /tmp/mount), for every trial
// and runs it on the kube emulator with the nfs plugin and a real nfs-ganesha
// (kube_e2e_fixture.hpp).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "kube_e2e_fixture.hpp"

namespace fc_e2e {
namespace {

using kube_e2e::json;
using testing::HasSubstr;
namespace fs = std::filesystem;

// The trial command checks the template's env and needs its one argument kept whole (NNI's
// space-join made it `sh -c test ...`); the nodeSelector is one the emulator's node satisfies.
constexpr const char* kFramework = R"(apiVersion: frameworkcontroller.microsoft.com/v1
kind: Framework
metadata:
  name: usertemplate
  labels: {team: vision}
  annotations: {owner: ml-platform}
spec:
  taskRoles:
  - name: worker
    task:
      pod:
        spec:
          restartPolicy: OnFailure
          nodeSelector: {kubernetes.io/os: linux}
          containers:
          - name: main
            image: python:3-slim
            command: [sh, -c, 'test "$TEMPLATE_GREETING" = hello && python3 trial.py']
            env: [{name: TEMPLATE_GREETING, value: hello}]
            volumeMounts: [{name: nni-storage, mountPath: /tmp/mount}]
          volumes:
          - {name: nni-storage, persistentVolumeClaim: {claimName: nni-storage}}
)";

class FrameworkControllerTemplateE2E : public kube_e2e::KubeE2E {
  protected:
    FrameworkControllerTemplateE2E()
        : KubeE2E(kube_e2e::kFrameworkController, kube_e2e::Storage::nfs) {}

    // The fixture's config with configPath in place of taskRoles; the template beside it.
    std::string template_config() {
        std::ofstream(root_ / "fw.yaml") << kFramework;
        const fs::path path = root_ / "config.yml";
        std::ofstream(path) << "experimentName: fc-template-e2e\n"
                            << "searchSpace:\n  x: {_type: uniform, _value: [0, 1]}\n"
                            << "trialCodeDirectory: " << (root_ / "code").string() << "\n"
                            << "trialConcurrency: 2\nmaxTrialNumber: 2\n"
                            << "tuner: {name: Random, classArgs: {seed: 3}}\n"
                            << "trainingService:\n"
                            << "  platform: frameworkcontroller\n"
                            << "  namespace: nni\n"
                            << "  serviceAccountName: frameworkbarrier\n"
                            << "  kubeconfig: " << emulator_->kubeconfig() << "\n"
                            << "  configPath: fw.yaml\n"
                            << storage_yaml();
        return path.string();
    }
};

TEST_F(FrameworkControllerTemplateE2E, EveryTrialRunsTheCompletedTemplateAndNothingIsLeft) {
    const std::string config = template_config();
    const TshostRun validated = run_tshost({"validate", config}, 60);
    ASSERT_EQ(validated.exit_code, 0) << validated.output;

    const TshostRun result = run(config);
    ASSERT_EQ(result.exit_code, 0) << result.output << "\n" << emulator_->log();
    expect_done_with_every_metric(2);
    auto d = db();
    for (const auto& t : d.trials()) {
        EXPECT_EQ(t.job_name, "nniexp" + std::string(kExp) + "trial" + t.id);
        // The Framework as created: the user's metadata and scheduling, tshost's name,
        // labels, restart policy and storage (the template's PVC at /tmp/mount is gone).
        const auto manifest = d.manifest(t.id);
        ASSERT_TRUE(manifest) << t.id;
        const json fw = json::parse(*manifest);
        EXPECT_EQ(fw["metadata"]["labels"]["team"], "vision");
        EXPECT_EQ(fw["metadata"]["labels"]["trialId"], t.id);
        EXPECT_EQ(fw["metadata"]["annotations"]["owner"], "ml-platform");
        const json& pod = fw["spec"]["taskRoles"][0]["task"]["pod"]["spec"];
        EXPECT_EQ(pod["restartPolicy"], "Never");
        EXPECT_EQ(pod["nodeSelector"]["kubernetes.io/os"], "linux");
        EXPECT_EQ(pod["serviceAccountName"], "frameworkbarrier");
        EXPECT_THAT(pod.dump(), testing::Not(HasSubstr("nni-storage")));
        EXPECT_THAT(pod.dump(), HasSubstr("TSHOST_METRICS_TOKEN\",\"value\":\"<redacted>"));
    }
    expect_cluster_empty();
}

TEST_F(FrameworkControllerTemplateE2E, ATemplateTheOperatorWouldRefuseFailsValidateAtItsLine) {
    std::string bad = kFramework;
    bad.replace(bad.find("name: worker"), 12, "name: Worker");
    const std::string config = template_config();
    std::ofstream(root_ / "fw.yaml") << bad;
    const TshostRun validated = run_tshost({"validate", config}, 60);
    EXPECT_NE(validated.exit_code, 0);
    EXPECT_THAT(validated.output,
                HasSubstr((root_ / "fw.yaml").string() + ":9:5: spec.taskRoles[0].name"));
    EXPECT_THAT(validated.output, HasSubstr("^[a-z0-9]{1,63}$"));
}

}  // namespace
}  // namespace fc_e2e
