// Plugin schemas validate plugin sections; the diagnostics point at the user's lines.
#include <gtest/gtest.h>

#include "jsonschema/schema.hpp"
#include "temp_dir.hpp"

namespace tshost::config {
namespace {

using nlohmann::json;

// A toy kubeflow-tf schema: enough to produce a range error, an unknown key and a missing key.
const json kToySchema = json::parse(R"({
  "type": "object",
  "properties": {
    "operator": {"type": "string"},
    "apiVersion": {"enum": ["v1"]},
    "worker": {
      "type": "object",
      "properties": {"replicas": {"type": "integer", "minimum": 1},
                     "command": {"type": "string"}, "memorySize": {"type": "string"}},
      "required": ["command"],
      "additionalProperties": false
    }
  },
  "required": ["worker"]
})");

constexpr const char* kV2 = R"(searchSpace: {x: {_type: uniform, _value: [0, 1]}}
trialConcurrency: 1
tuner: {name: TPE}
trainingService:
  platform: kubeflow
  operator: tf-operator
  apiVersion: v1beta2
  storage: {storageType: nfs, server: a, path: /b}
  worker:
    replicas: 0
    memorySize: 1g
    colour: blue
)";

std::vector<std::tuple<std::string, int, int>> where(const std::vector<Diagnostic>& ds) {
    std::vector<std::tuple<std::string, int, int>> out;
    for (const Diagnostic& d : ds) {
        out.emplace_back(d.key_path, d.where.line, d.where.column);
    }
    std::sort(out.begin(), out.end());
    return out;
}

TEST(ValidateSection, PointsAtTheOffendingKeysInV2) {
    test::TempDir dir;
    ExperimentConfig c = load_config(dir.write("exp.yml", kV2));
    auto schema = jsonschema::Schema::compile(kToySchema);
    std::vector<Diagnostic> ds = validate_section(c, c.platform, schema);
    EXPECT_EQ(where(ds), (std::vector<std::tuple<std::string, int, int>>{
                             {"trainingService.apiVersion", 7, 3},
                             {"trainingService.worker", 9, 3},  // command is missing
                             {"trainingService.worker.colour", 12, 5},
                             {"trainingService.worker.replicas", 10, 5},
                         }));
    for (const Diagnostic& d : ds) {
        EXPECT_EQ(d.where.file, c.file);
        EXPECT_FALSE(d.message.empty());
    }
}

TEST(ValidateSection, PointsAtV1KeysAfterConversion) {
    test::TempDir dir;
    dir.write("ss.json", R"({"x": {"_type": "uniform", "_value": [0, 1]}})");
    ExperimentConfig c = load_config(dir.write("exp.yml", R"(trainingServicePlatform: kubeflow
searchSpacePath: ss.json
trialConcurrency: 1
tuner: {builtinTunerName: TPE}
trial:
  codeDir: .
  worker:
    replicas: 0
    command: python3 w.py
    memoryMB: 1024
kubeflowConfig:
  operator: tf-operator
  apiVersion: v1
  nfs: {server: a, path: /b}
)"));
    json schema = kToySchema;
    schema["properties"]["worker"]["additionalProperties"] = true;
    std::vector<Diagnostic> ds =
        validate_section(c, c.platform, jsonschema::Schema::compile(schema));
    ASSERT_EQ(ds.size(), 1u);
    EXPECT_EQ(ds[0].key_path, "trial.worker.replicas");
    EXPECT_EQ(ds[0].where, (SourceLocation{c.file, 8, 5}));
}

TEST(ValidateSection, StorageSection) {
    test::TempDir dir;
    ExperimentConfig c = load_config(dir.write("exp.yml", kV2));
    auto schema = jsonschema::Schema::compile(json::parse(
        R"({"type": "object", "properties": {"server": {"type": "string", "minLength": 3}}})"));
    std::vector<Diagnostic> ds = validate_section(c, *c.storage, schema);
    ASSERT_EQ(ds.size(), 1u);
    EXPECT_EQ(ds[0].key_path, "trainingService.storage.server");
    EXPECT_EQ(ds[0].where, (SourceLocation{c.file, 8, 31}));
}

}  // namespace
}  // namespace tshost::config
