// Error messages and key paths, as a user editing an experiment config sees them.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "jsonschema/schema.hpp"

namespace {

using nlohmann::json;
using tshost::jsonschema::Schema;
using tshost::jsonschema::ValidationError;

// An NNI v2-style experiment config schema.
const Schema& experiment_schema() {
    static const Schema schema = Schema::compile(json::parse(R"({
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "type": "object",
      "properties": {
        "experimentName": {"type": "string"},
        "trialCommand": {"type": "string", "minLength": 1},
        "trialConcurrency": {"type": "integer", "minimum": 1},
        "maxTrialNumber": {"type": "integer", "minimum": 1},
        "trialGpuNumber": {"type": "integer", "minimum": 0, "maximum": 8},
        "debug": {"type": "boolean"},
        "searchSpace": {"type": "object"},
        "tuner": {
          "type": "object",
          "properties": {
            "name": {"enum": ["TPE", "Random", "Anneal", "Evolution", "GridSearch"]},
            "classArgs": {"type": "object"}
          },
          "required": ["name"],
          "additionalProperties": false
        },
        "trainingService": {
          "oneOf": [
            {"$ref": "#/$defs/kubeflow"},
            {"$ref": "#/$defs/frameworkcontroller"},
            {"$ref": "#/$defs/local"}
          ]
        }
      },
      "required": ["trialCommand", "trialConcurrency", "trainingService"],
      "additionalProperties": false,
      "$defs": {
        "kubeflow": {
          "type": "object",
          "properties": {
            "platform": {"const": "kubeflow"},
            "operator": {"enum": ["tf-operator", "pytorch-operator"]},
            "apiVersion": {"type": "string"},
            "worker": {"$ref": "#/$defs/role"},
            "ps": {"$ref": "#/$defs/role"}
          },
          "required": ["platform", "operator", "worker"],
          "additionalProperties": false
        },
        "frameworkcontroller": {
          "type": "object",
          "properties": {
            "platform": {"const": "frameworkcontroller"},
            "taskRoles": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/taskRole"}}
          },
          "required": ["platform", "taskRoles"],
          "additionalProperties": false
        },
        "local": {
          "type": "object",
          "properties": {
            "platform": {"const": "local"},
            "useActiveGpu": {"type": "boolean"}
          },
          "required": ["platform"],
          "additionalProperties": false
        },
        "role": {
          "type": "object",
          "properties": {
            "replicas": {"type": "integer", "minimum": 1},
            "command": {"type": "string"},
            "gpuNumber": {"type": "integer", "minimum": 0},
            "cpuNumber": {"type": "number", "exclusiveMinimum": 0},
            "memorySize": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?\\s*[kmgKMG][bB]?$"},
            "dockerImage": {"type": "string"}
          },
          "required": ["replicas", "command", "dockerImage"]
        },
        "taskRole": {
          "allOf": [{"$ref": "#/$defs/role"}],
          "properties": {
            "name": {"type": "string", "pattern": "^[a-z0-9]{1,63}$"},
            "taskNumber": {"type": "integer", "minimum": 0, "maximum": 10000}
          },
          "required": ["name", "taskNumber"]
        }
      }
    })"));
    return schema;
}

json valid_config() {
    return json::parse(R"({
      "experimentName": "mnist",
      "trialCommand": "python3 mnist.py",
      "trialConcurrency": 2,
      "maxTrialNumber": 10,
      "tuner": {"name": "TPE", "classArgs": {"optimize_mode": "maximize"}},
      "trainingService": {
        "platform": "kubeflow",
        "operator": "tf-operator",
        "worker": {"replicas": 2, "command": "python3 mnist.py", "dockerImage": "msranni/nni"}
      }
    })");
}

// The one error `config` has against the experiment schema.
ValidationError single_error(const json& config) {
    auto errors = experiment_schema().validate(config);
    EXPECT_FALSE(experiment_schema().is_valid(config));
    if (errors.size() != 1) {
        ADD_FAILURE() << "expected exactly one error, got " << errors.size();
        for (const auto& error : errors) {
            ADD_FAILURE() << "error: " << to_string(error) << " [" << error.schema_pointer << "]";
        }
    }
    return errors.empty() ? ValidationError{} : errors.front();
}

TEST(Messages, ValidConfigHasNoErrors) {
    EXPECT_TRUE(experiment_schema().validate(valid_config()).empty());
    EXPECT_TRUE(experiment_schema().is_valid(valid_config()));
}

TEST(Messages, MinimumSaysBoundAndValue) {
    json config = valid_config();
    config["trialConcurrency"] = 0;
    auto errors = experiment_schema().validate(config);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].message, "must be >= 1 (got 0)");
    EXPECT_EQ(errors[0].key_path, "trialConcurrency");
    EXPECT_EQ(errors[0].instance_pointer, "/trialConcurrency");
    EXPECT_EQ(errors[0].schema_pointer, "/properties/trialConcurrency/minimum");
    EXPECT_EQ(to_string(errors[0]), "trialConcurrency: must be >= 1 (got 0)");
}

TEST(Messages, MaximumAndExclusiveMinimum) {
    json config = valid_config();
    config["trialGpuNumber"] = 9;
    config["trainingService"]["worker"]["cpuNumber"] = 0;
    auto errors = experiment_schema().validate(config);
    ASSERT_EQ(errors.size(), 2u);
    // Keys are visited in order: trainingService before trialGpuNumber.
    EXPECT_EQ(errors[0].key_path, "trainingService.worker.cpuNumber");
    EXPECT_EQ(errors[0].message, "must be > 0 (got 0)");
    EXPECT_EQ(errors[1].message, "must be <= 8 (got 9)");
}

TEST(Messages, UnknownKeySuggestsClosestDeclaredKey) {
    json config = valid_config();
    config.erase("trialConcurrency");
    config["trialConcurrncy"] = 2;
    auto errors = experiment_schema().validate(config);
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].key_path, "(root)");
    EXPECT_EQ(errors[0].instance_pointer, "");
    EXPECT_EQ(errors[0].message, "missing required key 'trialConcurrency'");
    EXPECT_EQ(errors[1].key_path, "trialConcurrncy");
    EXPECT_EQ(errors[1].message,
              "unknown key 'trialConcurrncy' — did you mean 'trialConcurrency'?");
    EXPECT_EQ(errors[1].schema_pointer, "/additionalProperties");
}

TEST(Messages, UnknownKeyWithoutCloseMatchListsAllowedKeys) {
    json config = valid_config();
    config["tuner"]["gpuIndices"] = "0,1";
    auto error = single_error(config);
    EXPECT_EQ(error.key_path, "tuner.gpuIndices");
    EXPECT_EQ(error.message, "unknown key 'gpuIndices' (allowed keys: 'classArgs', 'name')");
}

TEST(Messages, MissingRequiredKeyInsideOneOfBranch) {
    json config = valid_config();
    config["trainingService"]["worker"].erase("dockerImage");
    auto error = single_error(config);
    EXPECT_EQ(error.key_path, "trainingService.worker");
    EXPECT_EQ(error.message, "missing required key 'dockerImage'");
    EXPECT_EQ(error.schema_pointer, "/$defs/role/required");
}

TEST(Messages, EnumListsAllowedValues) {
    json config = valid_config();
    config["trainingService"]["operator"] = "tf";
    auto error = single_error(config);
    EXPECT_EQ(error.key_path, "trainingService.operator");
    EXPECT_EQ(error.message, R"(must be one of "tf-operator", "pytorch-operator" (got "tf"))");
}

TEST(Messages, EnumSuggestsNearMiss) {
    json config = valid_config();
    config["tuner"]["name"] = "Annel";
    auto error = single_error(config);
    EXPECT_EQ(error.message,
              R"(must be one of "TPE", "Random", "Anneal", "Evolution", "GridSearch" (got "Annel"))"
              R"( — did you mean "Anneal"?)");
}

TEST(Messages, TypeMismatchNamesBothTypesAndHintsAtQuotes) {
    json config = valid_config();
    config["maxTrialNumber"] = "8";
    EXPECT_EQ(single_error(config).message,
              R"(expected integer, got string "8" — remove the quotes)");
    config = valid_config();
    config["experimentName"] = 42;
    EXPECT_EQ(single_error(config).message,
              "expected string, got integer 42 — put it in quotes to make it a string");
    config = valid_config();
    config["debug"] = "yes";
    EXPECT_EQ(single_error(config).message, R"(expected boolean, got string "yes")");
    config = valid_config();
    config["searchSpace"] = json::array({1, 2});
    EXPECT_EQ(single_error(config).message, "expected object, got an array of 2 items");
}

TEST(Messages, OneOfDiscriminatorMismatchIsMergedWithSuggestion) {
    json config = valid_config();
    config["trainingService"]["platform"] = "kubeflw";
    auto error = single_error(config);
    EXPECT_EQ(error.key_path, "trainingService.platform");
    EXPECT_EQ(error.message,
              R"(must be one of "kubeflow", "frameworkcontroller", "local" (got "kubeflw"))"
              R"( — did you mean "kubeflow"?)");
    EXPECT_EQ(error.schema_pointer, "/properties/trainingService/oneOf");
}

TEST(Messages, OneOfPicksTheBranchWhoseDiscriminatorMatches) {
    json config = valid_config();
    config["trainingService"] = json::parse(R"({
      "platform": "frameworkcontroller",
      "taskRoles": [
        {"name": "worker", "taskNumber": 1, "replicas": 1, "command": "x", "dockerImage": "y"},
        {"name": "Bad_Name", "taskNumber": -1, "replicas": 1, "command": "x", "dockerImage": "y"}
      ]
    })");
    auto errors = experiment_schema().validate(config);
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].key_path, "trainingService.taskRoles[1].name");
    EXPECT_EQ(errors[0].message, R"(must match the pattern '^[a-z0-9]{1,63}$' (got "Bad_Name"))");
    EXPECT_EQ(errors[1].key_path, "trainingService.taskRoles[1].taskNumber");
    EXPECT_EQ(errors[1].instance_pointer, "/trainingService/taskRoles/1/taskNumber");
    EXPECT_EQ(errors[1].message, "must be >= 0 (got -1)");
}

TEST(Messages, OneOfWithEveryBranchOfTheWrongTypeGivesOneTypeError) {
    json config = valid_config();
    config["trainingService"] = "local";
    auto error = single_error(config);
    EXPECT_EQ(error.key_path, "trainingService");
    EXPECT_EQ(error.message, R"(expected object, got string "local")");
}

TEST(Messages, StringLengthAndEmptyStrings) {
    json config = valid_config();
    config["trialCommand"] = "";
    EXPECT_EQ(single_error(config).message, "must not be empty");
}

TEST(Messages, KeyPathsQuoteAwkwardKeys) {
    Schema schema = Schema::compile(json::parse(R"({
      "additionalProperties": {"additionalProperties": {"type": "integer"}}
    })"));
    auto errors = schema.validate(json::parse(R"({"nvidia.com/gpu": {"a b": "x"}})"));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].key_path, R"(["nvidia.com/gpu"]["a b"])");
    EXPECT_EQ(errors[0].instance_pointer, "/nvidia.com~1gpu/a b");
}

TEST(Messages, ArrayBoundsAndUniqueness) {
    Schema schema = Schema::compile(json::parse(R"({
      "properties": {
        "gpus": {"type": "array", "minItems": 1, "maxItems": 2, "uniqueItems": true},
        "pair": {"prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false}
      }
    })"));
    auto errors = schema.validate(json::parse(R"({"gpus": [], "pair": ["a", 1, 2]})"));
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].message, "must have at least 1 item (has 0)");
    EXPECT_EQ(errors[1].key_path, "pair");
    EXPECT_EQ(errors[1].message, "must have at most 2 items (has 3)");
    errors = schema.validate(json::parse(R"({"gpus": [0, 1, 0]})"));
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].message, "must have at most 2 items (has 3)");
    EXPECT_EQ(errors[1].message, "items [0] and [2] are equal; every item must be unique");
}

TEST(Messages, UnevaluatedPropertiesSuggestsKeysFromReferencedSchemas) {
    Schema schema = Schema::compile(json::parse(R"({
      "$defs": {"container": {"properties": {"image": {"type": "string"}, "command": {}}}},
      "allOf": [{"$ref": "#/$defs/container"}],
      "properties": {"name": {"type": "string"}},
      "unevaluatedProperties": false
    })"));
    auto errors = schema.validate(json::parse(R"({"name": "a", "imgae": "b"})"));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].key_path, "imgae");
    EXPECT_EQ(errors[0].message, "unknown key 'imgae' — did you mean 'image'?");
    EXPECT_EQ(errors[0].schema_pointer, "/unevaluatedProperties");
}

TEST(Messages, DependenciesAndPropertyNames) {
    Schema schema = Schema::compile(json::parse(R"({
      "dependentRequired": {"certFile": ["keyFile"]},
      "propertyNames": {"pattern": "^[a-z][a-zA-Z]*$"}
    })"));
    auto errors = schema.validate(json::parse(R"({"certFile": "a.pem", "Bad-Key": 1})"));
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].message, "missing key 'keyFile', which is required when 'certFile' is set");
    EXPECT_EQ(errors[1].key_path, "Bad-Key");
    EXPECT_EQ(
        errors[1].message,
        R"(invalid key name 'Bad-Key': must match the pattern '^[a-z][a-zA-Z]*$' (got "Bad-Key"))");
}

TEST(Messages, ConstNotContainsAndMultipleOf) {
    Schema schema = Schema::compile(json::parse(R"({
      "properties": {
        "version": {"const": 2},
        "mode": {"not": {"const": "legacy"}},
        "ports": {"contains": {"const": 8080}},
        "step": {"multipleOf": 0.5}
      }
    })"));
    auto errors = schema.validate(
        json::parse(R"({"version": 1, "mode": "legacy", "ports": [80], "step": 0.7})"));
    ASSERT_EQ(errors.size(), 4u);
    EXPECT_EQ(errors[0].message,
              "is not allowed: it matches the schema at /properties/mode/not, "
              "which it must not");
    EXPECT_EQ(errors[1].message,
              "must contain at least one item that matches the schema at "
              "/properties/ports/contains (none does)");
    EXPECT_EQ(errors[2].message, "must be a multiple of 0.5 (got 0.7)");
    EXPECT_EQ(errors[3].message, "must be 2 (got 1)");
}

TEST(Messages, FalseSchemasNameTheForbiddenKey) {
    Schema schema = Schema::compile(json::parse(R"({
      "properties": {"legacyMode": false, "list": {"items": false}}
    })"));
    auto errors = schema.validate(json::parse(R"({"legacyMode": true, "list": [1]})"));
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].key_path, "legacyMode");
    EXPECT_EQ(errors[0].message, "key 'legacyMode' is not allowed here");
    EXPECT_EQ(errors[0].schema_pointer, "/properties/legacyMode");
    EXPECT_EQ(errors[1].key_path, "list");
    EXPECT_EQ(errors[1].message, "must be empty (has 1 item)");
    EXPECT_EQ(Schema::compile(json(false)).validate(1).at(0).message, "no value is allowed here");
}

TEST(Messages, MaxErrorsLimitsTheList) {
    json config = valid_config();
    for (int i = 0; i < 10; ++i) {
        config["unknown" + std::to_string(i)] = i;
    }
    EXPECT_EQ(experiment_schema().validate(config).size(), 10u);
    EXPECT_EQ(experiment_schema().validate(config, 3).size(), 3u);
    EXPECT_EQ(experiment_schema().validate(config, 0).size(), 10u);
}

}  // namespace
