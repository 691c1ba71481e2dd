// FrameworkController's template mode (configPath): the host reads the user's Framework YAML
// with its lines, the published schema checks it (errors at the template's file, line, column
// and key path), and every trial's Framework completes it: tshost's names, labels, command,
// storage, env, restart/retry policy and barrier win; what the user wrote besides stays.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "../config/temp_dir.hpp"
#include "config_schema.hpp"
#include "fc_test_support.hpp"
#include "golden_json.hpp"
#include "jsonschema/schema.hpp"

namespace {

using fc_test::json;
using testing::HasSubstr;
using testing::Not;
using tshost::config::Diagnostic;
using tshost::config::ExperimentConfig;
using tshost::config::test::TempDir;

constexpr const char* kTemplate = R"(apiVersion: frameworkcontroller.microsoft.com/v1
kind: Framework
metadata:
  name: userframework
  labels: {team: vision}
  annotations: {owner: me}
spec:
  executionType: Start
  retryPolicy: {fancyRetryPolicy: true, maxRetryCount: 3}
  description: user's
  taskRoles:
  - name: trainer
    task:
      podGracefulDeletionTimeoutSec: 30
      retryPolicy: {fancyRetryPolicy: true, maxRetryCount: 2}
      pod:
        metadata:
          labels: {tier: gpu}
        spec:
          restartPolicy: OnFailure
          serviceAccountName: template-sa
          nodeSelector: {accelerator: a100}
          tolerations: [{key: nvidia.com/gpu, operator: Exists}]
          securityContext: {runAsUser: 1000}
          containers:
          - name: main
            image: registry.example.com/train:1
            command: [sh, -c, "python3 train.py --lr 0.1"]
            args: [--epochs, "3"]
            env:
            - name: DB_PASSWORD
              valueFrom: {secretKeyRef: {name: db, key: password}}
            resources:
              limits: {cpu: "2", memory: 4Gi, nvidia.com/gpu: "1"}
            volumeMounts:
            - {name: nni-storage, mountPath: /tmp/mount}
            - {name: data, mountPath: /data}
          volumes:
          - name: nni-storage
            persistentVolumeClaim: {claimName: nni-storage}
          - name: data
            persistentVolumeClaim: {claimName: datasets}
)";

// NNI's template shape: ps + worker, each with the barrier init container and its volume.
constexpr const char* kTwoRoleTemplate = R"(spec:
  taskRoles:
  - name: worker
    task:
      pod:
        spec:
          containers:
          - {name: w, image: img, command: [python3, w.py],
             volumeMounts: [{name: frameworkbarrier-volume, mountPath: /mnt/frameworkbarrier}]}
          initContainers:
          - name: frameworkbarrier
            image: mirror.example.com/frameworkbarrier:v1
            volumeMounts: [{name: frameworkbarrier-volume, mountPath: /mnt/frameworkbarrier}]
          volumes: [{name: frameworkbarrier-volume, emptyDir: {}}]
  - name: ps
    taskNumber: 2
    task:
      pod:
        spec:
          containers: [{name: p, image: img, command: [python3, ps.py]}]
)";

std::string config_text(const std::string& training_service_extra = {}) {
    return "searchSpace: {x: {_type: uniform, _value: [0, 1]}}\n"
           "trialConcurrency: 1\n"
           "tuner: {name: TPE}\n"
           "trainingService:\n"
           "  platform: frameworkcontroller\n"
           "  namespace: nni\n"
           "  configPath: fw.yaml\n"
           "  storage: {storageType: nfs, server: 10.20.30.40, path: /exports/nni}\n" +
           training_service_extra;
}

// The schema's diagnostics for the loaded config's platform section, as `tshost validate`
// reports them.
std::vector<Diagnostic> schema_diagnostics(const ExperimentConfig& c) {
    static const auto schema =
        tshost::jsonschema::Schema::compile(json::parse(fc_platform::kConfigSchema));
    return tshost::config::validate_section(c, c.platform, schema);
}

std::vector<Diagnostic> load_errors(const TempDir& dir, const std::string& text) {
    return tshost::config::test::load_errors(dir, text);
}

// What `f` is refused with (std::invalid_argument), or "accepted".
template <class F>
std::string refusal(F&& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "accepted";
}

json build(const fc_platform::Settings& s) {
    return fc_platform::build_framework(s, fc_test::trial_input("abc12xyz", "xy3qa"),
                                        fc_platform::parse_pod_volume(fc_test::nfs_pod_volume()));
}

class TemplateMode : public testing::Test {
  protected:
    ExperimentConfig load(const std::string& framework = kTemplate,
                          const std::string& config = config_text()) {
        dir_.write("fw.yaml", framework);
        return tshost::config::load_config(dir_.write("exp.yml", config));
    }
    fc_platform::Settings settings(const ExperimentConfig& c) {
        return fc_platform::parse_settings(c.platform.config.dump(),
                                           json{{"experimentId", "abc12xyz"}}.dump());
    }
    TempDir dir_;
};

TEST_F(TemplateMode, TheHostReadsTheTemplateBesideTheConfig) {
    const ExperimentConfig c = load();
    EXPECT_EQ(c.platform.config["configPath"], (dir_.path() / "fw.yaml").string());
    EXPECT_EQ(c.platform.config["frameworkTemplate"]["spec"]["taskRoles"][0]["name"], "trainer");
    EXPECT_TRUE(schema_diagnostics(c).empty());
}

TEST_F(TemplateMode, AHomeRelativePathIsExpanded) {
    const char* old_home = std::getenv("HOME");
    const std::string saved = old_home != nullptr ? old_home : "";
    setenv("HOME", dir_.path().c_str(), 1);
    std::string text = config_text();
    text.replace(text.find("configPath: fw.yaml"), 19, "configPath: ~/fw.yaml");
    const ExperimentConfig c = load(kTemplate, text);
    setenv("HOME", saved.c_str(), 1);
    EXPECT_EQ(c.platform.config["configPath"], (dir_.path() / "fw.yaml").string());
}

TEST_F(TemplateMode, AV1ConfigWithoutTaskRolesUsesFrameworkcontrollerConfigConfigPath) {
    dir_.write("fw.yaml", kTemplate);
    dir_.write("ss.json", R"({"x": {"_type": "uniform", "_value": [0, 1]}})");
    const ExperimentConfig c = tshost::config::load_config(dir_.write("exp.yml", R"(
trainingServicePlatform: frameworkcontroller
searchSpacePath: ss.json
trialConcurrency: 1
tuner: {builtinTunerName: TPE}
trial: {codeDir: .}
frameworkcontrollerConfig:
  configPath: fw.yaml
  namespace: nni
  nfs: {server: 10.0.0.1, path: /nfs}
)"));
    EXPECT_EQ(c.platform.config["frameworkTemplate"]["metadata"]["name"], "userframework");
    EXPECT_EQ(settings(c).roles.at(0).name, "trainer");
}

TEST_F(TemplateMode, AYamlErrorInTheTemplateNamesItsFileLineAndColumn) {
    dir_.write("fw.yaml", "spec:\n  taskRoles:\n  - name: a\n    task: [unclosed\n");
    const auto found = load_errors(dir_, config_text());
    ASSERT_EQ(found.size(), 1U);
    EXPECT_EQ(found[0].where.file, (dir_.path() / "fw.yaml").string());
    EXPECT_GT(found[0].where.line, 3);
    EXPECT_GT(found[0].where.column, 0);
    EXPECT_THAT(found[0].message, HasSubstr("YAML"));
}

TEST_F(TemplateMode, AMissingTemplateIsReportedAtConfigPath) {
    const auto errors = load_errors(dir_, config_text());
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors[0].key_path, "trainingService.configPath");
    EXPECT_EQ(errors[0].where.line, 7);
    EXPECT_THAT(errors[0].message, HasSubstr("no such file"));
}

TEST_F(TemplateMode, TaskRolesAndConfigPathTogetherAreAnErrorNamingBoth) {
    dir_.write("fw.yaml", kTemplate);
    const auto errors = load_errors(
        dir_, config_text(
                  "  taskRoles: [{name: w, taskNumber: 1, command: c, gpuNumber: 0, cpuNumber: 1, "
                  "memorySize: 1g, frameworkAttemptCompletionPolicy: {minFailedTaskCount: 1, "
                  "minSucceedTaskCount: 1}}]\n"));
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors[0].key_path, "trainingService.configPath");
    EXPECT_THAT(errors[0].message, HasSubstr("taskRoles"));
    EXPECT_THAT(errors[0].hint, HasSubstr("configPath"));
}

TEST_F(TemplateMode, NeitherTaskRolesNorConfigPathSaysWhatToAdd) {
    std::string text = config_text();
    text.erase(text.find("  configPath: fw.yaml\n"), 22);
    const auto errors = load_errors(dir_, text);
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors[0].key_path, "trainingService.taskRoles");
    EXPECT_THAT(errors[0].hint, HasSubstr("configPath"));
}

TEST_F(TemplateMode, WhatFrameworkControllerWouldRefuseFailsAtTheTemplatesLine) {
    std::string bad = kTemplate;
    bad.replace(bad.find("name: trainer"), 13, "name: Trainer_1");
    const auto found = schema_diagnostics(load(bad));
    ASSERT_EQ(found.size(), 1U);
    EXPECT_EQ(found[0].where.file, (dir_.path() / "fw.yaml").string());
    EXPECT_EQ(found[0].where.line, 12);
    EXPECT_EQ(found[0].key_path, "spec.taskRoles[0].name");
    EXPECT_THAT(found[0].message, HasSubstr("^[a-z0-9]{1,63}$"));
}

TEST_F(TemplateMode, ARoleWithTwoContainersIsRefusedWhereItsContainersAre) {
    std::string bad = kTemplate;
    bad.replace(bad.find("          volumes:"), 0,
                "          - {name: sidecar, image: busybox, command: [sleep, '1']}\n");
    const auto found = schema_diagnostics(load(bad));
    ASSERT_EQ(found.size(), 1U);
    EXPECT_EQ(found[0].key_path, "spec.taskRoles[0].task.pod.spec.containers");
    EXPECT_EQ(found[0].where.file, (dir_.path() / "fw.yaml").string());
    EXPECT_EQ(found[0].where.line, 25);
}

TEST_F(TemplateMode, AContainerWithoutACommandAndAnUnknownTaskKeyAreRefused) {
    std::string bad = kTemplate;
    bad.erase(bad.find("            command:"),
              bad.find("            args:") - bad.find("            command:"));
    bad.replace(bad.find("      podGraceful"), 0, "      retries: 3\n");
    const auto found = schema_diagnostics(load(bad));
    std::string text;
    for (const auto& d : found) {
        text += d.to_string() + "\n";
    }
    EXPECT_THAT(text, HasSubstr("spec.taskRoles[0].task.pod.spec.containers[0]"));
    EXPECT_THAT(text, HasSubstr("command"));
    EXPECT_THAT(text, HasSubstr("spec.taskRoles[0].task"));
    EXPECT_THAT(text, HasSubstr("retries"));
}

TEST_F(TemplateMode, AMalformedMountOrVolumeIsRefusedAtValidateNotWhenATrialStarts) {
    std::string bad = kTemplate;
    bad.replace(bad.find("{name: data, mountPath: /data}"), 30, "{name: data}");
    bad.replace(bad.find("- name: nni-storage\n"), 19, "- name: [nni-storage]");
    std::string text;
    for (const auto& d : schema_diagnostics(load(bad))) {
        text += d.to_string() + "\n";
    }
    EXPECT_THAT(text, HasSubstr("spec.taskRoles[0].task.pod.spec.containers[0].volumeMounts[1]"));
    EXPECT_THAT(text, HasSubstr("mountPath"));
    EXPECT_THAT(text, HasSubstr("spec.taskRoles[0].task.pod.spec.volumes[0].name"));
}

TEST_F(TemplateMode, RolesComeFromTheTemplateWithNnisDefaults) {
    const auto s = settings(load());
    ASSERT_EQ(s.roles.size(), 1U);
    const auto& r = s.roles[0];
    EXPECT_EQ(r.container_name, "main");
    EXPECT_EQ(r.image, "registry.example.com/train:1");
    // command + args as one shell line; the word with spaces stays one word.
    EXPECT_EQ(r.command, "sh -c 'python3 train.py --lr 0.1' --epochs 3");
    EXPECT_EQ(r.task_number, 1);  // NNI's defaults
    EXPECT_EQ(r.min_failed, 1);
    EXPECT_EQ(r.min_succeeded, -1);
    EXPECT_EQ(r.gpu_number, 1);  // from the container's limits: the run script shows one GPU
    EXPECT_FALSE(r.generated_resources);
    EXPECT_EQ(s.template_path, (dir_.path() / "fw.yaml").string());
}

TEST_F(TemplateMode, NnisTaskResourceKeysBecomeTheContainersResources) {
    std::string nni = kTemplate;
    nni.erase(nni.find("            resources:"),
              nni.find("            volumeMounts:") - nni.find("            resources:"));
    nni.replace(nni.find("      podGraceful"), 0, "      gpuNum: 0\n      memoryMB: 2048\n");
    const auto c = load(nni);
    EXPECT_TRUE(schema_diagnostics(c).empty());
    const json fw = build(settings(c));
    const json& task = fw["spec"]["taskRoles"][0]["task"];
    EXPECT_FALSE(task.contains("gpuNum"));
    EXPECT_FALSE(task.contains("memoryMB"));
    EXPECT_EQ(task["pod"]["spec"]["containers"][0]["resources"],
              json::parse(R"({"requests": {"cpu": "1", "memory": "2048Mi"},
                              "limits": {"cpu": "1", "memory": "2048Mi"}})"));
    EXPECT_EQ(fc_test::framework_problems(fw), "");
}

TEST_F(TemplateMode, TheTrialsFrameworkCompletesTheTemplate) {
    const json fw = build(settings(load()));
    EXPECT_EQ(fc_test::framework_problems(fw), "");
    // tshost's name, NNI's labels beside the user's; the user's annotations.
    EXPECT_EQ(fw["metadata"]["name"], "nniexpabc12xyztrialxy3qa");
    EXPECT_EQ(fw["metadata"]["labels"]["team"], "vision");
    EXPECT_EQ(fw["metadata"]["labels"]["app"], "nni-kubernetes-trial");
    EXPECT_EQ(fw["metadata"]["labels"]["trialId"], "xy3qa");
    EXPECT_EQ(fw["metadata"]["annotations"]["owner"], "me");
    // tshost's policies; the user's description and grace period.
    EXPECT_EQ(fw["spec"]["retryPolicy"], json::parse(R"({"fancyRetryPolicy": false,
                                                         "maxRetryCount": 0})"));
    EXPECT_EQ(fw["spec"]["description"], "user's");
    const json& role = fw["spec"]["taskRoles"][0];
    EXPECT_EQ(role["taskNumber"], 1);
    EXPECT_EQ(role["task"]["retryPolicy"]["maxRetryCount"], 0);
    EXPECT_EQ(role["task"]["podGracefulDeletionTimeoutSec"], 30);
    EXPECT_EQ(role["task"]["pod"]["metadata"]["labels"]["tier"], "gpu");
    EXPECT_EQ(role["task"]["pod"]["metadata"]["labels"]["expId"], "abc12xyz");
    const json& pod = role["task"]["pod"]["spec"];
    EXPECT_EQ(pod["restartPolicy"], "Never");
    EXPECT_EQ(pod["serviceAccountName"], "template-sa");  // the config sets none
    EXPECT_EQ(pod["nodeSelector"]["accelerator"], "a100");
    EXPECT_EQ(pod["tolerations"][0]["key"], "nvidia.com/gpu");
    EXPECT_EQ(pod["securityContext"]["runAsUser"], 1000);
    ASSERT_EQ(pod["containers"].size(), 1U);
    const json& c = pod["containers"][0];
    EXPECT_EQ(c["name"], "main");
    EXPECT_EQ(c["command"], json({"sh", "/tmp/mount/nni/abc12xyz/xy3qa/run_trainer.sh"}));
    EXPECT_FALSE(c.contains("args"));
    EXPECT_EQ(c["resources"]["limits"]["memory"], "4Gi");  // as written
    EXPECT_FALSE(c["resources"].contains("requests"));
    // The user's env and tshost's.
    std::set<std::string> env;
    for (const json& e : c["env"]) {
        env.insert(e["name"].get<std::string>());
    }
    EXPECT_EQ(env,
              (std::set<std::string>{"DB_PASSWORD", "TSHOST_METRICS_TOKEN", "TSHOST_METRICS_URL"}));
    // tshost's storage at /tmp/mount instead of the user's PVC there; the other PVC stays.
    EXPECT_EQ(c["volumeMounts"], json::parse(R"([{"mountPath": "/tmp/mount", "name": "nni-vol"},
                                                  {"mountPath": "/data", "name": "data"}])"));
    std::set<std::string> volumes;
    for (const json& v : pod["volumes"]) {
        volumes.insert(v["name"].get<std::string>());
    }
    EXPECT_EQ(volumes, (std::set<std::string>{"nni-vol", "data"}));
}

TEST_F(TemplateMode, TheConfigsServiceAccountAndNamespaceWin) {
    auto c = load();
    c.platform.config["serviceAccountName"] = "frameworkbarrier";
    const json fw = build(settings(c));
    EXPECT_EQ(fw["spec"]["taskRoles"][0]["task"]["pod"]["spec"]["serviceAccountName"],
              "frameworkbarrier");
    // The template's namespace when the config has none; a different one is an error.
    c.platform.config.erase("namespace");
    c.platform.config["frameworkTemplate"]["metadata"]["namespace"] = "team-a";
    EXPECT_EQ(settings(c).namespace_name, "team-a");
    c.platform.config["namespace"] = "nni";
    const std::string error = refusal([&] { settings(c); });
    EXPECT_THAT(error, HasSubstr("fw.yaml: metadata.namespace"));
    EXPECT_THAT(error, HasSubstr("differs from the config's namespace"));
}

TEST_F(TemplateMode, AVolumeClashingWithTshostsIsRefusedNamingTheTemplate) {
    std::string bad = kTemplate;
    bad.replace(bad.find("- name: data\n            persistentVolumeClaim"), 12, "- name: nni-vol");
    bad.replace(bad.find("{name: data, mountPath: /data}"), 30,
                "{name: nni-vol, mountPath: /data}");
    const auto s = settings(load(bad));
    const std::string error = refusal([&] { build(s); });
    EXPECT_THAT(error, HasSubstr("fw.yaml: spec.taskRoles[0].task.pod.spec"));
    EXPECT_THAT(error, HasSubstr("volume nni-vol"));
}

TEST_F(TemplateMode, TwoRolesGetTheBarrierWithTheTemplatesImage) {
    const auto c = load(std::string(kTwoRoleTemplate));
    EXPECT_TRUE(schema_diagnostics(c).empty());
    const auto s = settings(c);
    EXPECT_EQ(s.barrier_image, "mirror.example.com/frameworkbarrier:v1");
    const json fw = build(s);
    EXPECT_EQ(fc_test::framework_problems(fw), "");
    for (const json& role : fw["spec"]["taskRoles"]) {
        const json& pod = role["task"]["pod"]["spec"];
        ASSERT_EQ(pod["initContainers"].size(), 1U) << role["name"];
        EXPECT_EQ(pod["initContainers"][0]["image"], "mirror.example.com/frameworkbarrier:v1");
    }
    // The run scripts export the ports the barrier's injector.sh reads.
    const auto scripts =
        fc_platform::run_scripts(s, fc_test::trial_input("abc12xyz", "xy3qa"),
                                 fc_platform::parse_pod_volume(fc_test::nfs_pod_volume()));
    ASSERT_EQ(scripts.size(), 2U);
    EXPECT_THAT(scripts[1].second, HasSubstr("FB_PS_PORT"));
    EXPECT_THAT(scripts[1].second, HasSubstr("injector.sh"));
}

TEST_F(TemplateMode, TheSavedConfigKeepsTheTemplateUnredactedAndResumesWithoutTheFile) {
    const ExperimentConfig c = load();
    const json saved = c.to_json();
    // "key" of a secretKeyRef names a key; redacting it would break the resumed trials.
    EXPECT_EQ(saved["trainingService"]["frameworkTemplate"]["spec"]["taskRoles"][0]["task"]["pod"]
                   ["spec"]["containers"][0]["env"][0]["valueFrom"]["secretKeyRef"]["key"],
              "password");
    std::filesystem::remove(dir_.path() / "fw.yaml");
    const ExperimentConfig resumed =
        tshost::config::load_config(dir_.write("saved.json", saved.dump()));
    EXPECT_EQ(resumed.platform.config["frameworkTemplate"], c.platform.config["frameworkTemplate"]);
}

// The shipped example (config/experiments/frameworkcontroller-template-nfs.yml and its
// Framework YAML) renders the golden Framework, which passes FrameworkController's rules.
TEST(TemplateGolden, TheExampleRendersTheGoldenFramework) {
    const auto config = tshost::config::load_config(std::string(FC_EXAMPLES_DIR) +
                                                    "/frameworkcontroller-template-nfs.yml");
    static const auto schema =
        tshost::jsonschema::Schema::compile(json::parse(fc_platform::kConfigSchema));
    EXPECT_TRUE(tshost::config::validate_section(config, config.platform, schema).empty());
    const auto settings = fc_platform::parse_settings(config.platform.config.dump(),
                                                      json{{"experimentId", "abc12xyz"}}.dump());
    const json fw = fc_platform::redacted(build(settings));
    tshost::test::expect_golden_json(
        fw, std::string(FC_GOLDEN_DIR) + "/frameworkcontroller-template.framework.json");
    EXPECT_EQ(fc_test::framework_problems(fw), "");
    EXPECT_THAT(fw.dump(), Not(HasSubstr("s3cr3t-token")));
    EXPECT_THAT(fw.dump(), Not(HasSubstr("nni-storage")));
}

}  // namespace
