// Keywords that apply subschemas to the instance itself: $ref and its dynamic forms, allOf,
// anyOf, oneOf, not and if/then/else; and the choice of what to report when no alternative
// of an anyOf/oneOf matches.
#include <algorithm>
#include <optional>

#include "jsonschema/compiler.hpp"
#include "jsonschema/messages.hpp"
#include "jsonschema/uri.hpp"

namespace tshost::jsonschema::detail {
namespace {

enum class RefMode { Static, Dynamic, Recursive };

class RefKeyword final : public Keyword {
  public:
    RefKeyword(std::string pointer, RefMode mode, std::string anchor)
        : Keyword(std::move(pointer)), mode_(mode), anchor_(std::move(anchor)) {}

    const Node** slot() { return &target_; }

    void finalize(const Node&) override {
        // $dynamicRef is dynamic only if its static target is a matching $dynamicAnchor, and
        // $recursiveRef only if its target resource has "$recursiveAnchor": true.
        if (mode_ == RefMode::Dynamic) {
            const json& schema = *target_->schema;
            auto declared = schema.is_object() ? schema.find("$dynamicAnchor") : schema.end();
            dynamic_ = !anchor_.empty() && schema.is_object() && declared != schema.end() &&
                       *declared == anchor_;
        } else if (mode_ == RefMode::Recursive) {
            dynamic_ = target_->resource != nullptr && target_->resource->recursive_anchor &&
                       target_->resource->root == target_;
        }
    }

    bool validate(Evaluator& ev, const json& instance, Evaluated* evaluated) const override {
        return ev.validate(*target(ev), instance, evaluated);
    }

  private:
    const Node* target(const Evaluator& ev) const {
        if (!dynamic_) {
            return target_;
        }
        const auto& scope = ev.dynamic_scope();
        if (mode_ == RefMode::Dynamic) {
            // The outermost resource of the dynamic scope that declares the anchor wins.
            for (const Resource* resource : scope) {
                if (auto it = resource->dynamic_anchors.find(anchor_);
                    it != resource->dynamic_anchors.end()) {
                    return it->second;
                }
            }
            return target_;
        }
        // $recursiveRef: walk outwards while resources keep declaring $recursiveAnchor.
        const Node* target = target_;
        for (auto it = scope.rbegin(); it != scope.rend() && (*it)->recursive_anchor; ++it) {
            target = (*it)->root;
        }
        return target;
    }

    RefMode mode_;
    std::string anchor_;
    const Node* target_ = nullptr;
    bool dynamic_ = false;
};

void add_reference(NodeBuilder& b, std::string_view keyword, RefMode mode) {
    const std::string& reference = b.string(keyword);
    std::string anchor;
    if (mode == RefMode::Dynamic) {
        std::string fragment = percent_decode(split_fragment(reference).second);
        anchor = !fragment.empty() && fragment.front() != '/' ? fragment : "";
    }
    auto ref = std::make_unique<RefKeyword>(b.pointer_of(keyword), mode, std::move(anchor));
    b.resolve_later(ref->slot(), keyword, reference);
    b.add(std::move(ref), kAnyKind);
}

// ---- choosing what to report for anyOf / oneOf ----

// A const/enum failure that rules an alternative out as a whole: on the instance itself, or a
// single-valued one on a direct key (a discriminator such as "kind" or "platform").
bool rules_out(const ErrorRecord& record, std::size_t depth) {
    return record.kind == ErrorKind::Value &&
           (record.depth == depth || (record.depth == depth + 1 && record.allowed.size() == 1));
}

struct Alternative {
    std::vector<ErrorRecord> errors;
    // 2: the instance has the wrong type for it; 1: a const/enum on the instance or one of its
    // keys rejects it (a discriminator such as "kind"); 0: it is the right shape but wrong.
    int mismatch = 0;
};

void add_merged_type_error(Evaluator& ev, const Keyword& keyword,
                           const std::vector<Alternative>& alternatives, const json& instance) {
    std::vector<std::string> expected;
    for (const Alternative& alternative : alternatives) {
        for (const ErrorRecord& record : alternative.errors) {
            if (record.kind == ErrorKind::Type && record.depth == ev.depth()) {
                for (const std::string& name : record.expected) {
                    if (std::find(expected.begin(), expected.end(), name) == expected.end()) {
                        expected.push_back(name);
                    }
                }
            }
        }
    }
    ev.add(keyword.pointer(),
           "expected " + join_alternatives(expected) + ", got " + typed_value_text(instance),
           ErrorKind::Type)
        .expected = std::move(expected);
}

// When every alternative is ruled out by a const/enum on the same value, one message listing
// all accepted values says more than any single alternative's errors.
bool add_merged_value_error(Evaluator& ev, const Keyword& keyword,
                            const std::vector<const Alternative*>& alternatives) {
    const ErrorRecord* first = nullptr;
    std::vector<const json*> allowed;
    for (const Alternative* alternative : alternatives) {
        bool found = false;
        for (const ErrorRecord& record : alternative->errors) {
            if (!rules_out(record, ev.depth())) {
                continue;
            }
            if (first != nullptr &&
                record.error.instance_pointer != first->error.instance_pointer) {
                return false;
            }
            first = first != nullptr ? first : &record;
            found = true;
            for (const json* value : record.allowed) {
                if (std::none_of(allowed.begin(), allowed.end(),
                                 [&](const json* seen) { return json_equal(*seen, *value); })) {
                    allowed.push_back(value);
                }
            }
        }
        if (!found) {
            return false;
        }
    }
    ErrorRecord merged = *first;
    merged.error.schema_pointer = keyword.pointer();
    merged.error.message = must_be_one_of(allowed, *first->value);
    merged.allowed = std::move(allowed);
    ev.add(std::move(merged));
    return true;
}

void report_no_alternative(Evaluator& ev, const Keyword& keyword,
                           const std::vector<const Node*>& branches, const json& instance) {
    constexpr std::size_t kErrorsPerAlternative = 20;
    std::vector<Alternative> alternatives;
    for (const Node* branch : branches) {
        Alternative& alternative = alternatives.emplace_back();
        alternative.errors = ev.errors_of(*branch, instance, kErrorsPerAlternative);
        for (const ErrorRecord& record : alternative.errors) {
            if (record.kind == ErrorKind::Type && record.depth == ev.depth()) {
                alternative.mismatch = 2;
            } else if (rules_out(record, ev.depth())) {
                alternative.mismatch = std::max(alternative.mismatch, 1);
            }
        }
    }
    auto closest = std::min_element(
        alternatives.begin(), alternatives.end(), [](const Alternative& a, const Alternative& b) {
            return a.mismatch != b.mismatch ? a.mismatch < b.mismatch
                                            : a.errors.size() < b.errors.size();
        });
    if (closest == alternatives.end() || closest->errors.empty()) {
        ev.fail(keyword, [] { return std::string("does not match any of the alternatives"); });
        return;
    }
    if (closest->mismatch == 2) {
        add_merged_type_error(ev, keyword, alternatives, instance);
        return;
    }
    if (closest->mismatch == 1) {
        std::vector<const Alternative*> tied;
        for (const Alternative& alternative : alternatives) {
            if (alternative.mismatch == 1) {
                tied.push_back(&alternative);
            }
        }
        if (add_merged_value_error(ev, keyword, tied)) {
            return;
        }
    }
    for (ErrorRecord& record : closest->errors) {
        ev.add(std::move(record));
    }
}

// ---- combinators ----

class AllOfKeyword final : public Keyword {
  public:
    AllOfKeyword(std::string pointer, std::vector<const Node*> branches)
        : Keyword(std::move(pointer)), branches_(std::move(branches)) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated* evaluated) const override {
        bool valid = true;
        for (const Node* branch : branches_) {
            valid = ev.validate(*branch, instance, evaluated) && valid;
            if (!valid && ev.should_stop()) {
                return false;
            }
        }
        return valid;
    }

  private:
    std::vector<const Node*> branches_;
};

class AnyOfKeyword final : public Keyword {
  public:
    AnyOfKeyword(std::string pointer, std::vector<const Node*> branches, bool exactly_one)
        : Keyword(std::move(pointer)), branches_(std::move(branches)), exactly_one_(exactly_one) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated* evaluated) const override {
        std::vector<std::size_t> matched;
        for (std::size_t i = 0; i < branches_.size(); ++i) {
            // Each alternative's annotations count only if it matches.
            std::optional<Evaluated> own;
            if (evaluated != nullptr) {
                own.emplace(instance);
            }
            if (!ev.check(*branches_[i], instance, own ? &*own : nullptr)) {
                continue;
            }
            matched.push_back(i);
            if (own) {
                evaluated->merge(*own);
            } else if (!exactly_one_) {
                return true;
            }
            if (exactly_one_ && matched.size() > 1 && evaluated == nullptr) {
                break;
            }
        }
        if (matched.empty()) {
            if (ev.collecting()) {
                report_no_alternative(ev, *this, branches_, instance);
            }
            return false;
        }
        if (exactly_one_ && matched.size() > 1) {
            return ev.fail(*this, [&] {
                return "matches more than one alternative (" + std::to_string(matched[0]) +
                       " and " + std::to_string(matched[1]) + " of " + pointer() +
                       "); it must match exactly one";
            });
        }
        return true;
    }

  private:
    std::vector<const Node*> branches_;
    bool exactly_one_;
};

class NotKeyword final : public Keyword {
  public:
    NotKeyword(std::string pointer, const Node* schema)
        : Keyword(std::move(pointer)), schema_(schema) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated*) const override {
        return !ev.check(*schema_, instance, nullptr) || ev.fail(*this, [&] {
            return "is not allowed: it matches the schema at " + schema_->pointer +
                   ", which it must not";
        });
    }

  private:
    const Node* schema_;
};

class IfThenElseKeyword final : public Keyword {
  public:
    IfThenElseKeyword(std::string pointer, const Node* condition, const Node* then_branch,
                      const Node* else_branch)
        : Keyword(std::move(pointer)),
          condition_(condition),
          then_(then_branch),
          else_(else_branch) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated* evaluated) const override {
        std::optional<Evaluated> own;
        if (evaluated != nullptr) {
            own.emplace(instance);
        }
        const bool holds = ev.check(*condition_, instance, own ? &*own : nullptr);
        if (holds && own) {
            evaluated->merge(*own);
        }
        const Node* branch = holds ? then_ : else_;
        return branch == nullptr || ev.validate(*branch, instance, evaluated);
    }

  private:
    const Node* condition_;
    const Node* then_;
    const Node* else_;
};

std::vector<const Node*> in_place_list(NodeBuilder& b, std::string_view keyword) {
    std::vector<const Node*> branches = b.subschemas(keyword);
    for (const Node* branch : branches) {
        b.add_in_place(branch);
    }
    return branches;
}

const Node* in_place_optional(NodeBuilder& b, std::string_view keyword) {
    if (!b.has(keyword)) {
        return nullptr;
    }
    const Node* node = b.subschema(keyword);
    b.add_in_place(node);
    return node;
}

}  // namespace

void compile_references(NodeBuilder& b) {
    if (b.has("$ref")) {
        add_reference(b, "$ref", RefMode::Static);
    }
    if (b.has("$dynamicRef") && b.dialect().since(Draft::Draft2020_12)) {
        add_reference(b, "$dynamicRef", RefMode::Dynamic);
    }
    if (b.has("$recursiveRef") && b.dialect().draft == Draft::Draft2019_09) {
        add_reference(b, "$recursiveRef", RefMode::Recursive);
    }
}

void compile_combinators(NodeBuilder& b) {
    if (!b.dialect().has(kApplicator)) {
        return;
    }
    if (b.has("allOf")) {
        b.add(std::make_unique<AllOfKeyword>(b.pointer_of("allOf"), in_place_list(b, "allOf")),
              kAnyKind);
    }
    for (std::string_view keyword : {"anyOf", "oneOf"}) {
        if (b.has(keyword)) {
            b.add(std::make_unique<AnyOfKeyword>(b.pointer_of(keyword), in_place_list(b, keyword),
                                                 keyword == "oneOf"),
                  kAnyKind);
        }
    }
    if (b.has("not")) {
        b.add(std::make_unique<NotKeyword>(b.pointer_of("not"), b.subschema("not")), kAnyKind);
    }
    if (b.has("if") && b.dialect().since(Draft::Draft7)) {
        const Node* condition = in_place_optional(b, "if");
        const Node* then_branch = in_place_optional(b, "then");
        const Node* else_branch = in_place_optional(b, "else");
        b.add(std::make_unique<IfThenElseKeyword>(b.pointer_of("if"), condition, then_branch,
                                                  else_branch),
              kAnyKind);
    }
}

}  // namespace tshost::jsonschema::detail
