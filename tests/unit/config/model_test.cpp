#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace tshost::config {
namespace {

using nlohmann::json;

TEST(Model, ToJsonRedactsSecretsButNotTheirNames) {
    test::TempDir dir;
    ExperimentConfig c = load_config(dir.write("exp.yml", test::minimal_v2() + R"(assessor:
  name: Custom
  classArgs: {apiToken: abc, password: hunter2, nested: {accessKey: k1}, tokenFile: /t, seed: 1}
)"));
    c.storage = PluginSection{"azure-file",
                              {{"azureAccount", "a"},
                               {"keyVaultKey", "secret-name"},
                               {"accountKey", "c2VjcmV0"},
                               {"sasToken", "sv=..."}},
                              "trainingService.storage"};
    json j = c.to_json();
    EXPECT_EQ(j["assessor"]["classArgs"]["apiToken"], "<redacted>");
    EXPECT_EQ(j["assessor"]["classArgs"]["password"], "<redacted>");
    EXPECT_EQ(j["assessor"]["classArgs"]["nested"]["accessKey"], "<redacted>");
    EXPECT_EQ(j["assessor"]["classArgs"]["tokenFile"], "/t");
    EXPECT_EQ(j["assessor"]["classArgs"]["seed"], 1);
    const json& storage = j["trainingService"]["storage"];
    EXPECT_EQ(storage["accountKey"], "<redacted>");
    EXPECT_EQ(storage["sasToken"], "<redacted>");
    EXPECT_EQ(storage["keyVaultKey"], "secret-name");  // the name of the secret, not the secret
    EXPECT_EQ(storage["storageType"], "azureStorage");
    EXPECT_EQ(j.dump().find("hunter2"), std::string::npos);
    // The model itself keeps them: plugins need the real values.
    EXPECT_EQ(c.assessor->class_args["password"], "hunter2");
}

TEST(Model, ToJsonIsNniV2Shaped) {
    test::TempDir dir;
    ExperimentConfig c =
        load_config(dir.write("exp.yml", test::minimal_v2("maxTrialDuration: 90m\n")));
    json j = c.to_json();
    EXPECT_EQ(j["trialConcurrency"], 1);
    EXPECT_EQ(j["maxTrialDuration"], 5400);
    EXPECT_EQ(j["trainingService"], json({{"platform", "local"}}));
    EXPECT_EQ(j["tuner"], json({{"name", "TPE"}, {"classArgs", json::object()}}));
    EXPECT_EQ(j["trialCodeDirectory"], dir.path().string());
    EXPECT_FALSE(j.contains("file"));
}

TEST(Model, KeysAreCaseAndUnderscoreInsensitiveLikeNni) {
    test::TempDir dir;
    ExperimentConfig c =
        load_config(dir.write("exp.yml", R"(search_space: {x: {_type: uniform, _value: [0, 1]}}
trial_command: python3 trial.py
TRIAL_CONCURRENCY: 3
tuner: {name: TPE, class_args: {optimize_mode: maximize}}
training_service:
  platform: frameworkcontroller
  storage: {storage_type: nfs, server: a, path: /b}
  task_roles:
    - {name: w, task_number: 1, command: c, gpu_number: 0, cpu_number: 1, memory_size: 1gb,
       framework_attempt_completion_policy: {min_failed_task_count: 1, min_succeeded_task_count: 1}}
)"));
    EXPECT_EQ(c.trial_concurrency, 3);
    EXPECT_EQ(c.tuner.class_args["optimize_mode"], "maximize");
    EXPECT_EQ(c.platform.config["taskRoles"][0], json::parse(R"({"name": "w", "taskNumber": 1,
        "command": "c", "gpuNumber": 0, "cpuNumber": 1, "memorySize": "1Gi",
        "frameworkAttemptCompletionPolicy": {"minFailedTaskCount": 1, "minSucceedTaskCount": 1}})"));
    // Messages keep the user's spelling.
    EXPECT_EQ(c.diagnostic_at("trialConcurrency", "x").key_path, "TRIAL_CONCURRENCY");
    EXPECT_EQ(c.location_of("trainingService.taskRoles[0].memorySize").line, 9);
}

TEST(Model, ShortcutKeysInsideTrainingServiceMoveToTheTop) {
    test::TempDir dir;
    ExperimentConfig c =
        load_config(dir.write("exp.yml", R"(searchSpace: {x: {_type: uniform, _value: [0, 1]}}
trialConcurrency: 1
tuner: {name: TPE}
trainingService:
  platform: local
  trialCommand: python3 t.py
  trialGpuNumber: 1
  nniManagerIp: 10.1.1.1
)"));
    EXPECT_EQ(c.trial_command, "python3 t.py");
    EXPECT_EQ(c.trial_gpu_number, 1);
    EXPECT_EQ(c.nni_manager_ip, "10.1.1.1");
    EXPECT_EQ(c.platform.config, json::object());
    EXPECT_EQ(c.diagnostic_at("trialCommand", "x").key_path, "trainingService.trialCommand");
}

TEST(Model, ThirdPartyPluginNamesPassThrough) {
    test::TempDir dir;
    ExperimentConfig c = load_config(dir.write(
        "exp.yml",
        test::minimal_v2().replace(
            test::minimal_v2().find("{platform: local}"), 17,
            "{platform: acme-batch, queue: gpu, storage: {storageType: acme-store, bucket: b}}")));
    EXPECT_EQ(c.platform.plugin, "acme-batch");
    EXPECT_EQ(c.platform.config, json({{"queue", "gpu"}}));
    EXPECT_EQ(c.storage->plugin, "acme-store");
    EXPECT_EQ(c.storage->config, json({{"bucket", "b"}}));
}

TEST(Model, DefaultsFollowNni) {
    test::TempDir dir;
    ExperimentConfig c = load_config(dir.write("exp.yml", test::minimal_v2("debug: true\n")));
    EXPECT_EQ(c.log_level, "debug");  // NNI: "debug" when debug is set
    EXPECT_EQ(c.port, 8080);
    EXPECT_EQ(c.max_trial_retries, 0);
    EXPECT_FALSE(c.max_trial_number.has_value());
    EXPECT_FALSE(c.max_experiment_duration.has_value());
    EXPECT_EQ(c.trial_code_directory, dir.path().string());
}

TEST(Model, LocationOfUnknownKeysFallsBackToTheFile) {
    test::TempDir dir;
    ExperimentConfig c = load_config(dir.write("exp.yml", test::minimal_v2()));
    EXPECT_EQ(c.location_of("trainingService.platform"), (SourceLocation{c.file, 5, 19}));
    EXPECT_EQ(c.location_of("trainingService.nothing.here"), (SourceLocation{c.file, 5, 1}));
    EXPECT_EQ(c.location_of("nowhere"), (SourceLocation{c.file, 1, 1}));
}

}  // namespace
}  // namespace tshost::config
