// The compiled form of a schema and the evaluator that runs it. Private to the library.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "jsonschema/schema.hpp"
#include "jsonschema/values.hpp"

namespace tshost::jsonschema::detail {

class Evaluator;
struct Node;

// Which properties of an object (by iteration position) or items of an array have been
// evaluated by some keyword, for "unevaluatedProperties" / "unevaluatedItems".
class Evaluated {
  public:
    explicit Evaluated(const json& instance)
        : seen_(instance.is_structured() ? instance.size() : 0) {}
    void mark(std::size_t position) { seen_[position] = true; }
    void mark_all() { all_ = true; }
    bool contains(std::size_t position) const { return all_ || seen_[position]; }
    void merge(const Evaluated& other);

  private:
    std::vector<bool> seen_;
    bool all_ = false;
};

// One assertion or applicator of a compiled schema object.
class Keyword {
  public:
    explicit Keyword(std::string schema_pointer) : pointer_(std::move(schema_pointer)) {}
    virtual ~Keyword() = default;
    Keyword(const Keyword&) = delete;
    Keyword& operator=(const Keyword&) = delete;

    // `evaluated` is non-null when an enclosing "unevaluated*" needs to know what this
    // keyword evaluated on `instance`.
    virtual bool validate(Evaluator& ev, const json& instance, Evaluated* evaluated) const = 0;

    // Called once every "$ref" of the schema is resolved, before the schema is used.
    virtual void finalize(const Node& /*owner*/) {}

    // When this keyword fails, the other keywords of its schema are not evaluated: after
    // "expected object, got string" their complaints are noise.
    virtual bool decisive() const { return false; }

    const std::string& pointer() const { return pointer_; }

  private:
    std::string pointer_;
};

// A schema resource: the unit "$id" names and the dynamic scope is made of.
struct Resource {
    std::string uri;
    const Node* root = nullptr;
    bool recursive_anchor = false;
    std::unordered_map<std::string, const Node*> dynamic_anchors;
};

struct Node {
    std::string pointer;  // where this schema is, for messages
    const json* schema = nullptr;
    const Resource* resource = nullptr;
    bool reject_all = false;        // the `false` schema
    bool accepts_null = false;      // OpenAPI "nullable: true"
    bool tracks_evaluated = false;  // has unevaluatedProperties / unevaluatedItems
    std::vector<std::unique_ptr<Keyword>> keywords;
    std::array<std::vector<const Keyword*>, kKindCount> by_kind;
    // Schemas applied to the same instance (allOf, $ref, ...), and the property names this
    // schema declares: together they say which keys an "unevaluatedProperties: false" expects.
    std::vector<const Node*> in_place;
    std::vector<std::string> declared_properties;
};

struct CompiledSchema {
    std::deque<json> documents;
    std::deque<Resource> resources;
    std::deque<Node> nodes;
    const Node* root = nullptr;
};

// What anyOf/oneOf need to know about an error to judge how far off an alternative is.
enum class ErrorKind : std::uint8_t { Other, Type, Value };

// An error as collected, with what branch selection in anyOf/oneOf needs to rank it.
struct ErrorRecord {
    ValidationError error;
    ErrorKind kind = ErrorKind::Other;
    std::size_t depth = 0;              // instance path length
    std::vector<std::string> expected;  // Type: the accepted type names
    std::vector<const json*> allowed;   // Value: the accepted values
    const json* value = nullptr;        // Value: the rejected instance
};

// Walks one instance through compiled nodes. Keeps the instance path, the dynamic scope, and
// either a list of errors or nothing at all (then the first failure ends the walk).
class Evaluator {
  public:
    Evaluator(std::vector<ErrorRecord>* errors, std::size_t max_errors)
        : errors_(errors), max_errors_(max_errors) {}

    bool validate(const Node& node, const json& instance, Evaluated* evaluated);
    // Same, recording no errors, whatever this evaluator does.
    bool check(const Node& node, const json& instance, Evaluated* evaluated);
    // Runs `node` collecting its errors (at most `limit`) into a separate list.
    std::vector<ErrorRecord> errors_of(const Node& node, const json& instance, std::size_t limit);

    bool collecting() const { return errors_ != nullptr; }
    // No point going on: failing fast, or the error budget is spent.
    bool should_stop() const {
        return errors_ == nullptr || (max_errors_ != 0 && errors_->size() >= max_errors_);
    }

    // Records an error at the current instance location. The message is built only when
    // errors are collected. Always returns false, so keywords can `return ev.fail(...)`.
    template <class MakeMessage>
    bool fail(const Keyword& keyword, MakeMessage&& make_message) {
        return fail_at(keyword.pointer(), std::forward<MakeMessage>(make_message));
    }
    template <class MakeMessage>
    bool fail_at(const std::string& schema_pointer, MakeMessage&& make_message) {
        if (errors_ != nullptr) {
            add(schema_pointer, make_message());
        }
        return false;
    }
    // Only while collecting().
    ErrorRecord& add(const std::string& schema_pointer, std::string message,
                     ErrorKind kind = ErrorKind::Other);
    void add(ErrorRecord record);

    // Moves the instance location into a property or item for the lifetime of the guard.
    class Step {
      public:
        Step(Evaluator& ev, const std::string& key) : ev_(ev) { ev_.path_.push_back({&key, 0}); }
        Step(Evaluator& ev, std::size_t index) : ev_(ev) { ev_.path_.push_back({nullptr, index}); }
        ~Step() { ev_.path_.pop_back(); }
        Step(const Step&) = delete;
        Step& operator=(const Step&) = delete;

      private:
        Evaluator& ev_;
    };

    std::string instance_pointer() const;
    std::string key_path() const;
    std::size_t depth() const { return path_.size(); }
    const std::vector<const Resource*>& dynamic_scope() const { return scope_; }

    // Nesting allowed before validation gives up on an instance (recursive schemas included).
    static constexpr std::size_t kMaxDepth = 400;

  private:
    class Redirect;
    struct Segment {
        const std::string* key;
        std::size_t index;
    };
    std::vector<ErrorRecord>* errors_;
    std::size_t max_errors_;
    std::vector<Segment> path_;
    std::vector<const Resource*> scope_;
    std::size_t nesting_ = 0;
};

// The public form of collected errors.
std::vector<ValidationError> to_public(std::vector<ErrorRecord>&& from);

}  // namespace tshost::jsonschema::detail
