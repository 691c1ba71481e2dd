// v1 → v2 conversion keeps what NNI's convert.py drops, and keeps v1 locations.
#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace tshost::config {
namespace {

using nlohmann::json;

constexpr const char* kKubeflowAzure = R"(trainingServicePlatform: kubeflow
searchSpacePath: ss.json
trialConcurrency: 1
logCollection: none
tuner:
  builtinTunerName: TPE
  gpuIndices: "0,1"
  includeIntermediateResults: true
trial:
  codeDir: code
  nasMode: classic_mode
  ps:
    replicas: 1
    command: python3 ps.py
    gpuNum: 0
    cpuNum: 1
    memoryMB: 2048
    image: tf:1
    privateRegistryAuthPath: auth/config.json
  worker:
    replicas: 3
    command: python3 worker.py
    gpuNum: 1
    cpuNum: 2
    memoryMB: 4096
    image: tf:1
  master:
    replicas: 1
    command: python3 chief.py
    gpuNum: 0
    cpuNum: 1
    memoryMB: 1024
    image: tf:1
kubeflowConfig:
  operator: tf-operator
  apiVersion: v1
  namespace: team-a
  reuse: false
  keyVault:
    vaultName: vault
    name: storage-key
  azureStorage:
    accountName: account
    azureShare: share
  uploadRetryCount: 5
)";

class V1Conversion : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_.write("ss.json", R"({"x": {"_type": "choice", "_value": [1, 2]}})");
        dir_.write("code/trial.py", "");
        dir_.write("auth/config.json", "{}");
    }
    ExperimentConfig load(const std::string& text) {
        try {
            return load_config(dir_.write("exp.yml", text));
        } catch (const ConfigError& e) {
            ADD_FAILURE() << e.what();
            throw;
        }
    }
    test::TempDir dir_;
};

TEST_F(V1Conversion, KeepsWhatNniDrops) {
    ExperimentConfig c = load(kKubeflowAzure);
    const json& s = c.platform.config;
    EXPECT_EQ(s["namespace"], "team-a");
    EXPECT_EQ(s["reuseMode"], false);
    EXPECT_EQ(s["ps"]["privateRegistryAuthPath"], (dir_.path() / "auth/config.json").string());
    ASSERT_TRUE(s.contains("master"));  // TFJob chief/master role
    EXPECT_EQ(s["master"]["command"], "python3 chief.py");
    ASSERT_TRUE(c.storage.has_value());
    EXPECT_EQ(c.storage->plugin, "azure-file");
    EXPECT_EQ(c.storage->config, json::parse(R"({"keyVaultName": "vault",
        "keyVaultKey": "storage-key", "azureAccount": "account", "azureShare": "share",
        "uploadRetryCount": 5})"));
    EXPECT_EQ(c.log_collection, "none");
    EXPECT_EQ(c.tuner_gpu_indices, (std::vector<int>{0, 1}));
    EXPECT_EQ(c.trial_code_directory, (dir_.path() / "code").string());
    EXPECT_EQ(s["worker"]["codeDirectory"], (dir_.path() / "code").string());
}

TEST_F(V1Conversion, ReportsIgnoredKeysAsWarningsAtTheirLines) {
    ExperimentConfig c = load(kKubeflowAzure);
    std::vector<std::pair<std::string, int>> got;
    for (const Diagnostic& w : c.warnings) {
        got.emplace_back(w.key_path, w.where.line);
    }
    EXPECT_EQ(got, (std::vector<std::pair<std::string, int>>{
                       {"tuner.includeIntermediateResults", 8},
                       {"trial.nasMode", 11},
                       {"kubeflowConfig", 34}}));  // nniManagerIp is not set
    EXPECT_NE(c.warnings.back().message.find("nniManagerIp"), std::string::npos);
}

TEST_F(V1Conversion, ModelPointsAtV1Lines) {
    ExperimentConfig c = load(kKubeflowAzure);
    EXPECT_EQ(c.location_of("trainingService.worker.memorySize"), (SourceLocation{c.file, 25, 5}));
    EXPECT_EQ(c.location_of("/trainingService/storage/keyVaultKey"),
              (SourceLocation{c.file, 41, 5}));
    EXPECT_EQ(c.location_of("trainingService.namespace"), (SourceLocation{c.file, 37, 3}));
    Diagnostic d = c.diagnostic_at("trainingService.worker.replicas", "too many");
    EXPECT_EQ(d.key_path, "trial.worker.replicas");
    EXPECT_EQ(d.where, (SourceLocation{c.file, 21, 5}));
}

TEST_F(V1Conversion, InfersAzureStorageWithoutStorageKey) {
    ExperimentConfig c = load(kKubeflowAzure);  // has no `storage: azureStorage`
    EXPECT_EQ(c.storage->plugin, "azure-file");
}

TEST_F(V1Conversion, CustomTunerClassFileBecomesModuleDotClass) {
    ExperimentConfig c = load(R"(trainingServicePlatform: local
searchSpacePath: ss.json
trialConcurrency: 1
tuner:
  codeDir: code
  classFileName: my_tuner.py
  className: MyTuner
  classArgs: {alpha: 1}
trial:
  command: python3 trial.py
  codeDir: .
localConfig:
  maxTrialNumPerGpu: 2
  useActiveGpu: yes
)");
    EXPECT_EQ(c.tuner.name, "");
    EXPECT_EQ(c.tuner.class_name, "my_tuner.MyTuner");
    EXPECT_EQ(c.tuner.code_directory, (dir_.path() / "code").string());
    EXPECT_EQ(c.tuner.class_args, json({{"alpha", 1}}));
    EXPECT_EQ(c.platform.config, json({{"maxTrialNumberPerGpu", 2}, {"useActiveGpu", true}}));
}

// configPath (template mode, in place of taskRoles) is in
// tests/unit/frameworkcontroller/template_test.cpp.
TEST_F(V1Conversion, FrameworkControllerPolicy) {
    ExperimentConfig c = load(R"(trainingServicePlatform: frameworkcontroller
searchSpacePath: ss.json
trialConcurrency: 1
tuner: {builtinTunerName: TPE}
trial:
  codeDir: .
  taskRoles:
    - name: worker
      taskNum: 2
      command: python3 w.py
      gpuNum: 0
      cpuNum: 1
      memoryMB: 512
      image: img
      frameworkAttemptCompletionPolicy: {minFailedTaskCount: 1, minSucceededTaskCount: -1}
frameworkcontrollerConfig:
  nfs: {server: 10.0.0.1, path: /nfs}
)");
    EXPECT_EQ(c.platform.config["taskRoles"][0]["frameworkAttemptCompletionPolicy"],
              json({{"minFailedTaskCount", 1}, {"minSucceedTaskCount", -1}}));
    EXPECT_EQ(c.platform.config["taskRoles"][0]["taskNumber"], 2);
    EXPECT_EQ(c.trial_command, "");  // not the first role's command, as NNI does
    EXPECT_EQ(c.storage->plugin, "nfs");
}

TEST_F(V1Conversion, StorageKeysOfTheOtherKindAreErrors) {
    std::vector<Diagnostic> errors = test::load_errors(dir_, R"(trainingServicePlatform: kubeflow
searchSpacePath: ss.json
trialConcurrency: 1
tuner: {builtinTunerName: TPE}
trial: {codeDir: ., worker: {replicas: 1, command: c, gpuNum: 0, cpuNum: 1, memoryMB: 1, image: i}}
kubeflowConfig:
  operator: tf-operator
  apiVersion: v1
  storage: nfs
  nfs: {server: a, path: /b}
  uploadRetryCount: 3
)");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].key_path, "kubeflowConfig.uploadRetryCount");
    EXPECT_EQ(errors[0].where.line, 11);
    EXPECT_NE(errors[0].message.find("does not apply to storage 'nfs'"), std::string::npos);
}

TEST_F(V1Conversion, PrivateRegistryAuthPathMustExist) {
    std::vector<Diagnostic> errors = test::load_errors(dir_, R"(trainingServicePlatform: kubeflow
searchSpacePath: ss.json
trialConcurrency: 1
tuner: {builtinTunerName: TPE}
trial:
  codeDir: .
  worker: {replicas: 1, command: c, gpuNum: 0, cpuNum: 1, memoryMB: 1, image: i, privateRegistryAuthPath: none.json}
kubeflowConfig: {operator: tf-operator, apiVersion: v1, nfs: {server: a, path: /b}}
)");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].key_path, "trial.worker.privateRegistryAuthPath");
    EXPECT_EQ(errors[0].where.line, 7);
    EXPECT_NE(errors[0].message.find("no such file"), std::string::npos);
}

}  // namespace
}  // namespace tshost::config
