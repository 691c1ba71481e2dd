// Behaviour of individual keywords and drafts, in particular 2019-09 and 2020-12 features that
// the installed test suite (json-schema-test-suite 2.0.0: drafts 3 to 7) does not cover.
#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "jsonschema/schema.hpp"

namespace {

using nlohmann::json;
using tshost::jsonschema::CompileOptions;
using tshost::jsonschema::Draft;
using tshost::jsonschema::Schema;

// Checks both entry points, which must always agree.
bool valid(const Schema& schema, const json& instance) {
    bool fast = schema.is_valid(instance);
    bool full = schema.validate(instance).empty();
    EXPECT_EQ(fast, full) << "is_valid and validate disagree on " << instance.dump();
    return fast;
}

Schema compile(const char* text, Draft draft = Draft::Draft2020_12) {
    CompileOptions options;
    options.default_draft = draft;
    return Schema::compile(json::parse(text), options);
}

TEST(Keywords, ConstAndEnumCompareNumbersByValue) {
    Schema schema = compile(R"({"enum": [1, [2], {"a": 3}]})");
    EXPECT_TRUE(valid(schema, json::parse("1.0")));
    EXPECT_TRUE(valid(schema, json::parse("[2.0]")));
    EXPECT_TRUE(valid(schema, json::parse(R"({"a": 3.0})")));
    EXPECT_FALSE(valid(schema, json::parse("1.5")));
    EXPECT_FALSE(valid(schema, json::parse("true")));  // true is not 1
    Schema big = compile(R"({"const": 9007199254740993})");
    EXPECT_FALSE(valid(big, json::parse("9007199254740992")));  // exact beyond 2^53
}

TEST(Keywords, MultipleOfWorksOnDecimalValues) {
    Schema tenth = compile(R"({"multipleOf": 0.1})");
    EXPECT_TRUE(valid(tenth, json::parse("0.3")));
    EXPECT_TRUE(valid(tenth, json::parse("12345.6")));
    EXPECT_FALSE(valid(tenth, json::parse("0.35")));
    EXPECT_FALSE(valid(tenth, json(0.1 + 0.2)));  // 0.30000000000000004
    Schema cents = compile(R"({"multipleOf": 0.01})");
    EXPECT_TRUE(valid(cents, json::parse("19.99")));
    EXPECT_TRUE(valid(cents, json::parse("-4")));
    Schema odd = compile(R"({"multipleOf": 0.123456789})");
    EXPECT_FALSE(valid(odd, json::parse("1e308")));
    Schema integral = compile(R"({"multipleOf": 3})");
    EXPECT_TRUE(valid(integral, json::parse("18446744073709551615")));  // 2^64 - 1
    EXPECT_FALSE(valid(integral, json::parse("18446744073709551614")));
    EXPECT_TRUE(valid(integral, json::parse("3e20")));
}

TEST(Keywords, NotANumberSatisfiesNoNumericKeyword) {
    // YAML's .nan reaches the validator as a NaN double.
    const json nan = std::numeric_limits<double>::quiet_NaN();
    EXPECT_FALSE(valid(compile(R"({"minimum": 0})"), nan));
    EXPECT_FALSE(valid(compile(R"({"maximum": 0})"), nan));
    EXPECT_FALSE(valid(compile(R"({"multipleOf": 1})"), nan));
    EXPECT_FALSE(valid(compile(R"({"const": 1})"), nan));
    EXPECT_FALSE(valid(compile(R"({"type": "integer"})"), nan));
    EXPECT_TRUE(valid(compile(R"({"type": "number"})"), nan));
}

TEST(Keywords, StringLengthCountsCodePoints) {
    Schema schema = compile(R"({"minLength": 2, "maxLength": 3})");
    EXPECT_TRUE(valid(schema, "日本語"));  // 9 bytes, 3 characters
    EXPECT_FALSE(valid(schema, "日本語です"));
    EXPECT_FALSE(valid(schema, "\xF0\x9F\x98\x80"));  // one emoji, 4 bytes
    EXPECT_TRUE(valid(schema, "\xF0\x9F\x98\x80\xF0\x9F\x98\x80"));
}

TEST(Keywords, PatternIsUnanchoredEcmaScriptOnCodePoints) {
    Schema schema = compile(R"({"pattern": "^.{2}$"})");
    EXPECT_TRUE(valid(schema, "日本"));
    EXPECT_FALSE(valid(schema, "日本語"));
    Schema unanchored = compile(R"({"pattern": "\\d+"})");
    EXPECT_TRUE(valid(unanchored, "abc123"));
    EXPECT_FALSE(valid(unanchored, "abc"));
}

TEST(Keywords, PatternOnVeryLongStringsDoesNotOverflowTheStack) {
    Schema schema = compile(R"({"pattern": "^(a|b)*c$"})");
    // libstdc++'s backtracking executor needs a stack frame per character: 200k overflows it.
    std::string text(200000, 'a');
    EXPECT_FALSE(valid(schema, text));
    text.push_back('c');
    EXPECT_TRUE(valid(schema, text));
}

TEST(Keywords, IntegerAcceptsIntegralFloats) {
    Schema schema = compile(R"({"type": "integer"})");
    EXPECT_TRUE(valid(schema, json::parse("1.0")));
    EXPECT_TRUE(valid(schema, json::parse("1e3")));
    EXPECT_FALSE(valid(schema, json::parse("1.5")));
    EXPECT_TRUE(valid(schema, json::parse("-9223372036854775808")));
}

TEST(Keywords, FormatIsAnAnnotationUnlessAsserted) {
    const json schema_json = json::parse(R"({"format": "date-time"})");
    EXPECT_TRUE(valid(Schema::compile(schema_json), "yesterday"));
    CompileOptions options;
    options.format_assertion = true;
    Schema asserted = Schema::compile(schema_json, options);
    EXPECT_TRUE(valid(asserted, "2024-02-29T23:59:60Z"));
    EXPECT_TRUE(valid(asserted, 42));  // formats apply to strings only
    EXPECT_FALSE(valid(asserted, "2023-02-29T10:00:00Z"));
    auto errors = asserted.validate("yesterday");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].message, R"(must be a valid date-time (got "yesterday"))");
}

TEST(Draft2020, PrefixItemsItemsAndUnevaluatedItems) {
    Schema schema = compile(R"({
      "prefixItems": [{"type": "string"}, {"type": "integer"}],
      "allOf": [{"contains": {"const": true}}],
      "unevaluatedItems": false
    })");
    EXPECT_TRUE(valid(schema, json::parse(R"(["a", 1, true])")));  // true is seen by contains
    EXPECT_FALSE(valid(schema, json::parse(R"(["a", 1, true, 2])")));
    EXPECT_FALSE(valid(schema, json::parse(R"([1, "a", true])")));
    Schema items =
        compile(R"({"prefixItems": [{"type": "string"}], "items": {"type": "integer"}})");
    EXPECT_TRUE(valid(items, json::parse(R"(["a", 1, 2])")));
    EXPECT_FALSE(valid(items, json::parse(R"(["a", 1, "b"])")));
}

TEST(Draft2020, UnevaluatedPropertiesSeesThroughApplicatorsButNotFailedBranches) {
    Schema schema = compile(R"({
      "properties": {"kind": {"enum": ["a", "b"]}},
      "anyOf": [
        {"properties": {"kind": {"const": "a"}, "alpha": {}}},
        {"properties": {"kind": {"const": "b"}, "beta": {}}}
      ],
      "if": {"properties": {"kind": {"const": "a"}}},
      "then": {"properties": {"extra": {}}},
      "dependentSchemas": {"beta": {"properties": {"gamma": {}}}},
      "unevaluatedProperties": false
    })");
    EXPECT_TRUE(valid(schema, json::parse(R"({"kind": "a", "alpha": 1, "extra": 2})")));
    EXPECT_TRUE(valid(schema, json::parse(R"({"kind": "b", "beta": 1, "gamma": 2})")));
    // "alpha" is declared only by the branch that failed (kind is "b"), "extra" only by "then".
    EXPECT_FALSE(valid(schema, json::parse(R"({"kind": "b", "alpha": 1})")));
    EXPECT_FALSE(valid(schema, json::parse(R"({"kind": "b", "extra": 1})")));
    EXPECT_FALSE(valid(schema, json::parse(R"({"kind": "a", "gamma": 1})")));
}

TEST(Draft2020, NestedUnevaluatedPropertiesDoesNotSeeTheParentsAnnotations) {
    Schema schema = compile(R"({
      "properties": {"foo": {}},
      "allOf": [{"unevaluatedProperties": false}]
    })");
    EXPECT_FALSE(valid(schema, json::parse(R"({"foo": 1})")));
    EXPECT_TRUE(valid(schema, json::parse("{}")));
}

TEST(Draft2020, DynamicRefExtendsARecursiveSchema) {
    // A generic tree whose node type is filled in by the schema that refers to it.
    CompileOptions options;
    options.resolver = [](const std::string& uri) -> std::optional<json> {
        if (uri != "https://example.com/tree") {
            return std::nullopt;
        }
        return json::parse(R"({
          "$id": "https://example.com/tree",
          "$dynamicAnchor": "node",
          "type": "object",
          "properties": {
            "data": true,
            "children": {"type": "array", "items": {"$dynamicRef": "#node"}}
          }
        })");
    };
    Schema strict = Schema::compile(json::parse(R"({
      "$id": "https://example.com/strict-tree",
      "$dynamicAnchor": "node",
      "$ref": "tree",
      "unevaluatedProperties": false
    })"),
                                    options);
    EXPECT_TRUE(valid(strict, json::parse(R"({"children": [{"data": 1}]})")));
    // The misspelt key is deep in the tree: only the dynamic reference makes it an error.
    EXPECT_FALSE(valid(strict, json::parse(R"({"children": [{"daat": 1}]})")));
    auto errors = strict.validate(json::parse(R"({"children": [{"daat": 1}]})"));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].key_path, "children[0].daat");
    EXPECT_EQ(errors[0].message, "unknown key 'daat' — did you mean 'data'?");
}

TEST(Draft2020, DynamicRefWithoutMatchingDynamicAnchorIsAPlainRef) {
    // "#x" statically names a plain $anchor, so the outer $dynamicAnchor "x" must not be used.
    Schema schema = compile(R"({
      "$id": "https://example.com/root",
      "$dynamicAnchor": "x",
      "type": "array",
      "items": {"$ref": "inner"},
      "$defs": {
        "inner": {
          "$id": "inner",
          "type": "array",
          "$defs": {"i": {"$anchor": "x", "type": "integer"}},
          "items": {"$dynamicRef": "#x"}
        }
      }
    })");
    EXPECT_TRUE(valid(schema, json::parse("[[1, 2]]")));
    EXPECT_FALSE(valid(schema, json::parse("[[[[]]]]")));  // valid only if #x jumped to the root
}

TEST(Draft2019, RecursiveRefFollowsTheOutermostRecursiveAnchor) {
    CompileOptions options;
    options.default_draft = Draft::Draft2019_09;
    options.resolver = [](const std::string& uri) -> std::optional<json> {
        if (uri != "https://example.com/tree") {
            return std::nullopt;
        }
        return json::parse(R"({
          "$id": "https://example.com/tree",
          "$recursiveAnchor": true,
          "type": "object",
          "properties": {"children": {"type": "array", "items": {"$recursiveRef": "#"}}}
        })");
    };
    Schema strict = Schema::compile(json::parse(R"({
      "$id": "https://example.com/strict",
      "$recursiveAnchor": true,
      "$ref": "tree",
      "properties": {"name": {"type": "string"}},
      "unevaluatedProperties": false
    })"),
                                    options);
    EXPECT_TRUE(valid(strict, json::parse(R"({"name": "a", "children": [{"name": "b"}]})")));
    EXPECT_FALSE(valid(strict, json::parse(R"({"children": [{"name": 1}]})")));
    EXPECT_FALSE(valid(strict, json::parse(R"({"children": [{"other": 1}]})")));
}

TEST(Draft2019, ItemsArrayAdditionalItemsAndContainsBounds) {
    Schema schema = compile(R"({
      "items": [{"type": "integer"}],
      "additionalItems": {"type": "string"},
      "contains": {"type": "string"},
      "minContains": 2,
      "maxContains": 3
    })",
                            Draft::Draft2019_09);
    EXPECT_TRUE(valid(schema, json::parse(R"([1, "a", "b"])")));
    EXPECT_FALSE(valid(schema, json::parse(R"([1, "a"])")));
    EXPECT_FALSE(valid(schema, json::parse(R"([1, "a", "b", "c", "d"])")));
    EXPECT_FALSE(valid(schema, json::parse(R"([1, "a", 2])")));
    Schema zero =
        compile(R"({"contains": {"type": "string"}, "minContains": 0})", Draft::Draft2019_09);
    EXPECT_TRUE(valid(zero, json::parse("[1, 2]")));
}

TEST(Refs, AnchorsIdsAndEscapedPointers) {
    Schema schema = compile(R"({
      "$id": "https://example.com/root.json",
      "$defs": {
        "a/b": {"type": "integer"},
        "t~n": {"type": "string"},
        "%25": {"type": "boolean"},
        "nested": {"$id": "nested/schema.json", "$anchor": "thing", "type": "null"}
      },
      "properties": {
        "slash": {"$ref": "#/$defs/a~1b"},
        "tilde": {"$ref": "#/$defs/t~0n"},
        "percent": {"$ref": "#/$defs/%2525"},
        "anchor": {"$ref": "nested/schema.json#thing"},
        "relative": {"$ref": "https://example.com/nested/schema.json"}
      }
    })");
    EXPECT_TRUE(valid(
        schema,
        json::parse(
            R"({"slash": 1, "tilde": "x", "percent": true, "anchor": null, "relative": null})")));
    EXPECT_FALSE(valid(schema, json::parse(R"({"slash": "1"})")));
    EXPECT_FALSE(valid(schema, json::parse(R"({"tilde": 1})")));
    EXPECT_FALSE(valid(schema, json::parse(R"({"percent": 1})")));
    EXPECT_FALSE(valid(schema, json::parse(R"({"anchor": 1})")));
}

TEST(Refs, RecursiveSchemas) {
    Schema schema = compile(R"({
      "type": "object",
      "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#"}}},
      "required": ["name"]
    })");
    EXPECT_TRUE(valid(
        schema, json::parse(R"({"name": "a", "children": [{"name": "b", "children": []}]})")));
    auto errors =
        schema.validate(json::parse(R"({"name": "a", "children": [{"children": [{}]}]})"));
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].key_path, "children[0]");
    EXPECT_EQ(errors[1].key_path, "children[0].children[0]");
}

TEST(Drafts, SchemaKeywordSelectsTheDraft) {
    // Draft 4: exclusiveMinimum is a boolean modifying minimum.
    Schema draft4 = compile(R"({"$schema": "http://json-schema.org/draft-04/schema#",
                                "minimum": 5, "exclusiveMinimum": true})");
    EXPECT_FALSE(valid(draft4, 5));
    EXPECT_TRUE(valid(draft4, 6));
    // Draft 7: $ref ignores its siblings; 2020-12: it does not.
    const char* with_sibling = R"({"$defs": {"i": {"type": "integer"}},
                                   "definitions": {"i": {"type": "integer"}},
                                   "properties": {"x": {"$ref": "#/definitions/i", "minimum": 3}}})";
    EXPECT_TRUE(valid(compile(with_sibling, Draft::Draft7), json::parse(R"({"x": 1})")));
    EXPECT_FALSE(valid(compile(with_sibling, Draft::Draft2020_12), json::parse(R"({"x": 1})")));
    // The default draft applies only without $schema.
    Schema explicit7 = compile(R"({"$schema": "http://json-schema.org/draft-07/schema#",
                                   "items": [{"type": "string"}]})",
                               Draft::Draft2020_12);
    EXPECT_TRUE(valid(explicit7, json::parse(R"(["a", 1])")));
}

TEST(Drafts, MetaschemasAreBuiltIn) {
    for (const char* uri :
         {"http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-07/schema#",
          "https://json-schema.org/draft/2019-09/schema",
          "https://json-schema.org/draft/2020-12/schema"}) {
        SCOPED_TRACE(uri);
        Schema schema = Schema::compile(json{{"$ref", uri}});
        EXPECT_TRUE(valid(schema, json::parse(R"({"type": "string", "minLength": 1})")));
        EXPECT_FALSE(valid(schema, json::parse(R"({"type": "strin"})")));
        EXPECT_FALSE(valid(schema, json::parse(R"({"minLength": -1})")));
    }
}

TEST(OpenApi, NullableExclusiveBoundsAndUnknownFields) {
    CompileOptions options;
    options.openapi_v3 = true;
    Schema schema = Schema::compile(json::parse(R"({
      "type": "object",
      "properties": {
        "replicas": {"type": "integer", "minimum": 0, "exclusiveMinimum": true, "nullable": true},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "config": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                   "properties": {"known": {"type": "string"}}},
        "port": {"anyOf": [{"type": "integer"}, {"type": "string"}],
                 "x-kubernetes-int-or-string": true}
      }
    })"),
                                    options);
    EXPECT_TRUE(valid(schema, json::parse(R"({"replicas": null, "labels": {"a": "b"}})")));
    EXPECT_FALSE(valid(schema, json::parse(R"({"replicas": 0})")));
    EXPECT_TRUE(valid(schema, json::parse(R"({"config": {"known": "x", "anything": [1]}})")));
    EXPECT_TRUE(valid(schema, json::parse(R"({"port": 80})")));
    EXPECT_TRUE(valid(schema, json::parse(R"({"port": "http"})")));
    auto errors = schema.validate(json::parse(R"({"replica": 1})"));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].message, "unknown key 'replica' — did you mean 'replicas'?");
    EXPECT_EQ(errors[0].schema_pointer, "/properties");
}

}  // namespace
