#include "jsonschema/model.hpp"

#include <optional>
#include <utility>

#include "jsonschema/messages.hpp"
#include "jsonschema/uri.hpp"

namespace tshost::jsonschema::detail {
namespace {

// Keys that read badly after a dot are shown in brackets: spec["my.key"].
bool plain_key(const std::string& key) {
    if (key.empty()) {
        return false;
    }
    for (char c : key) {
        if (c == '.' || c == '[' || c == ']' || c == '"' || c == ' ' ||
            static_cast<unsigned char>(c) < 0x20) {
            return false;
        }
    }
    return true;
}

}  // namespace

void Evaluated::merge(const Evaluated& other) {
    all_ = all_ || other.all_;
    for (std::size_t i = 0; i < seen_.size() && i < other.seen_.size(); ++i) {
        if (other.seen_[i]) {
            seen_[i] = true;
        }
    }
}

bool Evaluator::validate(const Node& node, const json& instance, Evaluated* evaluated) {
    if (node.reject_all) {
        if (collecting()) {
            const bool under_key = !path_.empty() && path_.back().key != nullptr;
            add(node.pointer, under_key
                                  ? "key " + quote_key(*path_.back().key) + " is not allowed here"
                                  : std::string("no value is allowed here"));
        }
        return false;
    }
    if (node.accepts_null && instance.is_null()) {
        return true;
    }
    if (nesting_ >= kMaxDepth) {
        if (collecting()) {
            add(node.pointer,
                "nesting exceeds the validator's limit of " + std::to_string(kMaxDepth) +
                    " levels (a document nested this deeply, or a schema that refers to "
                    "itself without going deeper into the document)");
        }
        return false;
    }
    struct Enter {
        Evaluator& ev;
        bool new_resource;
        Enter(Evaluator& e, const Resource* resource)
            : ev(e), new_resource(e.scope_.empty() || e.scope_.back() != resource) {
            ++ev.nesting_;
            if (new_resource) {
                ev.scope_.push_back(resource);
            }
        }
        ~Enter() {
            --ev.nesting_;
            if (new_resource) {
                ev.scope_.pop_back();
            }
        }
        Enter(const Enter&) = delete;
        Enter& operator=(const Enter&) = delete;
    } enter(*this, node.resource);

    // unevaluated* keywords see only what this schema and its in-place subschemas evaluated,
    // so a schema that has them keeps its own record and passes it up only if it succeeds.
    std::optional<Evaluated> own;
    Evaluated* record = evaluated;
    if (node.tracks_evaluated) {
        own.emplace(instance);
        record = &*own;
    }
    bool valid = true;
    for (const Keyword* keyword : node.by_kind[static_cast<std::size_t>(kind_of(instance))]) {
        if (!keyword->validate(*this, instance, record)) {
            valid = false;
            if (should_stop() || keyword->decisive()) {
                break;
            }
        }
    }
    if (valid && own && evaluated != nullptr) {
        evaluated->merge(*own);
    }
    return valid;
}

// Points the evaluator at another error list for the lifetime of the guard.
class Evaluator::Redirect {
  public:
    Redirect(Evaluator& ev, std::vector<ErrorRecord>* errors, std::size_t max_errors)
        : ev_(ev),
          errors_(std::exchange(ev.errors_, errors)),
          max_errors_(std::exchange(ev.max_errors_, max_errors)) {}
    ~Redirect() {
        ev_.errors_ = errors_;
        ev_.max_errors_ = max_errors_;
    }
    Redirect(const Redirect&) = delete;
    Redirect& operator=(const Redirect&) = delete;

  private:
    Evaluator& ev_;
    std::vector<ErrorRecord>* errors_;
    std::size_t max_errors_;
};

bool Evaluator::check(const Node& node, const json& instance, Evaluated* evaluated) {
    Redirect quiet(*this, nullptr, 0);
    return validate(node, instance, evaluated);
}

std::vector<ErrorRecord> Evaluator::errors_of(const Node& node, const json& instance,
                                              std::size_t limit) {
    std::vector<ErrorRecord> collected;
    Redirect into(*this, &collected, limit);
    validate(node, instance, nullptr);
    return collected;
}

ErrorRecord& Evaluator::add(const std::string& schema_pointer, std::string message,
                            ErrorKind kind) {
    ErrorRecord& record = errors_->emplace_back();
    record.error.instance_pointer = instance_pointer();
    record.error.key_path = key_path();
    record.error.schema_pointer = schema_pointer;
    record.error.message = std::move(message);
    record.kind = kind;
    record.depth = path_.size();
    return record;
}

void Evaluator::add(ErrorRecord record) {
    errors_->push_back(std::move(record));
}

std::string Evaluator::instance_pointer() const {
    std::string out;
    for (const Segment& segment : path_) {
        out += '/';
        out += segment.key != nullptr ? escape_pointer_token(*segment.key)
                                      : std::to_string(segment.index);
    }
    return out;
}

std::string Evaluator::key_path() const {
    if (path_.empty()) {
        return "(root)";
    }
    std::string out;
    for (const Segment& segment : path_) {
        if (segment.key == nullptr) {
            out += "[" + std::to_string(segment.index) + "]";
        } else if (plain_key(*segment.key)) {
            out += (out.empty() ? "" : ".") + *segment.key;
        } else {
            out +=
                "[" + json(*segment.key).dump(-1, ' ', false, json::error_handler_t::replace) + "]";
        }
    }
    return out;
}

std::vector<ValidationError> to_public(std::vector<ErrorRecord>&& from) {
    std::vector<ValidationError> out;
    out.reserve(from.size());
    for (ErrorRecord& record : from) {
        out.push_back(std::move(record.error));
    }
    return out;
}

}  // namespace tshost::jsonschema::detail
