// Object keywords: properties / patternProperties / additionalProperties, required and the
// dependency keywords, size, propertyNames, and unevaluatedProperties.
#include <string>
#include <unordered_set>
#include <vector>

#include "jsonschema/compiler.hpp"
#include "jsonschema/messages.hpp"

namespace tshost::jsonschema::detail {
namespace {

std::string unknown_key_message(const std::string& key, const std::vector<std::string>& declared) {
    constexpr std::size_t kMaxListed = 10;
    std::string message = "unknown key " + quote_key(key);
    std::string suggestion = did_you_mean(key, declared);
    if (!suggestion.empty()) {
        return message + suggestion;
    }
    if (declared.empty()) {
        return message + " (no other keys are allowed here)";
    }
    if (declared.size() <= kMaxListed) {
        std::vector<std::string> quoted;
        for (const std::string& name : declared) {
            quoted.push_back(quote_key(name));
        }
        return message + " (allowed keys: " + join_alternatives(quoted, ", ") + ")";
    }
    return message;
}

// properties, patternProperties and additionalProperties in one pass over the instance,
// since additionalProperties depends on what the other two matched.
class PropertiesKeyword final : public Keyword {
  public:
    struct Pattern {
        std::shared_ptr<const Regex> regex;
        const Node* schema;
    };
    struct Spec {
        std::unordered_map<std::string, const Node*> named;
        std::vector<Pattern> patterns;
        const Node* additional = nullptr;
        // Set when unmatched keys are errors: additionalProperties false, or OpenAPI's pruning.
        std::string reject_pointer;
        std::vector<std::string> declared;
    };

    PropertiesKeyword(std::string pointer, Spec spec)
        : Keyword(std::move(pointer)), spec_(std::move(spec)) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated* evaluated) const override {
        bool valid = true;
        std::size_t position = 0;
        for (auto it = instance.begin(); it != instance.end(); ++it, ++position) {
            const std::string& key = it.key();
            Evaluator::Step step(ev, key);
            // Applies one subschema to the value; false once there is no point going on.
            auto apply = [&](const Node& schema) {
                valid = ev.validate(schema, it.value(), nullptr) && valid;
                return valid || !ev.should_stop();
            };
            bool matched = false;
            if (auto found = spec_.named.find(key); found != spec_.named.end()) {
                matched = true;
                if (!apply(*found->second)) {
                    return false;
                }
            }
            for (const Pattern& pattern : spec_.patterns) {
                if (pattern.regex->search(key)) {
                    matched = true;
                    if (!apply(*pattern.schema)) {
                        return false;
                    }
                }
            }
            if (!matched && !spec_.reject_pointer.empty()) {
                valid = ev.fail_at(spec_.reject_pointer,
                                   [&] { return unknown_key_message(key, spec_.declared); });
                if (ev.should_stop()) {
                    return false;
                }
            } else if (!matched && spec_.additional != nullptr) {
                matched = true;
                if (!apply(*spec_.additional)) {
                    return false;
                }
            }
            if (matched && evaluated != nullptr) {
                evaluated->mark(position);
            }
        }
        return valid;
    }

  private:
    Spec spec_;
};

// Reports each of `names` missing from `object`, with the message `missing(name)` gives.
template <class Message>
bool require_keys(Evaluator& ev, const Keyword& keyword, const json& object,
                  const std::vector<std::string>& names, Message&& missing) {
    bool valid = true;
    for (const std::string& name : names) {
        if (!object.contains(name)) {
            valid = ev.fail(keyword, [&] { return missing(name); });
            if (ev.should_stop()) {
                return false;
            }
        }
    }
    return valid;
}

class RequiredKeyword final : public Keyword {
  public:
    RequiredKeyword(std::string pointer, std::vector<std::string> names)
        : Keyword(std::move(pointer)), names_(std::move(names)) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated*) const override {
        return require_keys(ev, *this, instance, names_, [](const std::string& name) {
            return "missing required key " + quote_key(name);
        });
    }

  private:
    std::vector<std::string> names_;
};

// dependentRequired, and the array form of draft 4-7 "dependencies".
class DependentRequiredKeyword final : public Keyword {
  public:
    using Dependencies = std::vector<std::pair<std::string, std::vector<std::string>>>;
    DependentRequiredKeyword(std::string pointer, Dependencies dependencies)
        : Keyword(std::move(pointer)), dependencies_(std::move(dependencies)) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated*) const override {
        bool valid = true;
        for (const auto& [trigger, required] : dependencies_) {
            if (!instance.contains(trigger)) {
                continue;
            }
            valid = require_keys(ev, *this, instance, required,
                                 [&](const std::string& name) {
                                     return "missing key " + quote_key(name) +
                                            ", which is required when " + quote_key(trigger) +
                                            " is set";
                                 }) &&
                    valid;
            if (!valid && ev.should_stop()) {
                return false;
            }
        }
        return valid;
    }

  private:
    Dependencies dependencies_;
};

// dependentSchemas, and the schema form of draft 4-7 "dependencies".
class DependentSchemasKeyword final : public Keyword {
  public:
    using Dependencies = std::vector<std::pair<std::string, const Node*>>;
    DependentSchemasKeyword(std::string pointer, Dependencies dependencies)
        : Keyword(std::move(pointer)), dependencies_(std::move(dependencies)) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated* evaluated) const override {
        bool valid = true;
        for (const auto& [trigger, schema] : dependencies_) {
            if (instance.contains(trigger)) {
                valid = ev.validate(*schema, instance, evaluated) && valid;
                if (!valid && ev.should_stop()) {
                    return false;
                }
            }
        }
        return valid;
    }

  private:
    Dependencies dependencies_;
};

class PropertyNamesKeyword final : public Keyword {
  public:
    PropertyNamesKeyword(std::string pointer, const Node* schema)
        : Keyword(std::move(pointer)), schema_(schema) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated*) const override {
        bool valid = true;
        for (auto it = instance.begin(); it != instance.end(); ++it) {
            const json name(it.key());
            if (ev.check(*schema_, name, nullptr)) {
                continue;
            }
            valid = false;
            if (!ev.collecting()) {
                return false;
            }
            Evaluator::Step step(ev, it.key());
            constexpr std::size_t kMaxPerKey = 5;
            for (ErrorRecord& record : ev.errors_of(*schema_, name, kMaxPerKey)) {
                record.error.message =
                    "invalid key name " + quote_key(it.key()) + ": " + record.error.message;
                ev.add(std::move(record));
            }
            if (ev.should_stop()) {
                return false;
            }
        }
        return valid;
    }

  private:
    const Node* schema_;
};

class UnevaluatedPropertiesKeyword final : public Keyword {
  public:
    UnevaluatedPropertiesKeyword(std::string pointer, const Node* schema)
        : Keyword(std::move(pointer)), schema_(schema) {}

    // Suggestions come from every "properties" that applies to the same instance.
    void finalize(const Node& owner) override {
        std::unordered_set<const Node*> seen{&owner};
        std::vector<const Node*> pending{&owner};
        std::unordered_set<std::string> names;
        while (!pending.empty()) {
            const Node* node = pending.back();
            pending.pop_back();
            for (const std::string& name : node->declared_properties) {
                if (names.insert(name).second) {
                    declared_.push_back(name);
                }
            }
            for (const Node* next : node->in_place) {
                if (next != nullptr && seen.insert(next).second) {
                    pending.push_back(next);
                }
            }
        }
    }

    bool validate(Evaluator& ev, const json& instance, Evaluated* evaluated) const override {
        bool valid = true;
        std::size_t position = 0;
        for (auto it = instance.begin(); it != instance.end(); ++it, ++position) {
            if (evaluated->contains(position)) {
                continue;
            }
            Evaluator::Step step(ev, it.key());
            if (schema_->reject_all) {
                valid = ev.fail(*this, [&] { return unknown_key_message(it.key(), declared_); });
            } else {
                valid = ev.validate(*schema_, it.value(), nullptr) && valid;
            }
            if (!valid && ev.should_stop()) {
                return false;
            }
        }
        if (valid) {
            evaluated->mark_all();
        }
        return valid;
    }

  private:
    const Node* schema_;
    std::vector<std::string> declared_;
};

const json& object_value(NodeBuilder& b, std::string_view keyword) {
    const json* value = b.find(keyword);
    if (!value->is_object()) {
        b.must_be(keyword, "an object");
    }
    return *value;
}

void compile_properties(NodeBuilder& b) {
    PropertiesKeyword::Spec spec;
    std::string_view anchor_keyword;
    if (b.has("properties")) {
        anchor_keyword = "properties";
        const json& properties = object_value(b, "properties");
        for (auto it = properties.begin(); it != properties.end(); ++it) {
            spec.named.emplace(it.key(), b.subschema("properties", it.key()));
            spec.declared.push_back(it.key());
        }
        b.node().declared_properties = spec.declared;
    }
    if (b.has("patternProperties")) {
        anchor_keyword = anchor_keyword.empty() ? "patternProperties" : anchor_keyword;
        const json& patterns = object_value(b, "patternProperties");
        for (auto it = patterns.begin(); it != patterns.end(); ++it) {
            spec.patterns.push_back({b.regex(it.key(), b.pointer_of("patternProperties", it.key())),
                                     b.subschema("patternProperties", it.key())});
        }
    }
    if (b.has("additionalProperties")) {
        anchor_keyword = anchor_keyword.empty() ? "additionalProperties" : anchor_keyword;
        spec.additional = b.subschema("additionalProperties");
        if (spec.additional->reject_all) {
            spec.reject_pointer = spec.additional->pointer;
        }
    } else if (b.dialect().openapi && b.has("properties")) {
        // The API server drops undeclared fields unless told to keep them: flag them instead.
        const json* preserve = b.find("x-kubernetes-preserve-unknown-fields");
        if (preserve == nullptr || !preserve->is_boolean() || !preserve->get<bool>()) {
            spec.reject_pointer = b.pointer_of("properties");
        }
    }
    if (!anchor_keyword.empty()) {
        b.add(std::make_unique<PropertiesKeyword>(b.pointer_of(anchor_keyword), std::move(spec)),
              mask_of(Kind::Object));
    }
}

void compile_dependencies(NodeBuilder& b) {
    DependentRequiredKeyword::Dependencies required;
    DependentSchemasKeyword::Dependencies schemas;
    std::string_view required_keyword = "dependencies";
    std::string_view schemas_keyword = "dependencies";
    if (!b.dialect().since(Draft::Draft2019_09) && b.has("dependencies")) {
        const json& dependencies = object_value(b, "dependencies");
        for (auto it = dependencies.begin(); it != dependencies.end(); ++it) {
            if (it->is_array()) {
                required.emplace_back(it.key(), b.string_array("dependencies", *it));
            } else {
                schemas.emplace_back(it.key(), b.subschema("dependencies", it.key()));
            }
        }
    }
    if (b.dialect().since(Draft::Draft2019_09) && b.has("dependentRequired") &&
        b.dialect().has(kValidation)) {
        required_keyword = "dependentRequired";
        const json& dependencies = object_value(b, required_keyword);
        for (auto it = dependencies.begin(); it != dependencies.end(); ++it) {
            required.emplace_back(it.key(), b.string_array(required_keyword, *it));
        }
    }
    if (b.dialect().since(Draft::Draft2019_09) && b.has("dependentSchemas") &&
        b.dialect().has(kApplicator)) {
        schemas_keyword = "dependentSchemas";
        const json& dependencies = object_value(b, schemas_keyword);
        for (auto it = dependencies.begin(); it != dependencies.end(); ++it) {
            schemas.emplace_back(it.key(), b.subschema(schemas_keyword, it.key()));
        }
    }
    if (!required.empty()) {
        b.add(std::make_unique<DependentRequiredKeyword>(b.pointer_of(required_keyword),
                                                         std::move(required)),
              mask_of(Kind::Object));
    }
    if (!schemas.empty()) {
        for (const auto& dependency : schemas) {
            b.add_in_place(dependency.second);
        }
        b.add(std::make_unique<DependentSchemasKeyword>(b.pointer_of(schemas_keyword),
                                                        std::move(schemas)),
              mask_of(Kind::Object));
    }
}

}  // namespace

void compile_objects(NodeBuilder& b) {
    // Checks on the object itself come before checks inside it, in errors and in time.
    if (b.dialect().has(kValidation)) {
        if (const json* required = b.find("required")) {
            b.add(std::make_unique<RequiredKeyword>(b.pointer_of("required"),
                                                    b.string_array("required", *required)),
                  mask_of(Kind::Object));
        }
        for (std::string_view keyword : {"minProperties", "maxProperties"}) {
            if (b.has(keyword)) {
                b.add(make_size_keyword(b.pointer_of(keyword), b.count(keyword),
                                        keyword == "maxProperties", "key"),
                      mask_of(Kind::Object));
            }
        }
    }
    compile_dependencies(b);
    if (b.dialect().has(kApplicator)) {
        if (b.has("propertyNames") && b.dialect().since(Draft::Draft6)) {
            b.add(std::make_unique<PropertyNamesKeyword>(b.pointer_of("propertyNames"),
                                                         b.subschema("propertyNames")),
                  mask_of(Kind::Object));
        }
        compile_properties(b);
    }
}

void compile_unevaluated_properties(NodeBuilder& b) {
    if (!b.begin_unevaluated("unevaluatedProperties")) {
        return;
    }
    b.add(std::make_unique<UnevaluatedPropertiesKeyword>(b.pointer_of("unevaluatedProperties"),
                                                         b.subschema("unevaluatedProperties")),
          mask_of(Kind::Object));
}

}  // namespace tshost::jsonschema::detail
