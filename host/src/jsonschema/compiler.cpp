#include "jsonschema/compiler.hpp"

#include <array>
#include <utility>

#include "jsonschema/messages.hpp"
#include "jsonschema/uri.hpp"

namespace tshost::jsonschema::detail {
namespace {

struct KnownDraft {
    std::string_view uri;
    Draft draft;
};

constexpr std::array<KnownDraft, 5> kKnownDrafts{{
    {"http://json-schema.org/draft-04/schema", Draft::Draft4},
    {"http://json-schema.org/draft-06/schema", Draft::Draft6},
    {"http://json-schema.org/draft-07/schema", Draft::Draft7},
    {"https://json-schema.org/draft/2019-09/schema", Draft::Draft2019_09},
    {"https://json-schema.org/draft/2020-12/schema", Draft::Draft2020_12},
}};

std::optional<Draft> known_draft(std::string_view uri) {
    // The scheme is often written either way; the rest identifies the draft.
    auto without_scheme = [](std::string_view u) {
        auto colon = u.find("://");
        return colon == std::string_view::npos ? u : u.substr(colon + 3);
    };
    for (const KnownDraft& known : kKnownDrafts) {
        if (without_scheme(known.uri) == without_scheme(uri)) {
            return known.draft;
        }
    }
    return std::nullopt;
}

// Where subschemas can appear, per draft: the places "$id" and anchors are looked for.
enum class Shape { Schema, SchemaArray, SchemaMap, SchemaOrArray, DependencyMap };

struct SubschemaKeyword {
    std::string_view name;
    Shape shape;
    Draft since;
    Draft until;
};

constexpr Draft kD4 = Draft::Draft4;
constexpr Draft kD6 = Draft::Draft6;
constexpr Draft kD7 = Draft::Draft7;
constexpr Draft kD2019 = Draft::Draft2019_09;
constexpr Draft kD2020 = Draft::Draft2020_12;

constexpr std::array<SubschemaKeyword, 23> kSubschemaKeywords{{
    {"additionalItems", Shape::Schema, kD4, kD2019},
    {"additionalProperties", Shape::Schema, kD4, kD2020},
    {"allOf", Shape::SchemaArray, kD4, kD2020},
    {"anyOf", Shape::SchemaArray, kD4, kD2020},
    {"oneOf", Shape::SchemaArray, kD4, kD2020},
    {"not", Shape::Schema, kD4, kD2020},
    {"items", Shape::SchemaOrArray, kD4, kD2019},
    {"items", Shape::Schema, kD2020, kD2020},
    {"prefixItems", Shape::SchemaArray, kD2020, kD2020},
    {"contains", Shape::Schema, kD6, kD2020},
    {"properties", Shape::SchemaMap, kD4, kD2020},
    {"patternProperties", Shape::SchemaMap, kD4, kD2020},
    {"dependencies", Shape::DependencyMap, kD4, kD7},
    {"dependentSchemas", Shape::SchemaMap, kD2019, kD2020},
    {"propertyNames", Shape::Schema, kD6, kD2020},
    {"if", Shape::Schema, kD7, kD2020},
    {"then", Shape::Schema, kD7, kD2020},
    {"else", Shape::Schema, kD7, kD2020},
    {"definitions", Shape::SchemaMap, kD4, kD2020},
    {"$defs", Shape::SchemaMap, kD2019, kD2020},
    {"unevaluatedItems", Shape::Schema, kD2019, kD2020},
    {"unevaluatedProperties", Shape::Schema, kD2019, kD2020},
    {"contentSchema", Shape::Schema, kD2019, kD2020},
}};

struct VocabularyUri {
    std::string_view suffix;
    std::uint32_t bits;
};

constexpr std::array<VocabularyUri, 4> kVocabularies{{
    {"/vocab/applicator", kApplicator},
    {"/vocab/unevaluated", kUnevaluated},
    {"/vocab/validation", kValidation},
    {"/vocab/format-assertion", kFormatAssertion},
}};

bool is_schema_value(const json& value) {
    return value.is_object() || value.is_boolean();
}

}  // namespace

// ---- NodeBuilder ----------------------------------------------------------------------------

NodeBuilder::NodeBuilder(Compiler& compiler, Node& node, std::size_t document,
                         const std::string& pointer, const Dialect& dialect)
    : compiler_(compiler), node_(node), document_(document), pointer_(pointer), dialect_(dialect) {}

bool NodeBuilder::format_assertion() const {
    return compiler_.options().format_assertion || dialect_.has(kFormatAssertion);
}

const json* NodeBuilder::find(std::string_view keyword) const {
    auto it = node_.schema->find(keyword);
    return it == node_.schema->end() ? nullptr : &*it;
}

std::string NodeBuilder::local_pointer(std::string_view keyword) const {
    return pointer_ + "/" + escape_pointer_token(keyword);
}

std::string NodeBuilder::local_pointer(std::string_view keyword, std::string_view member) const {
    return local_pointer(keyword) + "/" + escape_pointer_token(member);
}

bool NodeBuilder::begin_unevaluated(std::string_view keyword) {
    if (!has(keyword) || !dialect_.since(Draft::Draft2019_09) || !dialect_.has(kUnevaluated)) {
        return false;
    }
    node_.tracks_evaluated = true;
    return true;
}

std::string NodeBuilder::pointer_of(std::string_view keyword) const {
    return compiler_.display_pointer(document_, local_pointer(keyword));
}

std::string NodeBuilder::pointer_of(std::string_view keyword, std::string_view member) const {
    return compiler_.display_pointer(document_, local_pointer(keyword, member));
}

void NodeBuilder::invalid(std::string_view keyword, const std::string& message) const {
    throw SchemaError(pointer_of(keyword), message);
}

void NodeBuilder::must_be(std::string_view keyword, std::string_view what) const {
    invalid(keyword, "'" + std::string(keyword) + "' must be " + std::string(what));
}

const json& NodeBuilder::number(std::string_view keyword) const {
    const json* value = find(keyword);
    if (value == nullptr || !value->is_number()) {
        must_be(keyword, "a number");
    }
    return *value;
}

std::size_t NodeBuilder::count(std::string_view keyword) const {
    const json* value = find(keyword);
    if (value == nullptr || !value->is_number() || !is_integral(*value) ||
        compare_numbers(*value, json(0)) < 0) {
        must_be(keyword, "a non-negative integer");
    }
    if (value->is_number_unsigned()) {
        return static_cast<std::size_t>(value->get<std::uint64_t>());
    }
    if (value->is_number_integer()) {
        return static_cast<std::size_t>(value->get<std::int64_t>());
    }
    double d = value->get<double>();
    return d >= 1.8e19 ? static_cast<std::size_t>(-1) : static_cast<std::size_t>(d);
}

bool NodeBuilder::boolean(std::string_view keyword) const {
    const json* value = find(keyword);
    if (value == nullptr || !value->is_boolean()) {
        must_be(keyword, "true or false");
    }
    return value->get<bool>();
}

const std::string& NodeBuilder::string(std::string_view keyword) const {
    const json* value = find(keyword);
    if (value == nullptr || !value->is_string()) {
        must_be(keyword, "a string");
    }
    return value->get_ref<const std::string&>();
}

std::vector<std::string> NodeBuilder::string_array(std::string_view keyword,
                                                   const json& value) const {
    std::vector<std::string> out;
    bool ok = value.is_array();
    for (std::size_t i = 0; ok && i < value.size(); ++i) {
        ok = value[i].is_string();
        if (ok) {
            out.push_back(value[i].get<std::string>());
        }
    }
    if (!ok) {
        must_be(keyword, "an array of strings");
    }
    return out;
}

const Node* NodeBuilder::subschema(std::string_view keyword) {
    return compiler_.node_at(document_, local_pointer(keyword), find(keyword));
}

const Node* NodeBuilder::subschema(std::string_view keyword, std::size_t index) {
    const json* array = find(keyword);
    const json* value =
        array != nullptr && array->is_array() && index < array->size() ? &(*array)[index] : nullptr;
    return compiler_.node_at(document_, local_pointer(keyword, std::to_string(index)), value);
}

const Node* NodeBuilder::subschema(std::string_view keyword, const std::string& member) {
    const json* object = find(keyword);
    const json* value = nullptr;
    if (object != nullptr && object->is_object()) {
        auto it = object->find(member);
        value = it == object->end() ? nullptr : &*it;
    }
    return compiler_.node_at(document_, local_pointer(keyword, member), value);
}

std::vector<const Node*> NodeBuilder::subschemas(std::string_view keyword) {
    const json* value = find(keyword);
    if (value == nullptr || !value->is_array()) {
        must_be(keyword, "an array of schemas");
    }
    std::vector<const Node*> nodes;
    for (std::size_t i = 0; i < value->size(); ++i) {
        nodes.push_back(subschema(keyword, i));
    }
    return nodes;
}

void NodeBuilder::resolve_later(const Node** slot, std::string_view keyword,
                                const std::string& reference) {
    const std::string& base = compiler_.base_of(document_, pointer_);
    compiler_.resolve_later(slot, &node_, resolve_uri(base, reference), pointer_of(keyword),
                            dialect_);
}

std::shared_ptr<const Regex> NodeBuilder::regex(const std::string& pattern,
                                                const std::string& where) const {
    return compiler_.regex(pattern, where);
}

void NodeBuilder::add(std::unique_ptr<Keyword> keyword, KindMask kinds) {
    for (std::size_t kind = 0; kind < kKindCount; ++kind) {
        if ((kinds & (1u << kind)) != 0) {
            node_.by_kind[kind].push_back(keyword.get());
        }
    }
    node_.keywords.push_back(std::move(keyword));
}

// ---- Compiler -------------------------------------------------------------------------------

Compiler::Compiler(const CompileOptions& options, CompiledSchema& out)
    : options_(options), out_(out) {}

const Node* Compiler::compile(const json& root) {
    Dialect dialect;
    dialect.draft = options_.openapi_v3 ? Draft::Draft4 : options_.default_draft;
    dialect.openapi = options_.openapi_v3;
    if (options_.format_assertion) {
        dialect.vocabularies |= kFormatAssertion;
    }
    load_document(root, options_.base_uri, dialect, "");
    const Node* node = node_at(0, "");
    link();
    return node;
}

std::size_t Compiler::load_document(const json& value, const std::string& uri,
                                    const Dialect& dialect, const std::string& where) {
    // Checked before copying: copying and walking are recursive.
    if (deeper_than(value, kMaxSchemaDepth)) {
        throw SchemaError(where, "the schema" + (uri.empty() ? "" : " '" + uri + "'") +
                                     " nests deeper than " + std::to_string(kMaxSchemaDepth) +
                                     " levels");
    }
    const std::size_t document = out_.documents.size();
    out_.documents.push_back(value);
    document_uris_.push_back(uri);
    Resource& resource = out_.resources.emplace_back();
    resource.uri = uri;
    resources_.try_emplace(uri, Place{document, ""});
    scan(document, out_.documents[document], "", uri, dialect, &resource);
    return document;
}

void Compiler::scan(std::size_t document, const json& value, const std::string& pointer,
                    std::string base, Dialect dialect, Resource* resource) {
    if (value.is_object()) {
        auto ref = value.find("$ref");
        bool ref_replaces_siblings = !dialect.since(Draft::Draft2019_09) && ref != value.end();
        auto id_of = [&](const Dialect& d) {
            auto it = value.find(d.draft == Draft::Draft4 ? "id" : "$id");
            return it != value.end() && it->is_string() && !ref_replaces_siblings
                       ? &it->get_ref<const std::string&>()
                       : nullptr;
        };
        if (pointer.empty() || value.contains("$id") || value.contains("id")) {
            dialect = dialect_of(value, dialect);
        }
        const std::string* id = id_of(dialect);
        bool resource_root = pointer.empty();
        if (id != nullptr && !dialect.since(Draft::Draft2019_09) && id->starts_with('#')) {
            // Drafts up to 7 name plain-name fragments with "$id": "#name".
            anchors_.try_emplace(base + *id, Place{document, pointer});
        } else if (id != nullptr) {
            auto [uri, fragment] = split_fragment(resolve_uri(base, *id));
            if (!pointer.empty()) {
                resource = &out_.resources.emplace_back();
            }
            resource->uri = uri;
            resource_root = true;
            base = uri;
            resources_.try_emplace(uri, Place{document, pointer});
            if (!fragment.empty()) {
                anchors_.try_emplace(uri + "#" + fragment, Place{document, pointer});
            }
        }
        if (dialect.since(Draft::Draft2019_09)) {
            if (auto anchor = value.find("$anchor"); anchor != value.end() && anchor->is_string()) {
                anchors_.try_emplace(base + "#" + anchor->get<std::string>(),
                                     Place{document, pointer});
            }
            auto dynamic = value.find("$dynamicAnchor");
            if (dialect.since(Draft::Draft2020_12) && dynamic != value.end() &&
                dynamic->is_string()) {
                anchors_.try_emplace(base + "#" + dynamic->get<std::string>(),
                                     Place{document, pointer});
                dynamic_anchors_.push_back(
                    {resource, dynamic->get<std::string>(), Place{document, pointer}});
            }
            auto recursive = value.find("$recursiveAnchor");
            if (dialect.draft == Draft::Draft2019_09 && resource_root && recursive != value.end() &&
                recursive->is_boolean() && recursive->get<bool>()) {
                resource->recursive_anchor = true;
                recursive_anchors_.emplace_back(resource, Place{document, pointer});
            }
        }
    }
    locations_.try_emplace(key(document, pointer), Location{base, dialect, resource});
    if (value.is_object()) {
        scan_children(document, value, pointer, base, dialect, resource);
    }
}

void Compiler::scan_children(std::size_t document, const json& value, const std::string& pointer,
                             const std::string& base, const Dialect& dialect, Resource* resource) {
    auto visit = [&](const json& child, const std::string& child_pointer) {
        if (is_schema_value(child)) {
            scan(document, child, child_pointer, base, dialect, resource);
        }
    };
    for (const SubschemaKeyword& keyword : kSubschemaKeywords) {
        if (dialect.draft < keyword.since || dialect.draft > keyword.until) {
            continue;
        }
        auto it = value.find(keyword.name);
        if (it == value.end()) {
            continue;
        }
        const std::string at = pointer + "/" + escape_pointer_token(keyword.name);
        const bool array = it->is_array();
        if (keyword.shape == Shape::Schema || (keyword.shape == Shape::SchemaOrArray && !array)) {
            visit(*it, at);
        } else if (keyword.shape == Shape::SchemaArray || keyword.shape == Shape::SchemaOrArray) {
            for (std::size_t i = 0; array && i < it->size(); ++i) {
                visit((*it)[i], at + "/" + std::to_string(i));
            }
        } else if (it->is_object()) {
            for (auto member = it->begin(); member != it->end(); ++member) {
                visit(member.value(), at + "/" + escape_pointer_token(member.key()));
            }
        }
    }
}

Dialect Compiler::dialect_of(const json& schema, const Dialect& inherited, std::size_t hops) {
    auto declared = schema.find("$schema");
    if (inherited.openapi || declared == schema.end() || !declared->is_string()) {
        return inherited;
    }
    const std::string uri = split_fragment(declared->get<std::string>()).first;
    const std::uint32_t assertion = inherited.vocabularies & kFormatAssertion;
    if (auto draft = known_draft(uri)) {
        return Dialect{*draft, false, kAllVocabularies | assertion};
    }
    // A custom metaschema: its own "$schema" gives the draft, its "$vocabulary" the keywords.
    constexpr std::size_t kMaxMetaschemaChain = 8;
    std::optional<Place> place;
    if (hops < kMaxMetaschemaChain) {
        place = find_resource(uri, inherited, "");
    }
    const json* meta =
        place ? resolve_pointer(out_.documents[place->document], place->pointer) : nullptr;
    if (meta == nullptr || !meta->is_object()) {
        return inherited;
    }
    Dialect dialect = dialect_of(*meta, inherited, hops + 1);
    auto vocabulary = meta->find("$vocabulary");
    if (dialect.since(Draft::Draft2019_09) && vocabulary != meta->end() &&
        vocabulary->is_object()) {
        dialect.vocabularies = assertion;
        for (auto it = vocabulary->begin(); it != vocabulary->end(); ++it) {
            for (const VocabularyUri& known : kVocabularies) {
                if (it.key().ends_with(known.suffix)) {
                    dialect.vocabularies |= known.bits;
                }
            }
            // 2019-09 has no separate vocabulary for unevaluated*.
            if (dialect.draft == Draft::Draft2019_09 && it.key().ends_with("/vocab/applicator")) {
                dialect.vocabularies |= kUnevaluated;
            }
        }
    }
    return dialect;
}

std::optional<Place> Compiler::find_resource(const std::string& uri, const Dialect& dialect,
                                             const std::string& where) {
    if (auto it = resources_.find(uri); it != resources_.end()) {
        return it->second;
    }
    if (const json* builtin = builtin_document(uri)) {
        Dialect own = dialect;
        own.openapi = false;
        return Place{load_document(*builtin, uri, own, where), ""};
    }
    if (options_.resolver && !uri.empty()) {
        std::optional<json> fetched;
        try {
            fetched = options_.resolver(uri);
        } catch (const std::exception& e) {
            throw SchemaError(where, "fetching '" + uri + "' failed: " + e.what());
        }
        if (fetched) {
            return Place{load_document(*fetched, uri, dialect, where), ""};
        }
    }
    return std::nullopt;
}

const Compiler::Location& Compiler::location_of(std::size_t document, const std::string& pointer) {
    if (auto it = locations_.find(key(document, pointer)); it != locations_.end()) {
        return it->second;
    }
    // Only a JSON-pointer "$ref" into a place that is not a known subschema (an unknown
    // keyword, say) gets here: take base URI and dialect from the nearest known ancestor.
    std::string ancestor = pointer;
    auto known = locations_.end();
    while (known == locations_.end()) {
        auto slash = ancestor.rfind('/');
        ancestor.resize(slash == std::string::npos ? 0 : slash);
        known = locations_.find(key(document, ancestor));
    }
    const Location parent = known->second;
    scan(document, *resolve_pointer(out_.documents[document], pointer), pointer, parent.base,
         parent.dialect, parent.resource);
    return locations_.at(key(document, pointer));
}

const std::string& Compiler::base_of(std::size_t document, const std::string& pointer) {
    return location_of(document, pointer).base;
}

std::string Compiler::display_pointer(std::size_t document, const std::string& pointer) const {
    return document == 0 ? pointer : document_uris_[document] + "#" + pointer;
}

const Node* Compiler::node_at(std::size_t document, const std::string& pointer, const json* value) {
    const std::string node_key = key(document, pointer);
    if (auto it = nodes_.find(node_key); it != nodes_.end()) {
        return it->second;
    }
    const std::string shown = display_pointer(document, pointer);
    if (value == nullptr) {
        value = resolve_pointer(out_.documents[document], pointer);
    }
    if (value == nullptr) {
        throw SchemaError(shown, "no schema at this location");
    }
    if (!is_schema_value(*value)) {
        throw SchemaError(
            shown, "a schema must be an object or a boolean, got " + typed_value_text(*value));
    }
    if (build_depth_ >= kMaxSchemaDepth) {
        throw SchemaError(
            shown, "subschemas nest deeper than " + std::to_string(kMaxSchemaDepth) + " levels");
    }
    const Location& location = location_of(document, pointer);
    Node& node = out_.nodes.emplace_back();
    node.pointer = shown;
    node.schema = value;
    node.resource = location.resource;
    nodes_.emplace(node_key, &node);
    struct Nesting {
        std::size_t& depth;
        explicit Nesting(std::size_t& d) : depth(++d) {}
        ~Nesting() { --depth; }
        Nesting(const Nesting&) = delete;
        Nesting& operator=(const Nesting&) = delete;
    } nesting(build_depth_);
    build(node, document, pointer, location);
    return &node;
}

void Compiler::build(Node& node, std::size_t document, const std::string& pointer,
                     const Location& location) {
    if (node.schema->is_boolean()) {
        node.reject_all = !node.schema->get<bool>();
        return;
    }
    NodeBuilder builder(*this, node, document, pointer, location.dialect);
    if (!location.dialect.since(Draft::Draft2019_09) && builder.has("$ref")) {
        // Before 2019-09 a "$ref" replaces the whole schema object it appears in.
        compile_references(builder);
        return;
    }
    compile_type_and_values(builder);
    compile_numbers(builder);
    compile_strings(builder);
    compile_arrays(builder);
    compile_objects(builder);
    compile_references(builder);
    compile_combinators(builder);
    // Last: they depend on what every other keyword of this schema evaluated.
    compile_unevaluated_items(builder);
    compile_unevaluated_properties(builder);
}

void Compiler::resolve_later(const Node** slot, Node* owner, std::string uri, std::string where,
                             const Dialect& dialect) {
    pending_.push_back({slot, owner, std::move(uri), std::move(where), dialect});
}

const Node* Compiler::resolve(const PendingRef& ref) {
    auto [uri, fragment] = split_fragment(ref.uri);
    auto fail = [&](const std::string& why) -> SchemaError {
        return SchemaError(ref.where, "cannot resolve '" + ref.uri + "': " + why);
    };
    std::optional<Place> place = find_resource(uri, ref.dialect, ref.where);
    if (!place) {
        throw fail(uri.empty() ? "the schema has no such location"
                   : options_.resolver
                       ? "no schema is known at '" + uri + "'"
                       : "no schema is known at '" + uri + "' (remote references need a resolver)");
    }
    const std::string name = percent_decode(fragment);
    if (!name.empty() && name.front() != '/') {
        auto anchor = anchors_.find(uri + "#" + name);
        if (anchor == anchors_.end()) {
            throw fail("no anchor named '" + name + "'");
        }
        return node_at(anchor->second.document, anchor->second.pointer);
    }
    const std::string pointer = place->pointer + name;
    if (resolve_pointer(out_.documents[place->document], pointer) == nullptr) {
        throw fail("nothing at '#" + name + "'");
    }
    return node_at(place->document, pointer);
}

void Compiler::link() {
    bool changed = true;
    while (changed) {
        while (!pending_.empty()) {
            PendingRef ref = std::move(pending_.back());
            pending_.pop_back();
            const Node* target = resolve(ref);
            *ref.slot = target;
            ref.owner->in_place.push_back(target);
        }
        // The dynamic scope may jump to any dynamic or recursive anchor: compile them all.
        // Compiling one can load documents that add anchors, hence indices, not iterators.
        changed = false;
        for (std::size_t i = 0; i < dynamic_anchors_.size(); ++i) {
            const AnchorPlace anchor = dynamic_anchors_[i];
            if (!anchor.resource->dynamic_anchors.contains(anchor.name)) {
                const Node* node = node_at(anchor.place.document, anchor.place.pointer);
                anchor.resource->dynamic_anchors.emplace(anchor.name, node);
                changed = true;
            }
        }
        for (std::size_t i = 0; i < recursive_anchors_.size(); ++i) {
            auto [resource, place] = recursive_anchors_[i];
            if (resource->root == nullptr) {
                resource->root = node_at(place.document, place.pointer);
                changed = true;
            }
        }
    }
    for (Node& node : out_.nodes) {
        for (auto& keyword : node.keywords) {
            keyword->finalize(node);
        }
    }
}

std::shared_ptr<const Regex> Compiler::regex(const std::string& pattern, const std::string& where) {
    auto& cached = regexes_[pattern];
    if (!cached) {
        try {
            cached = std::make_shared<const Regex>(pattern);
        } catch (const std::regex_error& e) {
            regexes_.erase(pattern);
            throw SchemaError(where, "invalid regular expression '" + pattern + "': " + e.what());
        }
    }
    return cached;
}

}  // namespace tshost::jsonschema::detail
