// The library's contract: invalid schemas are rejected with their location, remote references
// go through the resolver, hostile inputs cannot crash it, compiled schemas are shareable.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "jsonschema/schema.hpp"

namespace {

using nlohmann::json;
using tshost::jsonschema::CompileOptions;
using tshost::jsonschema::Schema;
using tshost::jsonschema::SchemaError;

// The SchemaError compiling `schema` throws; fails the test if it compiles.
SchemaError compile_error(const json& schema, const CompileOptions& options = {}) {
    try {
        Schema::compile(schema, options);
    } catch (const SchemaError& e) {
        return e;
    }
    ADD_FAILURE() << "schema compiled: " << schema.dump();
    return SchemaError("", "");
}

TEST(SchemaErrors, KeywordValuesOfTheWrongKindNameTheirLocation) {
    SchemaError e = compile_error(json::parse(R"({"properties": {"n": {"minimum": "1"}}})"));
    EXPECT_EQ(e.schema_pointer(), "/properties/n/minimum");
    EXPECT_STREQ(e.what(), "invalid schema at /properties/n/minimum: 'minimum' must be a number");
    EXPECT_EQ(compile_error(json::parse(R"({"required": "name"})")).schema_pointer(), "/required");
    EXPECT_EQ(compile_error(json::parse(R"({"minLength": -1})")).schema_pointer(), "/minLength");
    EXPECT_EQ(compile_error(json::parse(R"({"multipleOf": 0})")).schema_pointer(), "/multipleOf");
    EXPECT_EQ(compile_error(json::parse(R"({"items": 3})")).schema_pointer(), "/items");
    EXPECT_EQ(compile_error(json::parse(R"({"allOf": {}})")).schema_pointer(), "/allOf");
    EXPECT_EQ(compile_error(json::parse("42")).schema_pointer(), "");
}

TEST(SchemaErrors, UnknownTypeSuggestsTheRightOne) {
    SchemaError e = compile_error(json::parse(R"({"type": ["strng", "null"]})"));
    EXPECT_EQ(e.schema_pointer(), "/type");
    EXPECT_NE(std::string(e.what()).find("unknown type 'strng' — did you mean 'string'?"),
              std::string::npos)
        << e.what();
}

TEST(SchemaErrors, BadRegularExpressions) {
    SchemaError e = compile_error(json::parse(R"({"patternProperties": {"(": {}}})"));
    EXPECT_EQ(e.schema_pointer(), "/patternProperties/(");
    EXPECT_EQ(compile_error(json::parse(R"({"pattern": "[a-"})")).schema_pointer(), "/pattern");
}

TEST(SchemaErrors, UnresolvableReferences) {
    SchemaError local =
        compile_error(json::parse(R"({"properties": {"a": {"$ref": "#/$defs/nope"}}})"));
    EXPECT_EQ(local.schema_pointer(), "/properties/a/$ref");
    EXPECT_NE(std::string(local.what()).find("nothing at '#/$defs/nope'"), std::string::npos)
        << local.what();
    SchemaError anchor = compile_error(json::parse(R"({"$ref": "#missing"})"));
    EXPECT_NE(std::string(anchor.what()).find("no anchor named 'missing'"), std::string::npos);
    SchemaError remote = compile_error(json::parse(R"({"$ref": "https://example.com/x.json"})"));
    EXPECT_NE(std::string(remote.what()).find("remote references need a resolver"),
              std::string::npos)
        << remote.what();
}

TEST(Resolver, ServesRemoteDocumentsAndRelativeReferences) {
    std::vector<std::string> asked;
    CompileOptions options;
    options.resolver = [&](const std::string& uri) -> std::optional<json> {
        asked.push_back(uri);
        if (uri == "https://schemas.example.com/common/port.json") {
            return json::parse(R"({"type": "integer", "minimum": 1, "maximum": 65535})");
        }
        return std::nullopt;
    };
    Schema schema = Schema::compile(json::parse(R"({
      "$id": "https://schemas.example.com/service.json",
      "properties": {"port": {"$ref": "common/port.json"}, "admin": {"$ref": "common/port.json"}}
    })"),
                                    options);
    EXPECT_EQ(asked, std::vector<std::string>{"https://schemas.example.com/common/port.json"});
    EXPECT_TRUE(schema.is_valid(json::parse(R"({"port": 8080})")));
    auto errors = schema.validate(json::parse(R"({"port": 0})"));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].schema_pointer, "https://schemas.example.com/common/port.json#/minimum");

    SchemaError e =
        compile_error(json::parse(R"({"$ref": "https://other.example.com/a.json"})"), options);
    EXPECT_NE(
        std::string(e.what()).find("no schema is known at 'https://other.example.com/a.json'"),
        std::string::npos);
}

TEST(Resolver, BaseUriOptionAppliesToSchemasWithoutId) {
    CompileOptions options;
    options.base_uri = "file:///etc/tshost/schemas/experiment.json";
    options.resolver = [](const std::string& uri) -> std::optional<json> {
        if (uri == "file:///etc/tshost/schemas/platform.json") {
            return json{{"enum", {"kubeflow", "local"}}};
        }
        return std::nullopt;
    };
    Schema schema = Schema::compile(json{{"$ref", "platform.json"}}, options);
    EXPECT_TRUE(schema.is_valid("local"));
    EXPECT_FALSE(schema.is_valid("remote"));
}

TEST(Limits, DeeplyNestedInstancesFailCleanly) {
    Schema schema = Schema::compile(json::parse(R"({"items": {"$ref": "#"}})"));
    const std::size_t depth = 100000;
    json deep = json::parse(std::string(depth, '[') + std::string(depth, ']'));
    EXPECT_FALSE(schema.is_valid(deep));
    auto errors = schema.validate(deep);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].message.find("nesting exceeds the validator's limit"), std::string::npos)
        << errors[0].message;
    // Shallow enough documents are fine.
    json shallow = json::parse(std::string(100, '[') + std::string(100, ']'));
    EXPECT_TRUE(schema.is_valid(shallow));
}

TEST(Limits, UniqueItemsAndConstOnDeepValuesDoNotRecurse) {
    // Built by the (iterative) parser: copying a value this deep would itself recurse.
    const std::string deep(100000, '[');
    const std::string close(100000, ']');
    json pair = json::parse("[" + deep + close + "," + deep + close + "]");
    Schema unique = Schema::compile(json::parse(R"({"uniqueItems": true})"));
    EXPECT_FALSE(unique.is_valid(pair));
    Schema constant = Schema::compile(json::parse(R"({"const": [[[1]]]})"));
    EXPECT_FALSE(constant.is_valid(pair[0]));
}

TEST(Limits, DeeplyNestedSchemasAreRejected) {
    std::string text;
    for (int i = 0; i < 2000; ++i) {
        text += R"({"items": )";
    }
    text += "true" + std::string(2000, '}');
    SchemaError e = compile_error(json::parse(text));
    EXPECT_NE(std::string(e.what()).find("nests deeper than"), std::string::npos) << e.what();
}

TEST(Limits, InfiniteReferenceLoopsFailCleanly) {
    Schema schema = Schema::compile(json::parse(R"({
      "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
      "$ref": "#/$defs/a"
    })"));
    EXPECT_FALSE(schema.is_valid(1));
    EXPECT_EQ(schema.validate(1).size(), 1u);
}

TEST(Limits, UniqueItemsOnLargeArraysIsFast) {
    json items = json::array();
    for (int i = 0; i < 200000; ++i) {
        items.push_back(i);
    }
    Schema schema = Schema::compile(json::parse(R"({"uniqueItems": true})"));
    EXPECT_TRUE(schema.is_valid(items));
    items.push_back(199999.0);
    auto errors = schema.validate(items);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].message,
              "items [199999] and [200000] are equal; every item must be unique");
}

TEST(Sharing, CompiledSchemasAreCopyableAndThreadSafe) {
    Schema schema = Schema::compile(json::parse(R"({
      "type": "object",
      "properties": {"n": {"type": "integer", "minimum": 0}, "tags": {"items": {"pattern": "^[a-z]+$"}}},
      "unevaluatedProperties": false
    })"));
    Schema copy = schema;
    const json good = json::parse(R"({"n": 3, "tags": ["a", "b"]})");
    const json bad = json::parse(R"({"n": -1, "tags": ["A"], "x": 1})");
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            const Schema& s = t % 2 == 0 ? schema : copy;
            for (int i = 0; i < 500; ++i) {
                if (!s.is_valid(good) || s.is_valid(bad) || s.validate(bad).size() != 3) {
                    ++mismatches;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(mismatches.load(), 0);
}

TEST(Sharing, SchemaOutlivesTheJsonItWasCompiledFrom) {
    std::optional<Schema> schema;
    {
        json source = json::parse(R"({"enum": ["a", "b"], "properties": {"x": {"const": 1}}})");
        schema.emplace(Schema::compile(source));
    }
    EXPECT_TRUE(schema->is_valid("a"));
    auto errors = schema->validate("c");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].message, R"(must be one of "a", "b" (got "c"))");
}

}  // namespace
