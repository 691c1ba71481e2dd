// A table of broken configs: each must produce a diagnostic with the expected key path,
// line, column, message and hint, and loading must report all problems, not just the first.
#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace tshost::config {
namespace {

struct BadConfig {
    const char* name;
    const char* text;
    const char* key_path;
    int line;
    int column;
    const char* message_part;
    const char* hint_part;
};

// Lines 1-5 of a valid v2 config, to which a case appends.
#define BASE                                               \
    "searchSpace: {x: {_type: uniform, _value: [0, 1]}}\n" \
    "trialCommand: python3 trial.py\n"                     \
    "trialConcurrency: 1\n"                                \
    "tuner: {name: TPE}\n"                                 \
    "trainingService: {platform: local}\n"
#define NO_TS                                              \
    "searchSpace: {x: {_type: uniform, _value: [0, 1]}}\n" \
    "trialCommand: python3 trial.py\n"                     \
    "trialConcurrency: 1\n"                                \
    "tuner: {name: TPE}\n"
#define KUBEFLOW_ROLE "  worker: {replicas: 1, command: x, cpuNumber: 1, memorySize: 1g}\n"
#define V1_BASE                           \
    "trainingServicePlatform: kubeflow\n" \
    "searchSpacePath: ss.json\n"          \
    "trialConcurrency: 1\n"               \
    "tuner: {builtinTunerName: TPE}\n"    \
    "kubeflowConfig:\n"                   \
    "  operator: tf-operator\n"           \
    "  apiVersion: v1\n"                  \
    "  nfs:\n"                            \
    "    server: 10.0.0.1\n"              \
    "    path: /exports\n"                \
    "trial:\n"                            \
    "  codeDir: .\n"                      \
    "  worker:\n"                         \
    "    replicas: 1\n"                   \
    "    command: python3 x.py\n"

const BadConfig kBadConfigs[] = {
    {"not_an_integer",
     "searchSpace: {x: {_type: uniform, _value: [0, 1]}}\ntrialCommand: t\ntrialConcurrency: four\n"
     "tuner: {name: TPE}\ntrainingService: {platform: local}\n",
     "trialConcurrency", 3, 19, "expected a positive integer, got \"four\"", ""},
    {"zero_concurrency",
     "searchSpace: {x: {_type: uniform, _value: [0, 1]}}\ntrialCommand: t\ntrialConcurrency: 0\n"
     "tuner: {name: TPE}\ntrainingService: {platform: local}\n",
     "trialConcurrency", 3, 19, "must be >= 1 (got 0)", ""},
    {"quoted_integer",
     "searchSpace: {x: {_type: uniform, _value: [0, 1]}}\ntrialCommand: t\ntrialConcurrency: "
     "\"4\"\n"
     "tuner: {name: TPE}\ntrainingService: {platform: local}\n",
     "trialConcurrency", 3, 19, "got \"4\"", "without quotes"},
    {"misspelled_key",
     "searchSpace: {x: {_type: uniform, _value: [0, 1]}}\ntrialCommand: t\ntrialConcurency: 1\n"
     "tuner: {name: TPE}\ntrainingService: {platform: local}\n",
     "trialConcurency", 3, 1, "unknown key 'trialConcurency'", "did you mean 'trialConcurrency'?"},
    {"v1_key_in_v2", BASE "maxExecDuration: 1h\n", "maxExecDuration", 6, 1, "unknown key",
     "in v2 it is maxExperimentDuration"},
    {"bad_duration_unit", BASE "maxExperimentDuration: 5w\n", "maxExperimentDuration", 6, 24,
     "unknown unit \"w\"", ""},
    {"zero_duration", BASE "maxTrialDuration: 0\n", "maxTrialDuration", 6, 19,
     "must be longer than 0 seconds", "leave the key out"},
    {"huge_number", BASE "maxTrialNumber: 1e30\n", "maxTrialNumber", 6, 17,
     "must be <= 9223372036854775807", ""},
    {"hybrid", NO_TS "trainingService: [{platform: local}]\n", "trainingService", 5, 18,
     "hybrid mode", "one trainingService"},
    {"unsupported_platform", NO_TS "trainingService: {platform: remote}\n",
     "trainingService.platform", 5, 29, "platform 'remote' is not supported by tshost", ""},
    {"misspelled_platform", NO_TS "trainingService: {platform: kubflow}\n",
     "trainingService.platform", 5, 29, "unknown platform 'kubflow'", "did you mean 'kubeflow'?"},
    {"missing_operator",
     NO_TS "trainingService:\n  platform: kubeflow\n  apiVersion: v1\n"
           "  storage: {storageType: nfs, server: a, path: /b}\n" KUBEFLOW_ROLE,
     "trainingService.operator", 5, 1, "required key is missing", "tf-operator"},
    {"unknown_operator",
     NO_TS "trainingService:\n  platform: kubeflow\n  operator: mxnet-operator\n"
           "  storage: {storageType: nfs, server: a, path: /b}\n" KUBEFLOW_ROLE,
     "trainingService.operator", 7, 13, "unknown operator 'mxnet-operator'", "pytorch-operator"},
    {"bad_memory",
     NO_TS "trainingService:\n  platform: kubeflow\n  operator: tf-operator\n"
           "  storage: {storageType: nfs, server: a, path: /b}\n"
           "  worker:\n    replicas: 1\n    memorySize: 4x\n",
     "trainingService.worker.memorySize", 11, 17, "unknown unit \"x\"", ""},
    {"memory_not_whole_bytes",
     NO_TS "trainingService:\n  platform: kubeflow\n  operator: tf-operator\n"
           "  storage: {storageType: nfs, server: a, path: /b}\n"
           "  worker:\n    replicas: 1\n    memorySize: 0.1g\n",
     "trainingService.worker.memorySize", 11, 17, "not a whole number of bytes", ""},
    {"memory_number_not_whole_bytes",
     NO_TS "trainingService:\n  platform: kubeflow\n  operator: tf-operator\n"
           "  storage: {storageType: nfs, server: a, path: /b}\n"
           "  worker:\n    replicas: 1\n    memorySize: 0.1\n",
     "trainingService.worker.memorySize", 11, 17, "not a whole number of bytes", ""},
    {"missing_storage",
     NO_TS "trainingService:\n  platform: frameworkcontroller\n  taskRoles: []\n",
     "trainingService.storage", 5, 1, "required key is missing", "storageType: nfs"},
    {"pvc_storage",
     NO_TS "trainingService:\n  platform: frameworkcontroller\n  storage:\n    storageType: pvc\n",
     "trainingService.storage.storageType", 8, 18, "PVC storage is not supported", ""},
    {"annotation", BASE "useAnnotation: true\n", "useAnnotation", 6, 16,
     "annotations are not supported", ""},
    {"no_tuner",
     "searchSpace: {x: {_type: uniform, _value: [0, 1]}}\ntrialCommand: t\ntrialConcurrency: 1\n"
     "trainingService: {platform: local}\n",
     "tuner", 1, 1, "required key is missing", "TPE"},
    {"tuner_and_advisor", BASE "advisor: {name: Hyperband}\n", "advisor", 6, 1,
     "tuner and advisor are both set", ""},
    {"v1_tuner_key_in_v2",
     "searchSpace: {x: {_type: uniform, _value: [0, 1]}}\ntrialCommand: t\ntrialConcurrency: 1\n"
     "tuner: {builtinTunerName: TPE}\ntrainingService: {platform: local}\n",
     "tuner.builtinTunerName", 4, 9, "unknown key", "in v2 it is name"},
    {"two_search_spaces", BASE "searchSpaceFile: ss.json\n", "searchSpaceFile", 6, 1,
     "searchSpace and searchSpaceFile are both set", "keep one"},
    {"no_search_space",
     "trialCommand: t\ntrialConcurrency: 1\ntuner: {name: TPE}\ntrainingService: {platform: "
     "local}\n",
     "searchSpaceFile", 1, 1, "required key is missing", "searchSpaceFile: search_space.json"},
    {"missing_search_space_file",
     "searchSpaceFile: nowhere.json\ntrialCommand: t\ntrialConcurrency: 1\ntuner: {name: TPE}\n"
     "trainingService: {platform: local}\n",
     "searchSpaceFile", 1, 18, "no such file", "relative to the config file's directory"},
    {"missing_code_dir", BASE "trialCodeDirectory: src\n", "trialCodeDirectory", 6, 21,
     "no such directory", ""},
    {"yaml_syntax", BASE "assessor: {name: Medianstop\n", "", 7, 1, "YAML syntax error", ""},
    {"duplicate_key", BASE "trialConcurrency: 2\n", "trialConcurrency", 6, 1, "duplicate key",
     "already set on line 3"},
    {"tab_indent", NO_TS "trainingService:\n\tplatform: local\n", "", 6, 10, "YAML syntax error",
     "tabs"},
    {"conflicting_shortcut", NO_TS "trainingService: {platform: local, trialCommand: other}\n",
     "trainingService.trialCommand", 5, 36, "differs from the top-level trialCommand", "one place"},
    {"not_a_bool", BASE "debug: yes please\n", "debug", 6, 8, "expected true or false", ""},
    {"bad_log_level", BASE "logLevel: verbose\n", "logLevel", 6, 11, "unknown value 'verbose'",
     "fatal, error, warning, info, debug, trace"},
    {"bad_port", BASE "port: 70000\n", "port", 6, 7, "must be <= 65534 (got 70000)", ""},
    {"shared_storage", BASE "sharedStorage: {storageType: NFS}\n", "sharedStorage", 6, 1,
     "not supported", "trainingService.storage"},
    {"nas", BASE "experimentType: nas\n", "experimentType", 6, 17, "NAS", ""},
    {"empty_file", "", "", 0, 0, "the file is empty", "trialConcurrency"},
    {"top_level_list", "- a\n- b\n", "", 1, 1, "expected a mapping of keys at the top level", ""},
    {"wrong_type_section", BASE "assessor: Medianstop\n", "assessor", 6, 11,
     "expected a mapping of keys, got \"Medianstop\"", ""},
    {"v1_unsupported_platform",
     "trainingServicePlatform: pai\nsearchSpacePath: ss.json\ntrialConcurrency: 1\n",
     "trainingServicePlatform", 1, 26, "platform 'pai' is not supported", ""},
    {"v1_misspelled_nfs_key",
     "trainingServicePlatform: kubeflow\nsearchSpacePath: ss.json\ntrialConcurrency: 1\n"
     "tuner: {builtinTunerName: TPE}\nkubeflowConfig:\n  operator: tf-operator\n"
     "  apiVersion: v1\n  nfs:\n    sever: 10.0.0.1\n    path: /exports\n",
     "kubeflowConfig.nfs.sever", 9, 5, "unknown key 'sever'", "did you mean 'server'?"},
    {"v1_bad_memory", V1_BASE "    memoryMB: lots\n", "trial.worker.memoryMB", 16, 15,
     "expected a number followed by an optional unit", ""},
    {"v1_missing_operator_points_at_v1_section",
     "trainingServicePlatform: kubeflow\nsearchSpacePath: ss.json\ntrialConcurrency: 1\n"
     "tuner: {builtinTunerName: TPE}\nkubeflowConfig:\n  apiVersion: v1\n"
     "  nfs: {server: a, path: /b}\n",
     "kubeflowConfig.operator", 5, 1, "required key is missing", "tf-operator"},
    {"v1_multiphase", V1_BASE "multiPhase: true\n", "multiPhase", 16, 13,
     "multi-phase experiments are not supported", ""},
    {"v1_pvc",
     "trainingServicePlatform: frameworkcontroller\nsearchSpacePath: ss.json\ntrialConcurrency: 1\n"
     "tuner: {builtinTunerName: TPE}\nframeworkcontrollerConfig:\n  storage: pvc\n"
     "  pvc: {path: /data}\n",
     "frameworkcontrollerConfig.pvc", 7, 3, "PVC storage is not supported", ""},
};

class BadConfigs : public ::testing::TestWithParam<BadConfig> {};

TEST_P(BadConfigs, ReportsWhereAndWhy) {
    const BadConfig& c = GetParam();
    test::TempDir dir;
    dir.write("ss.json", R"({"x": {"_type": "uniform", "_value": [0, 1]}})");
    std::vector<Diagnostic> errors = test::load_errors(dir, c.text);
    ASSERT_FALSE(errors.empty()) << "loaded without error";
    std::string all;
    for (const Diagnostic& d : errors) {
        all += "  " + d.to_string() + "\n";
    }
    const Diagnostic* found = nullptr;
    for (const Diagnostic& d : errors) {
        if (d.message.find(c.message_part) != std::string::npos && found == nullptr) {
            found = &d;
        }
    }
    ASSERT_NE(found, nullptr) << "no diagnostic says \"" << c.message_part << "\"; got:\n" << all;
    EXPECT_EQ(found->key_path, c.key_path) << all;
    EXPECT_EQ(found->where.line, c.line) << all;
    EXPECT_EQ(found->where.column, c.column) << all;
    EXPECT_EQ(found->where.file, (dir.path() / "exp.yml").string()) << all;
    EXPECT_NE(found->hint.find(c.hint_part), std::string::npos) << all;
}

INSTANTIATE_TEST_SUITE_P(Table, BadConfigs, ::testing::ValuesIn(kBadConfigs),
                         [](const auto& test_case) { return std::string(test_case.param.name); });

TEST(BadConfigs, ReportsEveryProblemInFileOrder) {
    test::TempDir dir;
    std::vector<Diagnostic> errors =
        test::load_errors(dir,
                          "searchSpace: {x: {_type: uniform, _value: [0, 1]}}\n"
                          "trialComand: python3 trial.py\n"
                          "trialConcurrency: -1\n"
                          "tuner: {name: TPE, clasArgs: {}}\n"
                          "maxTrialNumber: many\n"
                          "trainingService: {platform: local}\n");
    std::vector<std::pair<std::string, int>> got;
    for (const Diagnostic& d : errors) {
        got.emplace_back(d.key_path, d.where.line);
    }
    // trialCommand is missing because of the typo, reported at the root (line 1).
    std::vector<std::pair<std::string, int>> expected = {
        {"trialCommand", 1},   {"trialComand", 2},    {"trialConcurrency", 3},
        {"tuner.clasArgs", 4}, {"maxTrialNumber", 5},
    };
    EXPECT_EQ(got, expected);
}

TEST(BadConfigs, ErrorMessageListsEveryDiagnosticWithFileLineColumn) {
    test::TempDir dir;
    try {
        load_config(dir.write("exp.yml", BASE "port: 0\nmaxTrialRetries: -2\n"));
        FAIL() << "loaded";
    } catch (const ConfigError& e) {
        std::string file = (dir.path() / "exp.yml").string();
        EXPECT_EQ(std::string(e.what()), file + ":6:7: port: must be >= 1 (got 0)\n" + file +
                                             ":7:18: maxTrialRetries: must be >= 0 (got -2)");
    }
}

TEST(BadConfigs, ManyProblemsAreCappedWithACount) {
    test::TempDir dir;
    std::string text = BASE;
    for (int i = 0; i < 80; ++i) {
        text += "unknown" + std::to_string(i) + ": 1\n";
    }
    std::vector<Diagnostic> errors = test::load_errors(dir, text);
    ASSERT_EQ(errors.size(), 51u);
    EXPECT_EQ(errors.back().message, "... and 30 more problems");
    EXPECT_EQ(errors.front().where.line, 6);
}

TEST(BadConfigs, MissingFileIsAConfigError) {
    test::TempDir dir;
    try {
        load_config(dir.path() / "nope.yml");
        FAIL() << "loaded";
    } catch (const ConfigError& e) {
        ASSERT_EQ(e.diagnostics().size(), 1u);
        EXPECT_NE(e.diagnostics()[0].message.find("no such file"), std::string::npos);
    }
    try {
        load_config(dir.path());
        FAIL() << "loaded a directory";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("it is a directory"), std::string::npos);
    }
}

}  // namespace
}  // namespace tshost::config
