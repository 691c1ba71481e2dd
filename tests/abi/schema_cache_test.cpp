// validate_json's schemas: JSON Schema by default, Kubernetes rules for a CRD.
#include "plugin/schema_cache.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "jsonschema/schema.hpp"

using nlohmann::json;
using tshost::plugin::cached_schema;

namespace {

const json kObjectSchema = {
    {"type", "object"},
    {"properties",
     {{"replicas", {{"type", "integer"}}}, {"note", {{"type", "string"}, {"nullable", true}}}}}};

bool valid(const std::string& schema, const json& document) {
    return cached_schema(schema)->validate(document).empty();
}

}  // namespace

TEST(SchemaCache, PlainSchemasAreJsonSchema) {
    const std::string schema = kObjectSchema.dump();
    EXPECT_TRUE(valid(schema, {{"replicas", 1}, {"unknown", true}}));  // JSON Schema allows it
    EXPECT_FALSE(valid(schema, {{"note", nullptr}}));  // nullable is not a JSON Schema keyword
}

TEST(SchemaCache, AnOpenApiV3SchemaFollowsTheApiServersRules) {
    const std::string schema = json{{"openAPIV3Schema", kObjectSchema}}.dump();
    EXPECT_TRUE(valid(schema, {{"replicas", 1}, {"note", nullptr}}));
    EXPECT_FALSE(valid(schema, {{"replicas", 1}, {"unknown", true}}));
    EXPECT_FALSE(valid(schema, {{"replicas", "1"}}));
}

TEST(SchemaCache, AWholeCrdUsesItsStorageVersion) {
    json old_version = kObjectSchema;
    old_version["properties"]["replicas"]["type"] = "string";
    const json crd = {{"kind", "CustomResourceDefinition"},
                      {"spec",
                       {{"versions",
                         {{{"name", "v1beta1"},
                           {"storage", false},
                           {"schema", {{"openAPIV3Schema", old_version}}}},
                          {{"name", "v1"},
                           {"storage", true},
                           {"schema", {{"openAPIV3Schema", kObjectSchema}}}}}}}}};
    EXPECT_TRUE(valid(crd.dump(), {{"replicas", 2}, {"note", nullptr}}));
    EXPECT_FALSE(valid(crd.dump(), {{"replicas", "2"}}));
}
