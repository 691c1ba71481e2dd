// Turns schema documents into compiled nodes: dialect detection, resource and anchor
// discovery, "$ref" resolution (local, remote, built-in metaschemas), and the NodeBuilder
// through which each keyword module compiles its keywords.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "jsonschema/model.hpp"
#include "jsonschema/regex.hpp"

namespace tshost::jsonschema::detail {

enum Vocabulary : std::uint32_t {
    kApplicator = 1u << 0,
    kUnevaluated = 1u << 1,
    kValidation = 1u << 2,
    kFormatAssertion = 1u << 3,
    kAllVocabularies = kApplicator | kUnevaluated | kValidation,
};

struct Dialect {
    Draft draft = Draft::Draft2020_12;
    bool openapi = false;
    std::uint32_t vocabularies = kAllVocabularies;

    bool since(Draft d) const { return draft >= d; }
    bool has(Vocabulary v) const { return (vocabularies & v) != 0; }
};

using KindMask = std::uint8_t;
constexpr KindMask mask_of(Kind kind) {
    return static_cast<KindMask>(1u << static_cast<unsigned>(kind));
}
inline constexpr KindMask kAnyKind = (1u << kKindCount) - 1;

class Compiler;

// Compiles one schema object. Keyword modules read the object through it and add keywords.
class NodeBuilder {
  public:
    NodeBuilder(Compiler& compiler, Node& node, std::size_t document, const std::string& pointer,
                const Dialect& dialect);

    Node& node() { return node_; }
    const Dialect& dialect() const { return dialect_; }
    bool format_assertion() const;

    // The keyword's value, or nullptr when the schema does not have it.
    const json* find(std::string_view keyword) const;
    bool has(std::string_view keyword) const { return find(keyword) != nullptr; }

    // Where a keyword (and optionally one of its members) lives, as shown in errors.
    std::string pointer_of(std::string_view keyword) const;
    std::string pointer_of(std::string_view keyword, std::string_view member) const;

    [[noreturn]] void invalid(std::string_view keyword, const std::string& message) const;
    // "'keyword' must be <what>".
    [[noreturn]] void must_be(std::string_view keyword, std::string_view what) const;

    // Typed access to keyword values that throws SchemaError when the value is not of the kind
    // the specification requires.
    const json& number(std::string_view keyword) const;
    std::size_t count(std::string_view keyword) const;  // a non-negative integer
    bool boolean(std::string_view keyword) const;
    const std::string& string(std::string_view keyword) const;
    std::vector<std::string> string_array(std::string_view keyword, const json& value) const;

    // Compiles a subschema: the keyword's value, one of its array items, or one of its members.
    const Node* subschema(std::string_view keyword);
    const Node* subschema(std::string_view keyword, std::size_t index);
    const Node* subschema(std::string_view keyword, const std::string& member);
    // The keyword's value must be an array of schemas.
    std::vector<const Node*> subschemas(std::string_view keyword);

    // Adds a keyword, run for instances of the given kinds in the order added.
    void add(std::unique_ptr<Keyword> keyword, KindMask kinds);

    // unevaluatedItems / unevaluatedProperties: whether `keyword` applies here (present,
    // draft 2019-09 on, unevaluated vocabulary); if so, marks the node as one that
    // tracks what its other keywords evaluated.
    bool begin_unevaluated(std::string_view keyword);

    // Records a subschema applied to this same instance.
    void add_in_place(const Node* subschema) { node_.in_place.push_back(subschema); }

    // Resolves `reference` (relative to this schema's base URI) once the whole schema is
    // compiled, stores the target in *slot and records it as applied in place.
    void resolve_later(const Node** slot, std::string_view keyword, const std::string& reference);
    // Compiled once per distinct pattern; `where` locates the pattern for a SchemaError.
    std::shared_ptr<const Regex> regex(const std::string& pattern, const std::string& where) const;

  private:
    // Pointers within this schema's document.
    std::string local_pointer(std::string_view keyword) const;
    std::string local_pointer(std::string_view keyword, std::string_view member) const;

    Compiler& compiler_;
    Node& node_;
    std::size_t document_;
    const std::string& pointer_;
    Dialect dialect_;
};

// Keyword modules. Each reads the keywords of one family and adds what applies.
void compile_type_and_values(NodeBuilder& b);  // type, enum, const
void compile_numbers(NodeBuilder& b);          // minimum, maximum, multipleOf, ...
void compile_strings(NodeBuilder& b);          // minLength, maxLength, pattern, format
void compile_arrays(NodeBuilder& b);           // items, prefixItems, contains, ...
void compile_objects(NodeBuilder& b);          // properties, required, dependencies, ...
void compile_references(NodeBuilder& b);       // $ref, $dynamicRef, $recursiveRef
void compile_combinators(NodeBuilder& b);      // allOf, anyOf, oneOf, not, if/then/else
void compile_unevaluated_items(NodeBuilder& b);
void compile_unevaluated_properties(NodeBuilder& b);

// minItems/maxItems and minProperties/maxProperties share one keyword; `noun` is "item"/"key".
std::unique_ptr<Keyword> make_size_keyword(std::string pointer, std::size_t limit, bool is_max,
                                           std::string_view noun);

// The built-in metaschema documents (drafts 4 to 2020-12), by URI without fragment.
const json* builtin_document(const std::string& uri);

struct Place {
    std::size_t document = 0;
    std::string pointer;
};

class Compiler {
  public:
    Compiler(const CompileOptions& options, CompiledSchema& out);

    const Node* compile(const json& root);

    // Used by NodeBuilder.
    // `value`, when the caller has it, saves looking the pointer up again.
    const Node* node_at(std::size_t document, const std::string& pointer,
                        const json* value = nullptr);
    void resolve_later(const Node** slot, Node* owner, std::string uri, std::string where,
                       const Dialect& dialect);
    const std::string& base_of(std::size_t document, const std::string& pointer);
    std::string display_pointer(std::size_t document, const std::string& pointer) const;
    std::shared_ptr<const Regex> regex(const std::string& pattern, const std::string& where);
    const CompileOptions& options() const { return options_; }

    // How deep schema documents may nest before they are rejected.
    static constexpr std::size_t kMaxSchemaDepth = 256;

  private:
    struct Location {
        std::string base;
        Dialect dialect;
        Resource* resource = nullptr;
    };
    struct PendingRef {
        const Node** slot;
        Node* owner;
        std::string uri;
        std::string where;
        Dialect dialect;
    };
    struct AnchorPlace {
        Resource* resource;
        std::string name;
        Place place;
    };

    std::size_t load_document(const json& value, const std::string& uri, const Dialect& dialect,
                              const std::string& where);
    void scan(std::size_t document, const json& value, const std::string& pointer, std::string base,
              Dialect dialect, Resource* resource);
    void scan_children(std::size_t document, const json& value, const std::string& pointer,
                       const std::string& base, const Dialect& dialect, Resource* resource);
    const Location& location_of(std::size_t document, const std::string& pointer);
    Dialect dialect_of(const json& schema, const Dialect& inherited, std::size_t hops = 0);
    std::optional<Place> find_resource(const std::string& uri, const Dialect& dialect,
                                       const std::string& where);
    const Node* resolve(const PendingRef& ref);
    void build(Node& node, std::size_t document, const std::string& pointer,
               const Location& location);
    void link();

    static std::string key(std::size_t document, const std::string& pointer) {
        return std::to_string(document) + " " + pointer;
    }

    const CompileOptions& options_;
    CompiledSchema& out_;
    std::vector<std::string> document_uris_;
    std::unordered_map<std::string, Place> resources_;
    std::unordered_map<std::string, Place> anchors_;
    std::unordered_map<std::string, Location> locations_;
    std::unordered_map<std::string, Node*> nodes_;
    std::unordered_map<std::string, std::shared_ptr<const Regex>> regexes_;
    std::vector<PendingRef> pending_;
    std::vector<AnchorPlace> dynamic_anchors_;
    std::vector<std::pair<Resource*, Place>> recursive_anchors_;
    std::size_t build_depth_ = 0;
};

}  // namespace tshost::jsonschema::detail
